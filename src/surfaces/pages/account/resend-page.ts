/**
 * "Send the confirmation again" (`POST /account/resend`), the account page's button while the address is
 * unconfirmed: the session's own address through the same service, limit and answer as `POST /email/verify/resend`,
 * then back to the account page with a notice that reads the same whether or not a message went.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { expiredForm } from '../answers.js';
import { FORM_TOKEN_FIELD } from '../form-token.js';
import { viewOf } from '../layout.js';
import type { AccountPagesDeps } from './deps.js';
import { RESEND_FORM } from './forms.js';
import { accountSession, accountSessionCheck, signInFirst } from './guard.js';

/** Registers `POST /account/resend`, and a `GET` that leads back to the account page (where the button is). */
export function resendPageRoutes(app: FastifyInstance, { site, sessions, cookie, email }: AccountPagesDeps): void {
  // Not a page: the sign-in page's `return_to` after a POST whose session had ended, or a reload, lands here by GET;
  // the account page holds the button, so the browser goes there (and is sent to sign in from there if need be).
  app.get('/account/resend', { schema: { hide: true } }, async (_request, reply) => reply.redirect('./', 303));

  app.post<{ Body: { form_token?: string } }>(
    '/account/resend',
    {
      preHandler: accountSessionCheck(sessions, cookie.name),
      // The limit of POST /email/verify/resend on the same per-account counter. The API counts the body's `email`;
      // here the address is the session's, which the limiter reads with `account: 'session'` (the session check above
      // runs first and leaves the session on the request). Both name the account by its address, and the limiter
      // keys accounts by the normalised address, so a resend here and one through the API share one budget.
      config: { rateLimit: { action: 'email-resend', account: 'session' } },
      schema: { hide: true, body: { type: 'object', properties: { [FORM_TOKEN_FIELD]: { type: 'string', maxLength: 100 } }, additionalProperties: false } },
    },
    async (request, reply) => {
      const session = accountSession(request);
      if (session === undefined) return signInFirst(request, reply);
      const view = viewOf(request, reply, site, session.user.language ?? undefined);
      if (!site.forms.check(request, RESEND_FORM, request.body.form_token)) return expiredForm(view);
      // The service sends nothing for an address already confirmed (or past its hourly count): the page, like the
      // API, answers the same either way.
      await email.resend(session.user.email, requestContext(request));
      return reply.redirect('./?done=resend', 303);
    },
  );
}
