/**
 * Signing sessions out from the account page (`/account/sessions?session=<handle|others>`): a confirmation that
 * names what will end (the device, its IP address and when it was last active) and asks for the password again, as
 * `POST /sessions/end` does (OWASP ASVS V7.5.2), then the same `sessions.revoke` with the same limits, counted on the
 * same counters. The current session is not ended here: its way out is the sign-out page.
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { clearSessionCookie, type SessionSummary, type ValidSession } from '../../../modules/sessions/index.js';
import { expiredForm } from '../answers.js';
import { errorSummary, hidden, submit, type FormProblem } from '../form-kit.js';
import { html, type SafeHtml } from '../html.js';
import { sendPage, viewOf, type PageView } from '../layout.js';
import type { AccountPagesDeps } from './deps.js';
import { pageTime } from './format.js';
import { accountSession, accountSessionCheck, signInFirst } from './guard.js';
import { backToAccount, currentPasswordField, emptyFields, passwordBodySchema, refusedAs } from './password-guard.js';

/** The form's name, signed into its form token. */
export const SESSIONS_END_FORM = 'account-sessions-end';

/** The target that names every session but this one, as `POST /sessions/end` takes it. */
const OTHERS = 'others';

/** Body of `POST /account/sessions`. */
interface SessionsEndBody {
  session?: string;
  password?: string;
  form_token?: string;
}

/** What a target names among the account's live sessions. */
type Chosen =
  /** One other session, by its handle. */
  | { readonly kind: 'one'; readonly ending: SessionSummary }
  /** Every session but this one (possibly none). */
  | { readonly kind: 'others'; readonly ending: readonly SessionSummary[] }
  /** This very session: signing out is the sign-out page's work. */
  | { readonly kind: 'current' }
  /** Nothing of this account: never a session, another account's, or ended since. */
  | { readonly kind: 'unknown' };

/** Reads a target (`others` or a handle from the account page) against the account's live sessions. */
function choose(target: string, listed: readonly SessionSummary[]): Chosen {
  if (target === OTHERS) return { kind: 'others', ending: listed.filter((session) => !session.current) };
  const found = listed.find((session) => session.handle === target);
  if (found === undefined) return { kind: 'unknown' };
  return found.current ? { kind: 'current' } : { kind: 'one', ending: found };
}

/** One session as the confirmation names it: browser, IP address and last activity, as the account page shows them. */
function sessionItem(view: PageView, session: SessionSummary): SafeHtml {
  const { t } = view;
  return html`<li class="session"><p class="device">${session.userAgent ?? t('account.sessions.unknownDevice')}</p><dl><dt>${t('account.sessions.ip')}</dt><dd>${
    session.ip ?? t('account.sessions.unknownIp')
  }</dd><dt>${t('account.sessions.lastSeen')}</dt><dd>${pageTime(view, session.lastSeenAt)}</dd></dl></li>`;
}

/** The confirmation's title. */
function titleOf(view: PageView, chosen: Chosen & { readonly kind: 'one' | 'others' }): string {
  return view.t(chosen.kind === 'one' ? 'account.sessionsEnd.titleOne' : 'account.sessionsEnd.titleOthers');
}

/** The confirmation page (status 200, or the refusal's): what will end, and the password form; with no other session, just that. */
function confirmation(view: PageView, status: number, target: string, chosen: Chosen & { readonly kind: 'one' | 'others' }, problems: readonly FormProblem[] = []): FastifyReply {
  const { t, site } = view;
  const ending = chosen.kind === 'one' ? [chosen.ending] : chosen.ending;
  if (ending.length === 0) return sendPage(view, status, titleOf(view, chosen), html`<p>${t('account.sessionsEnd.noOthers')}</p>${backToAccount(view)}`);
  const one = chosen.kind === 'one';
  return sendPage(
    view,
    status,
    titleOf(view, chosen),
    html`${errorSummary(view, problems)}<p>${t(one ? 'account.sessionsEnd.introOne' : 'account.sessionsEnd.introOthers')}</p><ul class="sessions">${ending.map((session) =>
      sessionItem(view, session),
    )}</ul><form method="post" action="sessions" novalidate>${site.forms.issue(view.request, view.reply, SESSIONS_END_FORM)}${hidden('session', target)}${currentPasswordField(
      view,
      t('account.sessionsEnd.password'),
      problems,
    )}${submit(t(one ? 'account.sessionsEnd.submitOne' : 'account.sessionsEnd.submitOthers'))}</form>${backToAccount(view)}`,
  );
}

/** The answer to a handle that names none of the account's live sessions: 404, nothing done, the way back. */
function unknownSession(view: PageView): FastifyReply {
  const { t } = view;
  return sendPage(view, 404, t('account.sessionsEnd.unknown.title'), html`<p>${t('account.sessionsEnd.unknown.body')}</p>${backToAccount(view)}`);
}

/** The outcome: how many sessions were signed out, and the way back. */
function ended(view: PageView, count: number): FastifyReply {
  const { t } = view;
  const said = count === 0 ? t('account.sessionsEnd.done.none') : count === 1 ? t('account.sessionsEnd.done.one') : t('account.sessionsEnd.done.many', { count });
  return sendPage(view, 200, t('account.sessionsEnd.done.title'), html`<p>${said}</p>${backToAccount(view)}`);
}

/** Registers `GET` and `POST /account/sessions`, hidden from the API description. */
export function sessionsPageRoutes(app: FastifyInstance, { sessions, cookie, site }: AccountPagesDeps): void {
  /** What `target` names among the account's sessions as they are now. */
  const chosenFor = async (session: ValidSession, target: string): Promise<Chosen> => choose(target, await sessions.list(session));

  app.get<{ Querystring: { session?: string } }>(
    '/account/sessions',
    {
      preHandler: accountSessionCheck(sessions, cookie.name),
      schema: { hide: true, querystring: { type: 'object', properties: { session: { type: 'string', maxLength: 40 } } } },
    },
    async (request, reply) => {
      const session = accountSession(request);
      if (session === undefined) return signInFirst(request, reply);
      const view = viewOf(request, reply, site, session.user.language ?? undefined);
      const target = request.query.session ?? '';
      const chosen = await chosenFor(session, target);
      if (chosen.kind === 'unknown') return unknownSession(view);
      if (chosen.kind === 'current') return reply.redirect('logout', 303);
      return confirmation(view, 200, target, chosen);
    },
  );

  app.post<{ Body: SessionsEndBody }>(
    '/account/sessions',
    {
      preHandler: accountSessionCheck(sessions, cookie.name),
      // The limit of POST /sessions/end, counted on the same counters: a password guessed here is a guess there too.
      config: { rateLimit: { action: 'session-end', account: 'session', handBackOnSuccess: true } },
      schema: { hide: true, body: passwordBodySchema(['password'], { session: { type: 'string', maxLength: 40 } }) },
    },
    async (request, reply) => {
      const session = accountSession(request);
      if (session === undefined) return signInFirst(request, reply);
      const view = viewOf(request, reply, site, session.user.language ?? undefined);
      const { t } = view;
      const { session: target = '', password = '', form_token: formToken } = request.body;
      if (!site.forms.check(request, SESSIONS_END_FORM, formToken)) return expiredForm(view);
      const chosen = await chosenFor(session, target);
      if (chosen.kind === 'unknown') return unknownSession(view);
      // A 303 after the POST: the browser opens the sign-out page by GET, which ends nothing until its own button.
      if (chosen.kind === 'current') return reply.redirect('logout', 303);
      const missing = emptyFields([{ field: 'password', value: password, message: t('error.passwordMissing') }]);
      if (missing.length > 0) return confirmation(view, 400, target, chosen, missing);
      const outcome = await sessions.revoke(session, password, target, requestContext(request));
      if (outcome.outcome === 'wrong-password') {
        refusedAs(reply, 'session.wrong_password');
        return confirmation(view, 403, target, chosen, [{ field: 'password', message: t('account.sessionsEnd.wrongPassword') }]);
      }
      // The session ended between the list and the revocation (signed out meanwhile): no longer among the account's.
      if (chosen.kind === 'one' && outcome.ended === 0) return unknownSession(view);
      // Never this one (the choice above excludes it), but should it be, the cookie goes as the API's route clears it.
      if (outcome.currentEnded) clearSessionCookie(reply, cookie);
      return ended(view, outcome.ended);
    },
  );
}
