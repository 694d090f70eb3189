/**
 * The sign-up page (`/account/signup`): the same registration flow, password policy, limits and events as
 * `POST /users`, with the policy's advice beside the password field. With verification required the answer is
 * "check your mail" whether or not the address already had an account (the registration flow does the same work
 * either way and mails the owner instead); the development profile keeps the seed's "already registered".
 *
 * Who may sign up (`REGISTRATION`): a closed or invitation-only sign-up shows a notice saying so instead of the form;
 * an invitation's link (`?invitation=<token>`) opens the form with its address fixed. With the challenge on
 * (`REGISTRATION_CHALLENGE=pages` or `all`) the form carries a proof-of-work challenge that the page's one script
 * solves in the browser; without JavaScript the form says the check needs it, and a submit without an answer is
 * refused with that problem, nothing else done.
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requestContext } from '../../kernel/http/event-context.js';
import { PasswordTooCostlyError, WeakPasswordError, type Registration } from '../../modules/password/index.js';
import { SignupRefusedError, type Signup } from '../../modules/signup/index.js';
import { InvalidEmailError, UserAlreadyExistsError } from '../../modules/users/index.js';
import { expiredForm, pageLink } from './answers.js';
import { FORM_TOKEN_FIELD } from './form-token.js';
import { alternatives, errorSummary, field, hidden, missingCredentials, passwordAdvice, submit, weakPasswordMessage, type FormProblem } from './form-kit.js';
import { html, type SafeHtml } from './html.js';
import { notice, sendPage, TOKEN_SHAPE, viewOf, type PageSite, type PageView } from './layout.js';

/** What the page needs. */
export interface SignupPageDeps {
  readonly registration: Registration;
  /** Who may sign up, invitations and the challenge. */
  readonly signup: Signup;
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
  /** The invitation's token, carried from the link by a hidden field. */
  invitation?: string;
  /** The challenge's answer, filled in by the page's script. */
  altcha?: string;
}

/** An invitation the form was opened with: its token and the address it fixes. */
interface FormInvitation {
  readonly token: string;
  readonly email: string;
}

/** Renders and answers the sign-up page for one request. */
class SignupPage {
  readonly #deps: SignupPageDeps;

  /** Takes the page's dependencies. */
  constructor(deps: SignupPageDeps) {
    this.#deps = deps;
  }

  /** The form: the address fixed by an invitation, or typed; the challenge when one is asked for. */
  async form(view: PageView, status: number, email: string, invitation: FormInvitation | undefined, problems: readonly FormProblem[] = []): Promise<FastifyReply> {
    const { t, site } = view;
    const { signup } = this.#deps;
    // An invitation admits without a puzzle (no bot holds one), so its form needs no script.
    const challenge = invitation === undefined && signup.challengeRequired('pages') ? await signup.issueChallenge() : undefined;
    const address: SafeHtml =
      invitation === undefined
        ? field(view, { name: 'email', label: t('form.email'), type: 'email', autocomplete: 'email', value: email, maxLength: 320 }, problems)
        : html`<p>${t('signup.invitedAs', { email: invitation.email })}</p>${hidden('email', invitation.email)}${hidden('invitation', invitation.token)}`;
    const puzzle = challenge === undefined ? '' : html`${hidden('altcha', '')}<noscript>${notice(t('signup.challenge.noscript'))}</noscript>`;
    const body = html`${errorSummary(view, problems)}<form method="post" action="signup" novalidate${
      challenge === undefined ? '' : html` data-challenge="${JSON.stringify(challenge)}"`
    }>${site.forms.issue(view.request, view.reply, SIGNUP_FORM)}${address}${field(
      view,
      { name: 'password', label: t('form.password'), type: 'password', autocomplete: 'new-password', hint: passwordAdvice(view), maxLength: 1024 },
      problems,
    )}${puzzle}${submit(t('signup.submit'))}</form>${alternatives(html`${t('signup.haveAccount')} `, pageLink('login', t('signup.signIn')))}`;
    return sendPage(view, status, t('signup.title'), body, challenge === undefined ? {} : { script: site.assets.signupScriptSrc });
  }

  /** The notice shown instead of the form when sign-up is closed or by invitation only. */
  unavailable(view: PageView, status: number, why: 'closed' | 'inviteOnly' | 'invitationInvalid'): FastifyReply {
    const { t } = view;
    return sendPage(view, status, t(`signup.${why}.title`), html`<p>${t(`signup.${why}.body`)}</p>${alternatives(pageLink('login', t('signup.signIn')))}`);
  }
}

/** Registers `GET` and `POST /account/signup`; both are left out of the API description. */
export function signupPageRoutes(app: FastifyInstance, deps: SignupPageDeps): void {
  const { registration, signup, requireVerification, site } = deps;
  const page = new SignupPage(deps);

  app.get<{ Querystring: { invitation?: string } }>(
    '/account/signup',
    { schema: { hide: true, querystring: { type: 'object', properties: { invitation: { type: 'string', maxLength: 200 } } } } },
    async (request, reply) => {
      const view = viewOf(request, reply, site);
      const token = request.query.invitation;
      if (token !== undefined) {
        const live = TOKEN_SHAPE.test(token) ? await signup.invitation(token) : undefined;
        if (live === undefined) return page.unavailable(view, 403, 'invitationInvalid');
        return page.form(view, 200, live.email, { token, email: live.email });
      }
      if (signup.config.mode === 'closed') return page.unavailable(view, 200, 'closed');
      if (signup.config.mode === 'invite') return page.unavailable(view, 200, 'inviteOnly');
      return page.form(view, 200, '', undefined);
    },
  );

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
            invitation: { type: 'string', maxLength: 200 },
            altcha: { type: 'string', maxLength: 2000 },
          },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const view = viewOf(request, reply, site);
      const { t } = view;
      const { email = '', password = '', form_token: formToken, invitation: token, altcha } = request.body;
      if (!site.forms.check(request, SIGNUP_FORM, formToken)) return expiredForm(view);
      const invitation = token === undefined || token === '' ? undefined : { token, email };
      const missing = missingCredentials(view, email, password);
      if (missing.length > 0) return page.form(view, 400, email, invitation, missing);
      try {
        // The page's language is the account's first language: its mail is written in it.
        await registration.signUp(email, password, requestContext(request), { language: view.language }, { surface: 'pages', invitation: token, challenge: altcha });
      } catch (error) {
        if (error instanceof SignupRefusedError) {
          switch (error.code) {
            case 'signup.closed':
              return page.unavailable(view, 403, 'closed');
            case 'signup.invitation_required':
              return page.unavailable(view, 403, 'inviteOnly');
            case 'signup.invitation_invalid':
              return page.unavailable(view, 403, 'invitationInvalid');
            case 'signup.domain_not_allowed':
              return page.form(view, 403, email, invitation, [{ field: 'email', message: t('signup.domainRefused') }]);
            case 'signup.challenge_required':
            case 'signup.challenge_invalid':
              return page.form(view, 403, email, invitation, [{ message: t('signup.challenge.failed') }]);
          }
        }
        const problem = signupProblem(view, error);
        if (problem === undefined) throw error;
        return page.form(view, 400, email, invitation, [problem]);
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
