/**
 * The page a mailed verification link opens (`/account/verify?token=...`, for a new account's address or for the new
 * address of a change): one "Confirm this email address" button, because opening the link must spend nothing (mail
 * scanners open every link they see). Without a token the page asks for the address and the code printed in the
 * message. Only the POST spends the proof, with the page's form token, through the email service, under the same
 * limit and cross-site guard as `POST /email/verify`.
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requestContext } from '../../kernel/http/event-context.js';
import { EmailError, type EmailAddresses, type Proof } from '../../modules/email/index.js';
import { provedAccount } from '../../modules/rate-limits/index.js';
import { UserAlreadyExistsError } from '../../modules/users/index.js';
import { expiredForm, pageLink } from './answers.js';
import { FORM_TOKEN_FIELD } from './form-token.js';
import { errorSummary, field, hidden, submit, type FormProblem } from './form-kit.js';
import { html } from './html.js';
import { sendPage, TOKEN_SHAPE, viewOf, type PageSite, type PageView } from './layout.js';

/** What the page needs: the email service and the pages' site. */
export interface VerifyPageDeps {
  readonly email: EmailAddresses;
  readonly site: PageSite;
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
function buttonForm(view: PageView, token: string) {
  const { t, site } = view;
  return html`<p>${t('verify.button.intro')}</p><form method="post" action="verify">${hidden('token', token)}${site.forms.issue(view.request, view.reply, VERIFY_FORM)}${submit(
    t('verify.submit'),
  )}</form>`;
}

/** The form for the address and the code typed from the message. */
function codeForm(view: PageView, email = '', problems: readonly FormProblem[] = []) {
  const { t, site } = view;
  return html`${errorSummary(view, problems)}<p>${t('verify.code.intro')}</p><form method="post" action="verify" novalidate>${site.forms.issue(view.request, view.reply, VERIFY_FORM)}${field(
    view,
    { name: 'email', label: t('form.email'), type: 'email', autocomplete: 'email', value: email, maxLength: 320 },
    problems,
  )}${field(view, { name: 'code', label: t('verify.code'), type: 'text', autocomplete: 'one-time-code', inputMode: 'numeric', hint: '1234-5678', maxLength: 20 }, problems)}${submit(
    t('verify.submit'),
  )}</form>`;
}

/** The answer to a link that cannot be Sesame's. */
function invalidLink(view: PageView): FastifyReply {
  const { t } = view;
  return sendPage(view, 400, t('verify.invalid.title'), html`<p>${t('verify.invalid.body')}</p><p>${pageLink('verify', t('verify.enterCode'))}</p>`);
}

/** Registers `GET /account/verify` (the button, or the code form) and `POST /account/verify`; left out of the API description. */
export function verifyPageRoutes(app: FastifyInstance, { email: addresses, site }: VerifyPageDeps): void {
  app.get<{ Querystring: { token?: string } }>(
    '/account/verify',
    { schema: { hide: true, querystring: { type: 'object', properties: { token: { type: 'string', maxLength: 200 } } } } },
    async (request, reply) => {
      const view = viewOf(request, reply, site);
      const token = request.query.token;
      if (token === undefined || token === '') return sendPage(view, 200, view.t('verify.title'), codeForm(view));
      if (!TOKEN_SHAPE.test(token)) return invalidLink(view);
      return sendPage(view, 200, view.t('verify.title'), buttonForm(view, token));
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
      const view = viewOf(request, reply, site);
      const { t } = view;
      const { token, email = '', code = '', form_token: formToken } = request.body;
      if (!site.forms.check(request, VERIFY_FORM, formToken)) return expiredForm(view);
      const byLink = token !== undefined && token !== '';
      if (byLink && !TOKEN_SHAPE.test(token)) return invalidLink(view);
      if (!byLink && (email.trim() === '' || code.trim() === '')) {
        const missing: FormProblem[] = [];
        if (email.trim() === '') missing.push({ field: 'email', message: t('error.emailMissing') });
        if (code.trim() === '') missing.push({ field: 'code', message: t('verify.missing') });
        return sendPage(view, 400, t('verify.title'), codeForm(view, email, missing));
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
          if (!byLink) return sendPage(view, 403, t('verify.title'), codeForm(view, email, [{ field: 'code', message: t('verify.codeInvalid') }]));
          return sendPage(view, 403, t('verify.used.title'), html`<p>${t('verify.used.body')}</p>`);
        }
        if (error instanceof UserAlreadyExistsError) return sendPage(view, 400, t('verify.taken.title'), html`<p>${t('verify.taken.body')}</p>`);
        throw error;
      }
      if (outcome === 'verified') {
        return sendPage(view, 200, t('verify.done.title'), html`<p>${t('verify.done.body', { email: address })}</p><p>${pageLink('login', t('login.submit'))}</p>`);
      }
      return sendPage(view, 200, t('verify.changed.title'), html`<p>${t('verify.changed.body', { email: address })}</p><p>${pageLink('login', t('login.submit'))}</p>`);
    },
  );
}
