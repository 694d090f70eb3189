/**
 * The sign-in page (`/account/login`): email and password through the same login flow, limits, events and notices
 * as `POST /sessions`, the session cookie set as the API sets it, then a 303 to `return_to` (checked by
 * return-to.ts) or to the account page. A wrong address and a wrong password get the same sentence.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../kernel/http/event-context.js';
import { PasswordError, type PasswordLogin } from '../../modules/password/index.js';
import { provedAccount } from '../../modules/rate-limits/index.js';
import { readSessionId, setSessionCookie, type SessionCookieSettings } from '../../modules/sessions/index.js';
import { expiredForm, pageLink } from './answers.js';
import { FORM_TOKEN_FIELD } from './form-token.js';
import { alternatives, errorSummary, field, hidden, missingCredentials, submit, type FormProblem } from './form-kit.js';
import { html } from './html.js';
import { sendPage, viewOf, type PageSite, type PageView } from './layout.js';
import { safeReturnTo } from './return-to.js';

/** What the page needs. */
export interface LoginPageDeps {
  readonly login: PasswordLogin;
  readonly cookie: SessionCookieSettings & { readonly ttlMs: number };
  readonly site: PageSite;
  /** Origins `return_to` may name besides this one (`TRUSTED_ORIGINS`, `PUBLIC_URL`'s origin). */
  readonly returnOrigins: readonly string[];
}

/** The form's name, signed into its form token. */
export const LOGIN_FORM = 'login';

/** Body of `POST /account/login`. */
interface LoginBody {
  email?: string;
  password?: string;
  return_to?: string;
  form_token?: string;
}

/** The sign-in form, with the address kept and the problems shown. */
function loginForm(view: PageView, email: string, returnTo: string | undefined, problems: readonly FormProblem[] = []) {
  const { t, site } = view;
  const forgot = returnTo === undefined ? 'forgot' : `forgot?${new URLSearchParams({ return_to: returnTo }).toString()}`;
  const signup = returnTo === undefined ? 'signup' : `signup?${new URLSearchParams({ return_to: returnTo }).toString()}`;
  return html`${errorSummary(view, problems)}<form method="post" action="login" novalidate>${site.forms.issue(view.request, view.reply, LOGIN_FORM)}${
    returnTo === undefined ? '' : hidden('return_to', returnTo)
  }${field(view, { name: 'email', label: t('form.email'), type: 'email', autocomplete: 'username', value: email, maxLength: 320 }, problems)}${field(
    view,
    { name: 'password', label: t('form.password'), type: 'password', autocomplete: 'current-password', maxLength: 1024 },
    problems,
  )}${submit(t('login.submit'))}</form>${alternatives(pageLink(forgot, t('login.forgot')))}${alternatives(html`${t('login.noAccount')} `, pageLink(signup, t('login.signUp')))}`;
}

/** Registers `GET` and `POST /account/login`; both are left out of the API description. */
export function loginPageRoutes(app: FastifyInstance, { login, cookie, site, returnOrigins }: LoginPageDeps): void {
  app.get<{ Querystring: { return_to?: string } }>(
    '/account/login',
    { schema: { hide: true, querystring: { type: 'object', properties: { return_to: { type: 'string', maxLength: 2048 } } } } },
    async (request, reply) => {
      const view = viewOf(request, reply, site);
      return sendPage(view, 200, view.t('login.title'), loginForm(view, '', safeReturnTo(request.query.return_to, returnOrigins)));
    },
  );

  app.post<{ Body: LoginBody }>(
    '/account/login',
    {
      // The limit of POST /sessions, counted on the same counters: a password guessed here is a guess there too.
      config: { rateLimit: { action: 'login', account: 'body', handBackOnSuccess: true } },
      schema: {
        hide: true,
        body: {
          type: 'object',
          properties: {
            email: { type: 'string', maxLength: 320 },
            password: { type: 'string', maxLength: 1024 },
            return_to: { type: 'string', maxLength: 2048 },
            [FORM_TOKEN_FIELD]: { type: 'string', maxLength: 100 },
          },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const view = viewOf(request, reply, site);
      const { t } = view;
      const { email = '', password = '', form_token: formToken } = request.body;
      const returnTo = safeReturnTo(request.body.return_to, returnOrigins);
      if (!site.forms.check(request, LOGIN_FORM, formToken)) return expiredForm(view);
      const missing = missingCredentials(view, email, password);
      if (missing.length > 0) return sendPage(view, 400, t('login.title'), loginForm(view, email, returnTo, missing));
      let loggedIn;
      try {
        loggedIn = await login.login(email, password, readSessionId(request, cookie.name), requestContext(request));
      } catch (error) {
        if (error instanceof PasswordError && error.code === 'login.email_not_verified') {
          return sendPage(view, 403, t('login.title'), html`${loginForm(view, email, returnTo, [{ message: t('login.unverified') }])}${alternatives(pageLink('verify', t('login.confirmWithCode')))}`);
        }
        throw error;
      }
      if (loggedIn === null) return sendPage(view, 401, t('login.title'), loginForm(view, email, returnTo, [{ field: 'email', message: t('login.invalid') }]));
      provedAccount(request, loggedIn.user.email);
      setSessionCookie(reply, loggedIn.sessionId, cookie);
      // 303: the browser follows with a GET, so a reload of the next page never posts the password again.
      return reply.redirect(returnTo ?? './', 303);
    },
  );
}
