/**
 * Changing the password from the account (`/account/password`): the current password and a new one, through the
 * same password change as `PUT /password` (its policy, limits, events and notice), which ends every session of the
 * account; the fresh session it returns is set as the route sets it, so this browser stays signed in and every
 * other one is signed out.
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { PasswordTooCostlyError, WeakPasswordError } from '../../../modules/password/index.js';
import { setSessionCookie } from '../../../modules/sessions/index.js';
import { expiredForm } from '../answers.js';
import { errorSummary, field, passwordAdvice, submit, weakPasswordMessage, type FormProblem } from '../form-kit.js';
import { html } from '../html.js';
import { sendPage, viewOf, type PageView } from '../layout.js';
import type { AccountPagesDeps } from './deps.js';
import { accountSession, accountSessionCheck, signInFirst } from './guard.js';
import { backToAccount, currentPasswordField, emptyFields, PASSWORD_MAX_LENGTH, passwordBodySchema, refusedAs } from './password-guard.js';

/** The form's name, signed into its form token. */
export const PASSWORD_FORM = 'account-password';

/** Body of `POST /account/password`, named as `PUT /password` names its fields. */
interface PasswordBody {
  password?: string;
  new_password?: string;
  form_token?: string;
}

/** The form (status 200, or the refusal's): what the change does, the current password, the new one with the policy's advice. */
function passwordForm(view: PageView, status: number, problems: readonly FormProblem[] = []): FastifyReply {
  const { t, site } = view;
  return sendPage(
    view,
    status,
    t('account.password.title'),
    html`${errorSummary(view, problems)}<p>${t('account.password.intro')}</p><form method="post" action="password" novalidate>${site.forms.issue(
      view.request,
      view.reply,
      PASSWORD_FORM,
    )}${currentPasswordField(view, t('account.password.current'), problems)}${field(
      view,
      { name: 'new_password', label: t('form.newPassword'), type: 'password', autocomplete: 'new-password', hint: passwordAdvice(view), maxLength: PASSWORD_MAX_LENGTH },
      problems,
    )}${submit(t('account.password.submit'))}</form>${backToAccount(view)}`,
  );
}

/** The problem on the new password when the policy refuses it; undefined for any other error, which is not the form's. */
function policyProblem(view: PageView, error: unknown): FormProblem | undefined {
  if (error instanceof WeakPasswordError) return { field: 'new_password', message: weakPasswordMessage(view, error.message) };
  if (error instanceof PasswordTooCostlyError) return { field: 'new_password', message: view.t('error.passwordTooCostly') };
  return undefined;
}

/** Registers `GET` and `POST /account/password`, hidden from the API description. */
export function passwordPageRoutes(app: FastifyInstance, { sessions, cookie, site, change }: AccountPagesDeps): void {
  app.get('/account/password', { preHandler: accountSessionCheck(sessions, cookie.name), schema: { hide: true } }, async (request, reply) => {
    const session = accountSession(request);
    if (session === undefined) return signInFirst(request, reply);
    return passwordForm(viewOf(request, reply, site, session.user.language ?? undefined), 200);
  });

  app.post<{ Body: PasswordBody }>(
    '/account/password',
    {
      preHandler: accountSessionCheck(sessions, cookie.name),
      // The limit of PUT /password, counted on the same counters: a password guessed here is a guess there too.
      config: { rateLimit: { action: 'password-change', account: 'session', handBackOnSuccess: true } },
      schema: { hide: true, body: passwordBodySchema(['password', 'new_password']) },
    },
    async (request, reply) => {
      const session = accountSession(request);
      if (session === undefined) return signInFirst(request, reply);
      const view = viewOf(request, reply, site, session.user.language ?? undefined);
      const { t } = view;
      const { password = '', new_password: newPassword = '', form_token: formToken } = request.body;
      if (!site.forms.check(request, PASSWORD_FORM, formToken)) return expiredForm(view);
      const missing = emptyFields([
        { field: 'password', value: password, message: t('error.passwordMissing') },
        { field: 'new_password', value: newPassword, message: t('account.password.newMissing') },
      ]);
      if (missing.length > 0) return passwordForm(view, 400, missing);
      let newSessionId: string | null;
      try {
        newSessionId = await change.change(session, password, newPassword, requestContext(request));
      } catch (error) {
        const problem = policyProblem(view, error);
        if (problem === undefined) throw error;
        return passwordForm(view, 400, [problem]);
      }
      if (newSessionId === null) {
        refusedAs(reply, 'password.current_wrong');
        return passwordForm(view, 403, [{ field: 'password', message: t('account.password.wrongCurrent') }]);
      }
      // Every session of the account ended with the change, this one too: the fresh one keeps this browser signed in.
      setSessionCookie(reply, newSessionId, cookie);
      return sendPage(view, 200, t('account.password.done.title'), html`<p>${t('account.password.done.body')}</p>${backToAccount(view)}`);
    },
  );
}
