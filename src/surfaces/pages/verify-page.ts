/**
 * The page a mailed verification link opens (`/account/verify?token=...`, for a new account's address or for the new
 * address of a change): one "Confirm this email address" button, because opening the link must spend nothing (mail
 * scanners open every link they see). Without a token the page asks for the address and the code printed in the
 * message. Only the POST spends the proof, with the page's form token, through the email service, under the same
 * limit and cross-site guard as `POST /email/verify`.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestContext } from '../../kernel/http/event-context.js';
import { EmailError, type EmailAddresses, type Proof } from '../../modules/email/index.js';
import { provedAccount } from '../../modules/rate-limits/index.js';
import { UserAlreadyExistsError } from '../../modules/users/index.js';
import { expiredForm, FORM_TOKEN_FIELD, type FormTokens } from './form-token.js';
import { alertParagraph, escapeHtml, sendPage, TOKEN_SHAPE } from './layout.js';

/** What the page needs: the email service and the form tokens. */
export interface VerifyPageDeps {
  readonly email: EmailAddresses;
  readonly forms: FormTokens;
}

/** The form's name, signed into its form token (the button and the code form post to the same route). */
export const VERIFY_FORM = 'verify';

/** Body of `POST /account/verify`: the link's token, or the address and the code, with the form token. */
interface VerifyPageBody {
  token?: string;
  email?: string;
  code?: string;
  form_token?: string;
}

/** The one-button form for a link's token (already checked for shape). */
function buttonForm(request: FastifyRequest, reply: FastifyReply, forms: FormTokens, token: string): string {
  return (
    '<p>To finish, confirm that this address is yours.</p>' +
    `<form method="post" action="verify"><input type="hidden" name="token" value="${escapeHtml(token)}">${forms.issue(request, reply, VERIFY_FORM)}` +
    '<p><button type="submit">Confirm this email address</button></p></form>'
  );
}

/** The form for the address and the code typed from the message. */
function codeForm(request: FastifyRequest, reply: FastifyReply, forms: FormTokens, email = '', problem?: string): string {
  return (
    alertParagraph(problem) +
    '<p>Enter your email address and the 8-digit code from the message we sent you. After a change of address, enter the new address.</p>' +
    `<form method="post" action="verify">${forms.issue(request, reply, VERIFY_FORM)}` +
    `<p><label for="email">Email address</label><input id="email" type="email" name="email" value="${escapeHtml(email)}" required maxlength="320" autocomplete="email"></p>` +
    '<p><label for="code">Code</label><input id="code" type="text" name="code" required maxlength="20" inputmode="numeric" autocomplete="one-time-code" placeholder="1234-5678"></p>' +
    '<p><button type="submit">Confirm this email address</button></p></form>'
  );
}

/** The answer to a link that cannot be Sesame's. */
function invalidLink(reply: FastifyReply): FastifyReply {
  return sendPage(reply, 400, 'This link is not valid', '<p>Open the link exactly as the message gives it, or <a href="verify">enter the code from the message</a>.</p>');
}

/** Registers `GET /account/verify` (the button, or the code form) and `POST /account/verify`; left out of the API description. */
export function verifyPageRoutes(app: FastifyInstance, { email: addresses, forms }: VerifyPageDeps): void {
  app.get<{ Querystring: { token?: string } }>(
    '/account/verify',
    { schema: { hide: true, querystring: { type: 'object', properties: { token: { type: 'string', maxLength: 200 } } } } },
    async (request, reply) => {
      const token = request.query.token;
      if (token === undefined || token === '') return sendPage(reply, 200, 'Confirm your email address', codeForm(request, reply, forms));
      if (!TOKEN_SHAPE.test(token)) return invalidLink(reply);
      return sendPage(reply, 200, 'Confirm your email address', buttonForm(request, reply, forms, token));
    },
  );

  app.post<{ Body: VerifyPageBody }>(
    '/account/verify',
    {
      // The limit of POST /email/verify, counted on the same counters: a code guessed here is a guess there too.
      config: { rateLimit: { action: 'email-verify', account: 'body', handBackOnSuccess: true } },
      schema: {
        hide: true,
        body: {
          type: 'object',
          properties: {
            token: { type: 'string', maxLength: 200 },
            email: { type: 'string', maxLength: 320 },
            code: { type: 'string', maxLength: 20 },
            // Optional here so that a missing one gets the page that says what to do, not a JSON validation error.
            [FORM_TOKEN_FIELD]: { type: 'string', maxLength: 100 },
          },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const { token, email = '', code = '', form_token: formToken } = request.body;
      if (!forms.check(request, VERIFY_FORM, formToken)) return expiredForm(reply);
      const byLink = token !== undefined && token !== '';
      if (byLink && !TOKEN_SHAPE.test(token)) return invalidLink(reply);
      if (!byLink && (email.trim() === '' || code.trim() === '')) {
        return sendPage(reply, 400, 'Confirm your email address', codeForm(request, reply, forms, email, 'Enter your email address and the code from the message.'));
      }
      const proof: Proof = byLink ? { token } : { email, code };
      let outcome: 'verified' | 'email_changed';
      let address: string;
      try {
        const confirmed = await addresses.confirm(proof, requestContext(request));
        outcome = confirmed.outcome;
        address = confirmed.user.email;
        provedAccount(request, address);
      } catch (error) {
        if (error instanceof EmailError && error.code === 'email.token_invalid') {
          if (!byLink) {
            return sendPage(reply, 403, 'Confirm your email address', codeForm(request, reply, forms, email, 'This code is not valid: it is wrong, it expired or it was used. Check the address and the code, or ask for a new message.'));
          }
          return sendPage(reply, 403, 'This link is not valid any more', '<p>It was used, it expired, or a newer message replaced it. Nothing was changed. Ask for a new message if your address still needs confirming.</p>');
        }
        if (error instanceof UserAlreadyExistsError) {
          return sendPage(reply, 400, 'This email address is already in use', '<p>Another account started using this address after the change was asked for. Your account keeps its current address.</p>');
        }
        throw error;
      }
      if (outcome === 'verified') {
        return sendPage(reply, 200, 'Your email address is verified', `<p>Thank you: <strong>${escapeHtml(address)}</strong> is confirmed. You can sign in now.</p>`);
      }
      return sendPage(reply, 200, 'Your account now uses this email address', `<p>Sign in with <strong>${escapeHtml(address)}</strong> from now on. Your sessions were kept.</p>`);
    },
  );
}
