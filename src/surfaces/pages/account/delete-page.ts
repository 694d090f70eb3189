/**
 * Deleting the account from the account page (`/account/delete`): a confirmation step that says plainly what goes
 * and that it cannot be undone, the password again, then the same `accounts.deleteOwn` as `DELETE /profile` (its
 * limits, events and pseudonymised audit trail) and the session cookie cleared as the route clears it.
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { clearSessionCookie, type ValidSession } from '../../../modules/sessions/index.js';
import { expiredForm, pageLink } from '../answers.js';
import { alternatives, errorSummary, type FormProblem } from '../form-kit.js';
import { html } from '../html.js';
import { sendPage, viewOf, type PageView } from '../layout.js';
import type { AccountPagesDeps } from './deps.js';
import { accountSession, accountSessionCheck, signInFirst } from './guard.js';
import { backToAccount, currentPasswordField, emptyFields, passwordBodySchema, refusedAs } from './password-guard.js';

/** The form's name, signed into its form token. */
export const DELETE_FORM = 'account-delete';

/** Body of `POST /account/delete`. */
interface DeleteBody {
  password?: string;
  form_token?: string;
}

/**
 * The confirmation (status 200, or the refusal's): what deletion removes and keeps, that it is final, the export
 * offered first, then the password and the danger button.
 */
function deleteForm(view: PageView, session: ValidSession, status: number, problems: readonly FormProblem[] = []): FastifyReply {
  const { t, site } = view;
  return sendPage(
    view,
    status,
    t('account.delete.title'),
    html`${errorSummary(view, problems)}<p>${t('account.delete.intro', { email: session.user.email })}</p><p>${t('account.delete.kept')}</p><p><strong>${t(
      'account.delete.undone',
    )}</strong></p><p>${t('account.delete.exportFirst')} <a href="export" download>${t('account.security.export')}</a></p><form method="post" action="delete" novalidate>${site.forms.issue(
      view.request,
      view.reply,
      DELETE_FORM,
    )}<p>${t('account.delete.confirm')}</p>${currentPasswordField(view, t('account.delete.password'), problems)}<button type="submit" class="danger">${t(
      'account.delete.submit',
    )}</button></form>${backToAccount(view)}`,
  );
}

/** Registers `GET` and `POST /account/delete`, hidden from the API description. */
export function deletePageRoutes(app: FastifyInstance, { sessions, cookie, site, accounts }: AccountPagesDeps): void {
  app.get('/account/delete', { preHandler: accountSessionCheck(sessions, cookie.name), schema: { hide: true } }, async (request, reply) => {
    const session = accountSession(request);
    if (session === undefined) return signInFirst(request, reply);
    return deleteForm(viewOf(request, reply, site, session.user.language ?? undefined), session, 200);
  });

  app.post<{ Body: DeleteBody }>(
    '/account/delete',
    {
      preHandler: accountSessionCheck(sessions, cookie.name),
      // The limit of DELETE /profile, counted on the same counters: a password guessed here is a guess there too.
      config: { rateLimit: { action: 'account-delete', account: 'session', handBackOnSuccess: true } },
      schema: { hide: true, body: passwordBodySchema(['password']) },
    },
    async (request, reply) => {
      const session = accountSession(request);
      if (session === undefined) return signInFirst(request, reply);
      const view = viewOf(request, reply, site, session.user.language ?? undefined);
      const { t } = view;
      const { password = '', form_token: formToken } = request.body;
      if (!site.forms.check(request, DELETE_FORM, formToken)) return expiredForm(view);
      const missing = emptyFields([{ field: 'password', value: password, message: t('error.passwordMissing') }]);
      if (missing.length > 0) return deleteForm(view, session, 400, missing);
      if (!(await accounts.deleteOwn(session, password, requestContext(request)))) {
        refusedAs(reply, 'account.password_wrong');
        return deleteForm(view, session, 403, [{ field: 'password', message: t('account.delete.wrongPassword') }]);
      }
      // The session went with the account: a dead cookie is of no use to the browser.
      clearSessionCookie(reply, cookie);
      return sendPage(
        view,
        200,
        t('account.delete.done.title'),
        html`<p>${t('account.delete.done.body')}</p>${alternatives(pageLink('signup', t('account.delete.signUp')))}${alternatives(pageLink('login', t('account.delete.signIn')))}`,
      );
    },
  );
}
