/**
 * The page a mailed reset link opens (`/account/reset?token=...`): a plain server-rendered form, no JavaScript and no
 * outside resource, under the pages' own content security policy. Opening the link spends nothing (mail scanners
 * open every link they see); only the form's POST does, with the page's form token, through the same reset flow,
 * limits and cross-site guard as `PUT /reset_password`.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestContext } from '../../kernel/http/event-context.js';
import { InvalidResetTokenError, WeakPasswordError, type PasswordReset } from '../../modules/password/index.js';
import { provedAccount } from '../../modules/rate-limits/index.js';
import { expiredForm, FORM_TOKEN_FIELD, type FormTokens } from './form-token.js';
import { alertParagraph, escapeHtml, sendPage, TOKEN_SHAPE } from './layout.js';

/** What the page needs: the reset flow and the form tokens. */
export interface ResetPageDeps {
  readonly reset: PasswordReset;
  readonly forms: FormTokens;
}

/** The form's name, signed into its form token. */
export const RESET_FORM = 'reset';

/** The answer to a token that cannot be Sesame's, or a form posted without one. */
function invalidLink(reply: FastifyReply): FastifyReply {
  return sendPage(reply, 400, 'This link is not valid', '<p>Ask for a new reset link.</p>');
}

/** The form for a token (already checked for shape), with a fresh or renewed form token. */
function form(request: FastifyRequest, reply: FastifyReply, forms: FormTokens, token: string, problem?: string): string {
  return (
    alertParagraph(problem) +
    `<form method="post" action="reset"><input type="hidden" name="token" value="${escapeHtml(token)}">${forms.issue(request, reply, RESET_FORM)}` +
    '<p><label for="email">Your email</label><input id="email" type="email" name="email" required autocomplete="username"></p>' +
    '<p><label for="new_password">New password</label><input id="new_password" type="password" name="new_password" required autocomplete="new-password"></p>' +
    '<p><button type="submit">Set the new password</button></p></form>'
  );
}

/** Registers `GET /account/reset` and `POST /account/reset`; both are left out of the API description. */
export function resetPageRoutes(app: FastifyInstance, { reset, forms }: ResetPageDeps): void {
  app.get<{ Querystring: { token?: string } }>(
    '/account/reset',
    { schema: { hide: true, querystring: { type: 'object', properties: { token: { type: 'string', maxLength: 200 } } } } },
    async (request, reply) => {
      const token = request.query.token ?? '';
      if (!TOKEN_SHAPE.test(token)) return invalidLink(reply);
      return sendPage(reply, 200, 'Reset your password', form(request, reply, forms, token));
    },
  );

  app.post<{ Body: { token: string; email: string; new_password: string; form_token?: string } }>(
    '/account/reset',
    {
      config: { rateLimit: { action: 'reset-update', account: 'body', handBackOnSuccess: true } },
      schema: {
        hide: true,
        body: {
          type: 'object',
          properties: {
            token: { type: 'string', maxLength: 200 },
            email: { type: 'string', maxLength: 320 },
            new_password: { type: 'string', maxLength: 1024 },
            // Optional here so that a missing one gets the page that says what to do, not a JSON validation error.
            [FORM_TOKEN_FIELD]: { type: 'string', maxLength: 100 },
          },
          required: ['token', 'email', 'new_password'],
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const { token, email, new_password: password, form_token: formToken } = request.body;
      if (!forms.check(request, RESET_FORM, formToken)) return expiredForm(reply);
      if (!TOKEN_SHAPE.test(token)) return invalidLink(reply);
      try {
        provedAccount(request, (await reset.reset(token, password, email, requestContext(request))).email);
      } catch (error) {
        if (error instanceof InvalidResetTokenError) return sendPage(reply, 403, 'This link is not valid any more', '<p>It was used, it expired, or it was sent for another email. Ask for a new reset link.</p>');
        if (error instanceof WeakPasswordError) return sendPage(reply, 400, 'Reset your password', form(request, reply, forms, token, error.message));
        throw error;
      }
      return sendPage(reply, 200, 'Your password was changed', '<p>Every session of your account has ended. Sign in with your new password.</p>');
    },
  );
}
