/**
 * The sign-up page (`/account/signup`): the same registration flow, password policy, limits and events as
 * `POST /users`, with the policy's advice beside the password field. With verification required the answer is
 * "check your mail" whether or not the address already had an account (the registration flow does the same work
 * either way and mails the owner instead); the development profile keeps the seed's "already registered".
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../kernel/http/event-context.js';
import { PasswordTooCostlyError, WeakPasswordError, type Registration } from '../../modules/password/index.js';
import { InvalidEmailError, UserAlreadyExistsError } from '../../modules/users/index.js';
import { expiredForm, pageLink } from './answers.js';
import { FORM_TOKEN_FIELD } from './form-token.js';
import { alternatives, errorSummary, field, missingCredentials, passwordAdvice, submit, weakPasswordMessage, type FormProblem } from './form-kit.js';
import { html } from './html.js';
import { notice, sendPage, viewOf, type PageSite, type PageView } from './layout.js';

/** What the page needs. */
export interface SignupPageDeps {
  readonly registration: Registration;
  /** Whether a new account must confirm its address before signing in (`REQUIRE_EMAIL_VERIFICATION`). */
  readonly requireVerification: boolean;
  readonly site: PageSite;
}

/** The form's name, signed into its form token. */
export const SIGNUP_FORM = 'signup';

/** Body of `POST /account/signup`. */
interface SignupBody {
  email?: string;
  password?: string;
  form_token?: string;
}

/** The sign-up form. */
function signupForm(view: PageView, email: string, problems: readonly FormProblem[] = []) {
  const { t, site } = view;
  return html`${errorSummary(view, problems)}<form method="post" action="signup" novalidate>${site.forms.issue(view.request, view.reply, SIGNUP_FORM)}${field(
    view,
    { name: 'email', label: t('form.email'), type: 'email', autocomplete: 'email', value: email, maxLength: 320 },
    problems,
  )}${field(
    view,
    { name: 'password', label: t('form.password'), type: 'password', autocomplete: 'new-password', hint: passwordAdvice(view), maxLength: 1024 },
    problems,
  )}${submit(t('signup.submit'))}</form>${alternatives(html`${t('signup.haveAccount')} `, pageLink('login', t('signup.signIn')))}`;
}

/** Registers `GET` and `POST /account/signup`; both are left out of the API description. */
export function signupPageRoutes(app: FastifyInstance, { registration, requireVerification, site }: SignupPageDeps): void {
  app.get('/account/signup', { schema: { hide: true } }, async (request, reply) => {
    const view = viewOf(request, reply, site);
    return sendPage(view, 200, view.t('signup.title'), signupForm(view, ''));
  });

  app.post<{ Body: SignupBody }>(
    '/account/signup',
    {
      // The limit of POST /users, on the same counters.
      config: { rateLimit: { action: 'register', account: 'body' } },
      schema: {
        hide: true,
        body: {
          type: 'object',
          properties: {
            email: { type: 'string', maxLength: 320 },
            password: { type: 'string', maxLength: 1024 },
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
      if (!site.forms.check(request, SIGNUP_FORM, formToken)) return expiredForm(view);
      const missing = missingCredentials(view, email, password);
      if (missing.length > 0) return sendPage(view, 400, t('signup.title'), signupForm(view, email, missing));
      try {
        // The page's language is the account's first language: its mail is written in it.
        await registration.signUp(email, password, requestContext(request), { language: view.language });
      } catch (error) {
        const problem = signupProblem(view, error);
        if (problem === undefined) throw error;
        return sendPage(view, 400, t('signup.title'), signupForm(view, email, [problem]));
      }
      if (requireVerification) return sendPage(view, 200, t('signup.checkMail.title'), notice(t('signup.checkMail.body', { email: email.trim() })));
      return sendPage(view, 200, t('signup.ready.title'), html`<p>${t('signup.ready.body', { email: email.trim() })}</p><p>${pageLink('login', t('signup.signIn'))}</p>`);
    },
  );
}

/** A refusal of the registration flow as a problem on the form, or undefined for anything else. */
function signupProblem(view: PageView, error: unknown): FormProblem | undefined {
  const { t } = view;
  if (error instanceof InvalidEmailError) return { field: 'email', message: t('error.emailInvalid') };
  if (error instanceof UserAlreadyExistsError) return { field: 'email', message: t('signup.taken') };
  if (error instanceof WeakPasswordError) return { field: 'password', message: weakPasswordMessage(view, error.message) };
  if (error instanceof PasswordTooCostlyError) return { field: 'password', message: t('error.passwordTooCostly') };
  return undefined;
}
