/**
 * `POST /users`: the public sign-up, from an email and a password. With `REQUIRE_EMAIL_VERIFICATION` on it answers a
 * taken address as a new one (the owner is mailed instead), so it tells no one which addresses have accounts.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { documented, refusals } from '../../../kernel/http/responses.js';
import { BODY_TYPES, email, emailMessageReply, fields, password, token } from '../../../kernel/http/schemas.js';
import { negotiateLanguage } from '../../mail/index.js';
import type { PasswordRoutesDeps } from './deps.js';
import type { CredentialsBody } from './schemas.js';

/**
 * `POST /users` form: the seed's credentials, and what the sign-up rules may ask for besides: the invitation's token
 * (`REGISTRATION=invite`) and the solved challenge (`altcha`, with `REGISTRATION_CHALLENGE=all`). Both optional, so
 * the seed's clients post what they always posted.
 */
const registrationBody = {
  ...fields({ email, password, invitation: token, altcha: { type: 'string', minLength: 1, maxLength: 2000 } }),
  required: ['email', 'password'],
};

/** Body of `POST /users`. */
interface RegistrationBody extends CredentialsBody {
  /** The token of the invitation link. */
  invitation?: string;
  /** The solved challenge: base64 of `{algorithm, challenge, number, salt, signature}`. */
  altcha?: string;
}

/**
 * Registers `POST /users`: 200 `{"email", "message": "user created"}`, or 400 when the password is too weak, or, only
 * while verification is not required (development's default), when the email is taken, or 403 when the sign-up rules
 * (`REGISTRATION*`) refuse it.
 */
export function registrationRoutes(app: FastifyInstance, { registration }: PasswordRoutesDeps): void {
  app.post<{ Body: RegistrationBody }>(
    '/users',
    {
      config: { rateLimit: { action: 'register', account: 'body' } },
      schema: {
        operationId: 'registerUser',
        summary: 'Register an account',
        tags: ['seed'],
        consumes: BODY_TYPES,
        body: registrationBody,
        response: {
          200: documented(emailMessageReply, 'Account created'),
          ...refusals(['body', 'state-changing', 'rate-limited', 'new-password', 'database'], {
            400:
              'the policy refuses the password (`password.weak`, `password.breached`, `password.too_costly`), or, only while `REQUIRE_EMAIL_VERIFICATION` is off, the email is already registered (`users.email_taken`); with it on, a taken address answers 200 as a new one and its owner is mailed',
            403:
              'the sign-up rules refuse it, whoever owns the address: `REGISTRATION=closed` (`signup.closed`), `invite` without an invitation (`signup.invitation_required`), an invitation unknown, spent, expired or for another address (`signup.invitation_invalid`), a domain outside `REGISTRATION_DOMAINS` (`signup.domain_not_allowed`), or, with `REGISTRATION_CHALLENGE=all`, no solved challenge (`signup.challenge_required`) or a wrong, expired or replayed one (`signup.challenge_invalid`)',
          }),
        },
      },
    },
    async (request) => {
      const { email, password, invitation, altcha } = request.body;
      // Mail to the account is written in the language the registering browser asked for; the owner can change it.
      await registration.signUp(email, password, requestContext(request), { language: negotiateLanguage(request.headers['accept-language']) }, { surface: 'api', invitation, challenge: altcha });
      // Echo the email as sent: seed clients compare it with what they posted (and it is the same for a taken address).
      return { email, message: 'user created' };
    },
  );
}
