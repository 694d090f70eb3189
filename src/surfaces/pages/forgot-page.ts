/**
 * The forgot-password page (`/account/forgot`): asks for the address, then says the same thing for every address,
 * known or not, and mails the link whatever `RESET_TOKEN_DELIVERY` says (in development, as an `.eml` file). It
 * never shows a token: anyone can type anyone's address here. Same flow, limit and events as `POST /reset_password`,
 * whose equal work for known and unknown addresses keeps the answer from telling them apart.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../kernel/http/event-context.js';
import type { PasswordReset } from '../../modules/password/index.js';
import { InvalidEmailError, isAcceptedEmail } from '../../modules/users/index.js';
import { expiredForm, pageLink } from './answers.js';
import { FORM_TOKEN_FIELD } from './form-token.js';
import { alternatives, errorSummary, field, submit, type FormProblem } from './form-kit.js';
import { html } from './html.js';
import { notice, sendPage, viewOf, type PageSite, type PageView } from './layout.js';

/** What the page needs. */
export interface ForgotPageDeps {
  readonly reset: PasswordReset;
  readonly site: PageSite;
}

/** The form's name, signed into its form token. */
export const FORGOT_FORM = 'forgot';

/** The address form. */
function forgotForm(view: PageView, email: string, problems: readonly FormProblem[] = []) {
  const { t, site } = view;
  return html`${errorSummary(view, problems)}<p>${t('forgot.intro')}</p><form method="post" action="forgot" novalidate>${site.forms.issue(view.request, view.reply, FORGOT_FORM)}${field(
    view,
    { name: 'email', label: t('form.email'), type: 'email', autocomplete: 'email', value: email, maxLength: 320 },
    problems,
  )}${submit(t('forgot.submit'))}</form>${alternatives(pageLink('login', t('forgot.backToSignIn')))}`;
}

/** Registers `GET` and `POST /account/forgot`; both are left out of the API description. */
export function forgotPageRoutes(app: FastifyInstance, { reset, site }: ForgotPageDeps): void {
  app.get('/account/forgot', { schema: { hide: true } }, async (request, reply) => {
    const view = viewOf(request, reply, site);
    if (!reset.canMail) return sendPage(view, 200, view.t('forgot.title'), html`<p>${view.t('forgot.noMail')}</p>`);
    return sendPage(view, 200, view.t('forgot.title'), forgotForm(view, ''));
  });

  app.post<{ Body: { email?: string; form_token?: string } }>(
    '/account/forgot',
    {
      // The limit of POST /reset_password, on the same counters.
      config: { rateLimit: { action: 'reset-request', account: 'body' } },
      schema: {
        hide: true,
        body: {
          type: 'object',
          properties: { email: { type: 'string', maxLength: 320 }, [FORM_TOKEN_FIELD]: { type: 'string', maxLength: 100 } },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const view = viewOf(request, reply, site);
      const { t } = view;
      const { email = '', form_token: formToken } = request.body;
      if (!site.forms.check(request, FORGOT_FORM, formToken)) return expiredForm(view);
      if (!reset.canMail) return sendPage(view, 503, t('forgot.title'), html`<p>${t('forgot.noMail')}</p>`);
      if (email.trim() === '') return sendPage(view, 400, t('forgot.title'), forgotForm(view, email, [{ field: 'email', message: t('error.emailMissing') }]));
      if (!isAcceptedEmail(email.trim())) return sendPage(view, 400, t('forgot.title'), forgotForm(view, email, [{ field: 'email', message: t('error.emailInvalid') }]));
      try {
        await reset.request(email.trim(), requestContext(request), { byMail: true });
      } catch (error) {
        if (error instanceof InvalidEmailError) return sendPage(view, 400, t('forgot.title'), forgotForm(view, email, [{ field: 'email', message: t('error.emailInvalid') }]));
        throw error;
      }
      const minutes = Math.round(reset.config.tokenTtlMs / 60_000);
      return sendPage(view, 200, t('forgot.sent.title'), html`${notice(t('forgot.sent.body', { email: email.trim(), minutes }))}${alternatives(pageLink('login', t('forgot.backToSignIn')))}`);
    },
  );
}
