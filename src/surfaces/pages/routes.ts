/**
 * The hosted pages under `/account/`, registered together over one site (branding, stylesheet, texts, form-token key):
 * sign up, sign in, the account pages (account/), sign out, forgot password, and the two pages mailed links open (reset,
 * verify). Registered inside the API scope, so the form parser, the rate limits and the cross-site guard apply to
 * their POSTs; their refusals are pages too (page-errors.ts). `PAGES_ENABLED=false` leaves all of them out.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { SecretKeyring } from '../../kernel/secrets.js';
import type { EmailAddresses } from '../../modules/email/index.js';
import type { AccountsService } from '../../modules/accounts/index.js';
import type { PasswordChange, PasswordLogin, PasswordReset, Registration } from '../../modules/password/index.js';
import type { SessionCookieSettings, SessionService } from '../../modules/sessions/index.js';
import type { Signup } from '../../modules/signup/index.js';
import { accountPageRoutes } from './account/routes.js';
import { assetRoutes, buildAssets } from './assets.js';
import type { PagesConfig } from './config.js';
import { forgotPageRoutes } from './forgot-page.js';
import { FORM_KEY_PURPOSE, FormTokens } from './form-token.js';
import { pageCsp, type PageSite } from './layout.js';
import { loginPageRoutes } from './login-page.js';
import { pageErrorHandler } from './page-errors.js';
import { resetPageRoutes } from './reset-page.js';
import { sessionPageRoutes } from './session-pages.js';
import { signupPageRoutes } from './signup-page.js';
import { verifyPageRoutes } from './verify-page.js';

/** What the pages need. */
export interface PageDeps {
  readonly pages: PagesConfig;
  readonly registration: Registration;
  /** Who may sign up, invitations and the challenge (the sign-up page's notices, fixed address and puzzle). */
  readonly signup: Signup;
  readonly login: PasswordLogin;
  /** The reset flow (the forgot and reset pages). */
  readonly reset: PasswordReset;
  /** The password change (the account's password page). */
  readonly change: PasswordChange;
  /** The email service (the verification page, the account's address and language). */
  readonly email: EmailAddresses;
  /** The owner's events, export and deletion (the account pages). */
  readonly accounts: AccountsService;
  readonly sessions: SessionService;
  /**
   * The server secret and the previous ones still accepted; the form tokens are signed with the current secret's
   * `page-forms` key and checked against every secret's, so a form opened before a rotation still submits.
   */
  readonly keys: Pick<SecretKeyring, 'derive'>;
  /** The session cookie's settings (set at sign-in, cleared at sign-out; when it is `Secure`, so is the form cookie). */
  readonly cookie: SessionCookieSettings & { readonly ttlMs: number };
  /** Whether a new account confirms its address before signing in. */
  readonly requireVerification: boolean;
  /** The password policy's minimum length, shown beside new-password fields. */
  readonly passwordMinLength: number;
  /** Origins besides this one that `return_to` may name and the sign-in form may redirect to. */
  readonly returnOrigins: readonly string[];
}

/** Registers every page and their assets, all left out of the API description. */
export function pageRoutes(app: FastifyInstance, deps: PageDeps): void {
  const returnOrigins = [...new Set(deps.returnOrigins.map((origin) => new URL(origin).origin))];
  const site: PageSite = {
    productName: deps.pages.productName,
    assets: buildAssets(deps.pages),
    forms: new FormTokens(
      deps.keys.derive(FORM_KEY_PURPOSE).map(({ key }) => key),
      { secure: deps.cookie.secure },
    ),
    csp: pageCsp(returnOrigins),
    passwordMinLength: deps.passwordMinLength,
    texts: deps.pages.texts,
  };
  // A scope of their own, only for the error handler: the parsers, hooks and limits of the API scope still apply.
  void app.register(async (pages) => {
    pages.setErrorHandler(pageErrorHandler(site));
    assetRoutes(pages, site.assets);
    signupPageRoutes(pages, { registration: deps.registration, signup: deps.signup, requireVerification: deps.requireVerification, site });
    loginPageRoutes(pages, { login: deps.login, cookie: deps.cookie, site, returnOrigins });
    sessionPageRoutes(pages, { sessions: deps.sessions, cookie: deps.cookie, site });
    accountPageRoutes(pages, { site, sessions: deps.sessions, cookie: deps.cookie, change: deps.change, email: deps.email, accounts: deps.accounts });
    forgotPageRoutes(pages, { reset: deps.reset, site });
    resetPageRoutes(pages, { reset: deps.reset, site });
    verifyPageRoutes(pages, { email: deps.email, site });
  });
}
