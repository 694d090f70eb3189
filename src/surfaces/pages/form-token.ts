/**
 * The pages' per-form token, a signed double submit: opening a page sets a random cookie (HttpOnly, SameSite=Strict)
 * and puts HMAC(key, cookie value and form name) in a hidden field; a POST is accepted only when it brings both and
 * they match. A forged form on another site can neither read the field nor make the browser send the Strict cookie,
 * and a field copied from a page is useless without its cookie. The key (derived from the server secret) means no one
 * can mint a field for a cookie value of their choosing; someone who plants a cookie (a sibling subdomain, plain
 * HTTP, which the `__Secure-` prefix stops) could still learn its field by opening a page with it, but their forged
 * POST then comes from another origin, which the cross-site guard refuses. The guard is the first line; this is the
 * second, per form.
 *
 * On a rotation of `SECRET_KEY`, fields are signed with the new key at once and checked against the new one, then
 * each previous one, so a form opened before the rotation still submits until its cookie expires (an hour). The
 * field does not name its key: it lives an hour and is never stored, so trying the few keys costs nothing, and the
 * field keeps its shape.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parse, serialize } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from './html.js';

/** The HKDF purpose of the form tokens' key. */
export const FORM_KEY_PURPOSE = 'page-forms';

/** Name of the hidden field that carries the signature. */
export const FORM_TOKEN_FIELD = 'form_token';

/** How long the cookie lives, in seconds: ample to read a message and fill in a form, after which the page says it expired. */
export const FORM_COOKIE_MAX_AGE_S = 60 * 60;

/** A cookie value as {@link FormTokens.issue} draws them: 32 random bytes in base64url. */
const COOKIE_VALUE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Options of {@link FormTokens}. */
export interface FormTokenOptions {
  /**
   * Always mark the cookie `Secure` (the session cookie's `COOKIE_SECURE`, on in production); a request that came
   * over https (as Fastify reads it, `X-Forwarded-Proto` included when the proxy is trusted) gets it regardless.
   */
  readonly secure: boolean;
}

/** Issues and checks the form tokens of the pages, under one key. */
export class FormTokens {
  readonly #keys: readonly Buffer[];
  readonly #secure: boolean;

  /**
   * Takes the signing key (the secret's `page-forms` key), or the keys of every secret in the keyring, the current
   * one first (the one fields are signed with; the others are only checked), and whether the cookie is always `Secure`.
   */
  constructor(key: Buffer | readonly Buffer[], options: FormTokenOptions) {
    const keys = Buffer.isBuffer(key) ? [key] : key;
    if (keys.length === 0 || keys.some((one) => one.length < 32)) throw new Error('a form-token key needs at least 32 bytes');
    this.#keys = keys.map((one) => Buffer.from(one));
    this.#secure = options.secure;
  }

  /**
   * Sets (or refreshes) the cookie of `form` on the reply and returns the hidden field that goes into the form. A
   * well-formed cookie the browser already holds is kept, so a page re-shown after a refusal (a weak password) and
   * the first page stay valid together; otherwise a fresh random value is drawn.
   */
  issue(request: FastifyRequest, reply: FastifyReply, form: string): SafeHtml {
    const held = this.#cookieOf(request, form);
    const value = held !== undefined && COOKIE_VALUE_SHAPE.test(held) ? held : randomBytes(32).toString('base64url');
    const secure = this.#isSecure(request);
    void reply.header(
      'set-cookie',
      // No Path: the browser then scopes the cookie to the directory of the URL it opened (`/account`, or
      // `/prefix/account` wherever Sesame is mounted or proxied), which the server cannot know for sure: a proxy
      // may strip PUBLIC_URL's path before the request reaches it. Every page and its POST share that directory.
      serialize(cookieName(form, secure), value, { httpOnly: true, sameSite: 'strict', secure, maxAge: FORM_COOKIE_MAX_AGE_S }),
    );
    return html`<input type="hidden" name="${FORM_TOKEN_FIELD}" value="${this.#sign(this.#current(), value, form)}">`;
  }

  /**
   * True when the request brings the cookie of `form` and `submitted` is its signature under the current key or a
   * previous one, compared in constant time; false when either is missing or they do not match.
   */
  check(request: FastifyRequest, form: string, submitted: string | undefined): boolean {
    const value = this.#cookieOf(request, form);
    if (value === undefined || !COOKIE_VALUE_SHAPE.test(value) || submitted === undefined) return false;
    const given = Buffer.from(submitted, 'utf8');
    let matched = false;
    for (const key of this.#keys) {
      const expected = Buffer.from(this.#sign(key, value, form), 'utf8');
      // The expected length is public (a SHA-256 in base64url): only the content must be compared in constant time.
      if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
    }
    return matched;
  }

  /** The key fields are signed with now. */
  #current(): Buffer {
    const [current] = this.#keys;
    if (current === undefined) throw new Error('a form-token key is missing');
    return current;
  }

  /** HMAC-SHA-256 of the cookie value and the form's name under `key`, in base64url. */
  #sign(key: Buffer, value: string, form: string): string {
    return createHmac('sha256', key).update(`${value}\n${form}`, 'utf8').digest('base64url');
  }

  /** The cookie of `form` as this request presents it, under the name this request's scheme gives it. */
  #cookieOf(request: FastifyRequest, form: string): string | undefined {
    const header = request.headers.cookie;
    if (header === undefined) return undefined;
    return parse(header)[cookieName(form, this.#isSecure(request))] ?? undefined;
  }

  /** Whether the cookie is `Secure` for this request. */
  #isSecure(request: FastifyRequest): boolean {
    return this.#secure || request.protocol === 'https';
  }
}

/**
 * The cookie's name: one per form, so a reset page and a verification page open side by side do not replace each
 * other's cookie; with the `__Secure-` prefix when the cookie is `Secure`, so the browser refuses one set over plain
 * HTTP under that name.
 */
export function cookieName(form: string, secure: boolean): string {
  return `${secure ? '__Secure-' : ''}sesame_form_${form}`;
}
