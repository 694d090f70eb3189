/**
 * `POST /reset_password` (issue a token) and `PUT /reset_password` (spend it).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { documented, refusals } from '../../../kernel/http/responses.js';
import { BODY_TYPES, emailMessageReply } from '../../../kernel/http/schemas.js';
import { provedAccount } from '../../rate-limits/index.js';
import { PasswordError } from '../errors.js';
import type { PasswordRoutesDeps } from './deps.js';
import { resetRequestBody, resetTokenReply, resetUpdateBody, type ResetRequestBody, type ResetUpdateBody } from './schemas.js';

/** Reply when the token goes out of band: identical for known and unknown emails, so it reveals no account. */
const SENT_MESSAGE = 'if this email is registered, reset instructions have been sent';

/** Registers both reset routes. */
export function resetRoutes(app: FastifyInstance, { reset, sendResetToken }: PasswordRoutesDeps): void {
  app.post<{ Body: ResetRequestBody }>(
    '/reset_password',
    {
      config: { rateLimit: { action: 'reset-request', account: 'body' } },
      schema: {
        operationId: 'getResetToken',
        summary: 'Ask for a reset token (in the body in development; to RESET_WEBHOOK_URL in production)',
        tags: ['seed'],
        consumes: BODY_TYPES,
        body: resetRequestBody,
        response: {
          200: documented({ anyOf: [resetTokenReply, emailMessageReply] }, 'The token, or (webhook delivery) the same message for every email'),
          ...refusals(['body', 'state-changing', 'rate-limited', 'database'], { 403: 'the email is not registered (`reset.email_unknown`; only when the token is returned in the body)' }),
        },
      },
    },
    async (request) => {
      const { email } = request.body;
      const issued = await reset.request(email, requestContext(request));
      if (issued === null) {
        if (sendResetToken !== undefined) return { email, message: SENT_MESSAGE };
        throw new PasswordError('reset.email_unknown');
      }
      if (sendResetToken === undefined) return { email, reset_token: issued.token };
      // Not awaited: the answer must take the same time, and look the same, whether or not the email has an account
      // (and whether or not the mailer is up), or the route would tell which accounts exist. To the address as
      // stored, not as typed: the mailer must never be steered by case, spaces or look-alike characters.
      // After the answer is written, too: even starting the request to the mailer is work the unknown path does not do.
      setImmediate(() => {
        sendResetToken(issued.user.email, issued.token).catch((error: unknown) => request.log.error({ err: error }, 'reset token delivery failed'));
      });
      return { email, message: SENT_MESSAGE };
    },
  );

  app.put<{ Body: ResetUpdateBody }>(
    '/reset_password',
    {
      config: { rateLimit: { action: 'reset-update', account: 'body', handBackOnSuccess: true } },
      schema: {
        operationId: 'updatePassword',
        summary: 'Set a new password with a reset token; every session of the user ends',
        tags: ['seed'],
        consumes: BODY_TYPES,
        body: resetUpdateBody,
        response: {
          200: documented(emailMessageReply, 'Password updated; every session of the user ended'),
          ...refusals(['body', 'state-changing', 'rate-limited', 'new-password', 'database'], {
            400: 'the policy refuses the new password (`password.weak`, `password.breached`, `password.too_costly`)',
            403: 'the token is unknown, expired, spent or another email\'s (`reset.token_invalid`)',
          }),
        },
      },
    },
    async (request) => {
      const { email, reset_token: resetToken, new_password: newPassword } = request.body;
      const user = await reset.reset(resetToken, newPassword, email, requestContext(request));
      provedAccount(request, user.email);
      return { email, message: 'Password updated' };
    },
  );
}
