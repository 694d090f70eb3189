/**
 * The email routes: `POST /email/verify` (token or code), `POST /email/verify/resend`, `PUT /email` (change, with the
 * current password) and `PUT /profile/language`.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { documented, refusals } from '../../../kernel/http/responses.js';
import { BODY_TYPES, emailMessageReply } from '../../../kernel/http/schemas.js';
import { provedAccount } from '../../rate-limits/index.js';
import { checkedSession } from '../../sessions/index.js';
import type { Proof } from '../proof.js';
import type { EmailRoutesDeps } from './deps.js';
import {
  changeEmailBody,
  languageBody,
  languageReply,
  resendBody,
  verifyBody,
  type ChangeEmailBody,
  type LanguageBody,
  type ResendBody,
  type VerifyBody,
} from './schemas.js';

/** The resend answer: the same for every address, so it tells no one which have accounts or are verified. */
const RESEND_MESSAGE = 'if this email is registered and not yet verified, a verification message has been sent';

/** Registers the email routes. */
export function emailRoutes(app: FastifyInstance, { email: addresses }: EmailRoutesDeps): void {
  app.post<{ Body: VerifyBody }>(
    '/email/verify',
    {
      config: { rateLimit: { action: 'email-verify', account: 'body', handBackOnSuccess: true } },
      schema: {
        operationId: 'verifyEmail',
        summary: 'Prove an address with the token from the message\'s link, or with the address and the short code',
        tags: ['email'],
        consumes: BODY_TYPES,
        body: verifyBody,
        response: {
          200: documented(emailMessageReply, 'The address is verified (`email verified`), or the account moved to it (`email changed`)'),
          ...refusals(['body', 'state-changing', 'rate-limited', 'database'], {
            400: 'the address a change confirms was taken by another account meanwhile (`users.email_taken`)',
            403: 'the token or code is unknown, expired, spent, or out of tries (`email.token_invalid`)',
          }),
        },
      },
    },
    async (request) => {
      const { token, email, code } = request.body;
      const proof: Proof = token !== undefined ? { token } : { email: email ?? '', code: code ?? '' };
      const confirmed = await addresses.confirm(proof, requestContext(request));
      // The account the token or code belongs to, as it is now (a change's new address, which the code was typed with).
      provedAccount(request, confirmed.user.email);
      return { email: confirmed.user.email, message: confirmed.outcome === 'verified' ? 'email verified' : 'email changed' };
    },
  );

  app.post<{ Body: ResendBody }>(
    '/email/verify/resend',
    {
      config: { rateLimit: { action: 'email-resend', account: 'body' } },
      schema: {
        operationId: 'resendVerification',
        summary: 'Send the verification message again (at most 3 an hour per account)',
        tags: ['email'],
        consumes: BODY_TYPES,
        body: resendBody,
        response: {
          200: documented(emailMessageReply, 'The same answer for every address'),
          ...refusals(['body', 'state-changing', 'rate-limited', 'database']),
        },
      },
    },
    async (request) => {
      await addresses.resend(request.body.email, requestContext(request));
      return { email: request.body.email, message: RESEND_MESSAGE };
    },
  );

  app.put<{ Body: ChangeEmailBody }>(
    '/email',
    {
      config: { session: 'required', rateLimit: { action: 'email-change', account: 'session', handBackOnSuccess: true } },
      schema: {
        operationId: 'changeEmail',
        summary: 'Move the account to another address: confirmed from the new mailbox, announced to the old one; sessions are kept',
        tags: ['email'],
        consumes: BODY_TYPES,
        body: changeEmailBody,
        response: {
          200: documented(emailMessageReply, 'A confirmation was sent to the new address; the account keeps its address until it is confirmed'),
          ...refusals(['body', 'state-changing', 'session', 'rate-limited', 'database'], {
            400: 'the new address is not an address (`users.invalid_email`), is taken (`users.email_taken`) or is the current one (`email.unchanged`)',
            403: 'the password is wrong (`email.password_wrong`)',
            429: 'three changes were asked for in the last hour, or the new address was sent three change codes in the last hour (`email.change_limited`)',
          }),
        },
      },
    },
    async (request) => {
      const session = checkedSession(request);
      await addresses.requestChange(session, request.body.password, request.body.new_email, requestContext(request));
      return { email: session.user.email, message: 'confirmation sent to the new address' };
    },
  );

  app.put<{ Body: LanguageBody }>(
    '/profile/language',
    {
      config: { session: 'required' },
      schema: {
        operationId: 'setLanguage',
        summary: 'Set the language Sesame\'s messages to this account are written in',
        tags: ['email'],
        consumes: BODY_TYPES,
        body: languageBody,
        response: {
          200: documented(languageReply, 'The language is set'),
          ...refusals(['body', 'state-changing', 'session', 'database']),
        },
      },
    },
    async (request) => {
      const session = checkedSession(request);
      await addresses.setLanguage(session.user, request.body.language, requestContext(request));
      return { language: request.body.language };
    },
  );
}
