/**
 * The page a mailed reset link opens (`/account/reset?token=...`): a server-rendered form, no JavaScript and no
 * outside resource, under the pages' own content security policy. Opening the link spends nothing (mail scanners
 * open every link they see); only the form's POST does, with the page's form token, through the same reset flow,
 * limits and cross-site guard as `PUT /reset_password`.
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requestContext } from '../../kernel/http/event-context.js';
import { InvalidResetTokenError, PasswordTooCostlyError, WeakPasswordError, type PasswordReset } from '../../modules/password/index.js';
import { provedAccount } from '../../modules/rate-limits/index.js';
import { expiredForm, pageLink } from './answers.js';
import { FORM_TOKEN_FIELD } from './form-token.js';
import { errorSummary, field, hidden, missingCredentials, passwordAdvice, submit, weakPasswordMessage, type FormProblem } from './form-kit.js';
import { html } from './html.js';
import { sendPage, TOKEN_SHAPE, viewOf, type PageSite, type PageView } from './layout.js';

/** What the page needs: the reset flow and the pages' site. */
export interface ResetPageDeps {
  readonly reset: PasswordReset;
  readonly site: PageSite;
}

/** The form's name, signed into its form token. */
export const RESET_FORM = 'reset';

/** The answer to a token that cannot be Sesame's. */
function invalidLink(view: PageView): FastifyReply {
  const { t } = view;
  return sendPage(view, 400, t('reset.invalid.title'), html`<p>${t('reset.invalid.body')}</p><p>${pageLink('forgot', t('reset.askAgain'))}</p>`);
}

/** The form for a token (already checked for shape), with a fresh or renewed form token. */
function resetForm(view: PageView, token: string, email: string, problems: readonly FormProblem[] = []) {
  const { t, site } = view;
  return html`${errorSummary(view, problems)}<form method="post" action="reset" novalidate>${hidden('token', token)}${site.forms.issue(view.request, view.reply, RESET_FORM)}${field(
    view,
    { name: 'email', label: t('reset.email'), type: 'email', autocomplete: 'username', value: email, maxLength: 320 },
    problems,
  )}${field(
    view,
    { name: 'new_password', label: t('form.newPassword'), type: 'password', autocomplete: 'new-password', hint: passwordAdvice(view), maxLength: 1024 },
    problems,
  )}${submit(t('reset.submit'))}</form>`;
}

/** Registers `GET /account/reset` and `POST /account/reset`; both are left out of the API description. */
export function resetPageRoutes(app: FastifyInstance, { reset, site }: ResetPageDeps): void {
  app.get<{ Querystring: { token?: string } }>(
    '/account/reset',
    { schema: { hide: true, querystring: { type: 'object', properties: { token: { type: 'string', maxLength: 200 } } } } },
    async (request, reply) => {
      const view = viewOf(request, reply, site);
      const token = request.query.token ?? '';
      if (!TOKEN_SHAPE.test(token)) return invalidLink(view);
      return sendPage(view, 200, view.t('reset.title'), resetForm(view, token, ''));
    },
  );

  app.post<{ Body: { token: string; email?: string; new_password?: string; form_token?: string } }>(
    '/account/reset',
    {
      config: { rateLimit: { action: 'reset-update', account: 'body', handBackOnSuccess: true } },
      schema: {
        hide: true,
        body: {
          type: 'object',
          properties: {
            token: { type: 'string', maxLength: 200 },
            email: { type: 'string', maxLength: 320 },
            new_password: { type: 'string', maxLength: 1024 },
            // Optional here so that a missing one gets the page that says what to do, not a JSON validation error.
            [FORM_TOKEN_FIELD]: { type: 'string', maxLength: 100 },
          },
          required: ['token'],
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const view = viewOf(request, reply, site);
      const { t } = view;
      const { token, email = '', new_password: password = '', form_token: formToken } = request.body;
      if (!site.forms.check(request, RESET_FORM, formToken)) return expiredForm(view);
      if (!TOKEN_SHAPE.test(token)) return invalidLink(view);
      const missing = missingCredentials(view, email, password, 'new_password');
      if (missing.length > 0) return sendPage(view, 400, t('reset.title'), resetForm(view, token, email, missing));
      try {
        provedAccount(request, (await reset.reset(token, password, email, requestContext(request))).email);
      } catch (error) {
        if (error instanceof InvalidResetTokenError) {
          return sendPage(view, 403, t('reset.used.title'), html`<p>${t('reset.used.body')}</p><p>${pageLink('forgot', t('reset.askAgain'))}</p>`);
        }
        if (error instanceof WeakPasswordError) {
          return sendPage(view, 400, t('reset.title'), resetForm(view, token, email, [{ field: 'new_password', message: weakPasswordMessage(view, error.message) }]));
        }
        if (error instanceof PasswordTooCostlyError) {
          return sendPage(view, 400, t('reset.title'), resetForm(view, token, email, [{ field: 'new_password', message: t('error.passwordTooCostly') }]));
        }
        throw error;
      }
      return sendPage(view, 200, t('reset.done.title'), html`<p>${t('reset.done.body')}</p><p>${pageLink('login', t('login.submit'))}</p>`);
    },
  );
}
