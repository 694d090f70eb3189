/**
 * Which language a page speaks: the switch's choice (`?lang=` on a GET, remembered in a cookie), then the signed-in
 * account's language, then the browser's `Accept-Language`, then English. `<html lang>` is set from the same
 * choice, so the text and its declared language always match.
 * @module
 */
import { parse, serialize } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLanguage, negotiateLanguage, type Language } from '../../modules/mail/index.js';

/** The cookie that remembers the switch's choice. Not a secret: it only names a language. */
export const LANGUAGE_COOKIE = 'sesame_lang';

/** The query parameter the language switch sets. */
export const LANGUAGE_PARAMETER = 'lang';

/** A year: a language choice does not expire with a session. */
const LANGUAGE_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60;

/** The language of this request's page; a `?lang=` choice is remembered on the reply. */
export function pageLanguage(request: FastifyRequest, reply: FastifyReply, accountLanguage?: string): Language {
  const asked = (request.query as Record<string, unknown> | undefined)?.[LANGUAGE_PARAMETER];
  if (typeof asked === 'string' && isLanguage(asked)) {
    rememberLanguage(request, reply, asked);
    return asked;
  }
  const header = request.headers.cookie;
  const remembered = header === undefined ? undefined : parse(header)[LANGUAGE_COOKIE];
  if (remembered !== undefined && isLanguage(remembered)) return remembered;
  if (accountLanguage !== undefined && isLanguage(accountLanguage)) return accountLanguage;
  return negotiateLanguage(request.headers['accept-language']);
}

/**
 * Remembers a language choice in the page-language cookie: the switch's `?lang=`, and the account's language form,
 * whose choice must win over an earlier switch that the cookie would otherwise keep showing.
 */
export function rememberLanguage(request: FastifyRequest, reply: FastifyReply, language: Language): void {
  // No Path: scoped to the directory of the pages (`/account`, under any mount prefix), as the form cookies are.
  void reply.header('set-cookie', serialize(LANGUAGE_COOKIE, language, { httpOnly: true, sameSite: 'lax', maxAge: LANGUAGE_COOKIE_MAX_AGE_S, secure: request.protocol === 'https' }));
}
