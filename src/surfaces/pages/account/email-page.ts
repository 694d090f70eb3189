/**
 * Changing the account's address (`/account/email`): the current address, then the new one and the current
 * password, through the same service, limit, events and mail as `PUT /email`. The refusals come back as the form
 * with the problem beside its field (an unusable, taken or unchanged address on the new address, a wrong password
 * on the password); too many changes is the 429 page. On success the account keeps its address until the link
 * mailed to the new one is opened on the verification page (verify-page.ts), which completes the move.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { EmailError } from '../../../modules/email/index.js';
import type { ValidSession } from '../../../modules/sessions/index.js';
import { InvalidEmailError, normaliseEmail, UserAlreadyExistsError } from '../../../modules/users/index.js';
import { expiredForm, pageLink } from '../answers.js';
import { FORM_TOKEN_FIELD } from '../form-token.js';
import { errorSummary, field, submit, type FormProblem } from '../form-kit.js';
import { html, type SafeHtml } from '../html.js';
import { notice, sendPage, viewOf, type PageView } from '../layout.js';
import type { AccountPagesDeps } from './deps.js';
import { accountSession, accountSessionCheck, signInFirst } from './guard.js';

/** The form's name, signed into its form token. */
export const EMAIL_FORM = 'account-email';

/** Body of `POST /account/email`. */
interface EmailBody {
  new_email?: string;
  password?: string;
  form_token?: string;
}

/** The change form under the current address, with the new address kept (never the password) and the problems shown. */
function emailForm(view: PageView, session: ValidSession, newEmail: string, problems: readonly FormProblem[] = []): SafeHtml {
  const { t, site } = view;
  return html`${errorSummary(view, problems)}<p>${t('account.email.current', { email: session.user.email })}</p><p>${t('account.email.intro')}</p><form method="post" action="email" novalidate>${site.forms.issue(
    view.request,
    view.reply,
    EMAIL_FORM,
  )}${field(view, { name: 'new_email', label: t('account.email.new'), type: 'email', autocomplete: 'email', value: newEmail, maxLength: 320 }, problems)}${field(
    view,
    { name: 'password', label: t('account.email.password'), type: 'password', autocomplete: 'current-password', hint: t('account.email.passwordHint'), maxLength: 1024 },
    problems,
  )}${submit(t('account.email.submit'))}</form><p>${pageLink('./', t('account.back'))}</p>`;
}

/** The problem a refusal of the service is on the form, with its status; undefined for one the page does not own. */
function problemOf(view: PageView, error: unknown): { status: number; problem: FormProblem } | undefined {
  const { t } = view;
  if (error instanceof EmailError && error.code === 'email.password_wrong') return { status: 403, problem: { field: 'password', message: t('account.email.passwordWrong') } };
  if (error instanceof EmailError && error.code === 'email.unchanged') return { status: 400, problem: { field: 'new_email', message: t('account.email.unchanged') } };
  if (error instanceof InvalidEmailError) return { status: 400, problem: { field: 'new_email', message: t('error.emailInvalid') } };
  if (error instanceof UserAlreadyExistsError) return { status: 400, problem: { field: 'new_email', message: t('account.email.taken') } };
  return undefined;
}

/** Registers `GET` and `POST /account/email`, hidden from the API description. */
export function emailPageRoutes(app: FastifyInstance, { site, sessions, cookie, email }: AccountPagesDeps): void {
  app.get('/account/email', { preHandler: accountSessionCheck(sessions, cookie.name), schema: { hide: true } }, async (request, reply) => {
    const session = accountSession(request);
    if (session === undefined) return signInFirst(request, reply);
    const view = viewOf(request, reply, site, session.user.language ?? undefined);
    return sendPage(view, 200, view.t('account.email.title'), emailForm(view, session, ''));
  });

  app.post<{ Body: EmailBody }>(
    '/account/email',
    {
      preHandler: accountSessionCheck(sessions, cookie.name),
      // The limit of PUT /email, counted on the same counters: a password guessed here is a guess there too.
      config: { rateLimit: { action: 'email-change', account: 'session', handBackOnSuccess: true } },
      schema: {
        hide: true,
        body: {
          type: 'object',
          properties: {
            new_email: { type: 'string', maxLength: 320 },
            password: { type: 'string', maxLength: 1024 },
            [FORM_TOKEN_FIELD]: { type: 'string', maxLength: 100 },
          },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const session = accountSession(request);
      if (session === undefined) return signInFirst(request, reply);
      const view = viewOf(request, reply, site, session.user.language ?? undefined);
      const { t } = view;
      const { new_email: newEmail = '', password = '', form_token: formToken } = request.body;
      if (!site.forms.check(request, EMAIL_FORM, formToken)) return expiredForm(view);
      const missing: FormProblem[] = [];
      if (newEmail.trim() === '') missing.push({ field: 'new_email', message: t('account.email.newMissing') });
      if (password === '') missing.push({ field: 'password', message: t('error.passwordMissing') });
      if (missing.length > 0) return sendPage(view, 400, t('account.email.title'), emailForm(view, session, newEmail, missing));
      try {
        await email.requestChange(session, password, newEmail, requestContext(request));
      } catch (error) {
        const refused = problemOf(view, error);
        // Anything else (too many changes: 429 with its wait) is the pages' refusal page (page-errors.ts).
        if (refused === undefined) throw error;
        return sendPage(view, refused.status, t('account.email.title'), emailForm(view, session, newEmail, [refused.problem]));
      }
      // The confirmation went to the address as the service normalised it: the page names that one.
      const wanted = normaliseEmail(newEmail);
      return sendPage(
        view,
        200,
        t('account.email.sent.title'),
        html`${notice(t('account.email.sent.body', { new: wanted, old: session.user.email }))}<p>${t('account.email.sent.notice', { old: session.user.email })}</p><p>${pageLink(
          './',
          t('account.back'),
        )}</p>`,
      );
    },
  );
}
