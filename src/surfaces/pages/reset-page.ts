/**
 * The page a mailed reset link opens (`/account/reset?token=...`): a plain server-rendered form, no JavaScript and no
 * outside resource, under a content security policy of its own. Opening the link spends nothing (mail scanners open
 * every link they see); only the form's POST does, through the same reset flow, limits and cross-site guard as
 * `PUT /reset_password`.
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requestContext } from '../../kernel/http/event-context.js';
import { InvalidResetTokenError, WeakPasswordError, type PasswordReset } from '../../modules/password/index.js';

/** What the page needs: the reset flow. */
export interface ResetPageDeps {
  readonly reset: PasswordReset;
}

/** The page's own policy: nothing may load, the form posts only to this origin, nothing may frame it. */
const PAGE_CSP = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** A token as Sesame issues them (a UUID or 256 bits in base64url); anything else is not a link Sesame sent. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,128}$/;

/** Escapes text for HTML content and attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** A whole page around `body`, with the page's headers set on the reply. */
function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  void reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', PAGE_CSP)
    // The token is in the URL: no referrer may carry it to another site.
    .header('referrer-policy', 'no-referrer');
  return reply.send(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
  );
}

/** The form for a token (already checked for shape). */
function form(token: string, problem?: string): string {
  return (
    (problem === undefined ? '' : `<p role="alert">${escapeHtml(problem)}</p>`) +
    `<form method="post" action="reset"><input type="hidden" name="token" value="${escapeHtml(token)}">` +
    `<p><label>Your email <input type="email" name="email" required autocomplete="username"></label></p>` +
    `<p><label>New password <input type="password" name="new_password" required autocomplete="new-password"></label></p>` +
    `<p><button type="submit">Set the new password</button></p></form>`
  );
}

/** Registers `GET /account/reset` and `POST /account/reset`; both are left out of the API description. */
export function resetPageRoutes(app: FastifyInstance, { reset }: ResetPageDeps): void {
  app.get<{ Querystring: { token?: string } }>(
    '/account/reset',
    { schema: { hide: true, querystring: { type: 'object', properties: { token: { type: 'string', maxLength: 200 } } } } },
    async (request, reply) => {
      const token = request.query.token ?? '';
      if (!TOKEN_SHAPE.test(token)) return page(reply, 400, 'This link is not valid', '<p>Ask for a new reset link.</p>');
      return page(reply, 200, 'Reset your password', form(token));
    },
  );

  app.post<{ Body: { token: string; email: string; new_password: string } }>(
    '/account/reset',
    {
      config: { rateLimit: { action: 'reset-update', account: 'body', handBackOnSuccess: true } },
      schema: {
        hide: true,
        body: {
          type: 'object',
          properties: { token: { type: 'string', maxLength: 200 }, email: { type: 'string', maxLength: 320 }, new_password: { type: 'string', maxLength: 1024 } },
          required: ['token', 'email', 'new_password'],
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const { token, email, new_password: password } = request.body;
      if (!TOKEN_SHAPE.test(token)) return page(reply, 400, 'This link is not valid', '<p>Ask for a new reset link.</p>');
      try {
        await reset.reset(token, password, email, requestContext(request));
      } catch (error) {
        if (error instanceof InvalidResetTokenError) return page(reply, 403, 'This link is not valid any more', '<p>It was used, it expired, or it was sent for another email. Ask for a new reset link.</p>');
        if (error instanceof WeakPasswordError) return page(reply, 400, 'Reset your password', form(token, error.message));
        throw error;
      }
      return page(reply, 200, 'Your password was changed', '<p>Every session of your account has ended. Sign in with your new password.</p>');
    },
  );
}
