/**
 * The server-rendered pages a mailed link opens, registered together: the reset page and the verification page,
 * sharing one form-token key derived from the server secret. Registered inside the API scope, so the form parser,
 * the rate limits and the cross-site guard apply to their POSTs; their refusals are pages too (page-errors.ts).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { SecretKey } from '../../kernel/secrets.js';
import type { EmailAddresses } from '../../modules/email/index.js';
import type { PasswordReset } from '../../modules/password/index.js';
import { FormTokens } from './form-token.js';
import { pageErrorHandler } from './page-errors.js';
import { resetPageRoutes } from './reset-page.js';
import { verifyPageRoutes } from './verify-page.js';

/** What the pages need. */
export interface PageDeps {
  /** The reset flow (the reset page). */
  readonly reset: PasswordReset;
  /** The email service (the verification page). */
  readonly email: EmailAddresses;
  /** The server secret; the form tokens use its `page-forms` key. */
  readonly secret: Pick<SecretKey, 'derive'>;
  /** The session cookie's settings: when it is `Secure`, so is the form cookie. */
  readonly cookie: { readonly secure: boolean };
}

/** Registers `GET`/`POST /account/reset` and `GET`/`POST /account/verify`, all left out of the API description. */
export function pageRoutes(app: FastifyInstance, { reset, email, secret, cookie }: PageDeps): void {
  const forms = new FormTokens(secret.derive('page-forms'), { secure: cookie.secure });
  // A scope of their own, only for the error handler: the parsers, hooks and limits of the API scope still apply.
  void app.register(async (pages) => {
    pages.setErrorHandler(pageErrorHandler);
    resetPageRoutes(pages, { reset, forms });
    verifyPageRoutes(pages, { email, forms });
  });
}
