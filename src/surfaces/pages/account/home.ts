/**
 * The account page (`/account/`): who is signed in, the address and whether it is confirmed (with a button that
 * sends the confirmation again), the language, every device signed in (browser and IP address as `GET /sessions`
 * gives them, no geolocation, this one marked), and the links to the pages that act on the account. It reads the
 * same session service as the API; every change it offers is a form posted to one of the other account pages.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { LANGUAGES } from '../../../modules/mail/index.js';
import type { SessionSummary, ValidSession } from '../../../modules/sessions/index.js';
import { pageLink } from '../answers.js';
import { html, type SafeHtml } from '../html.js';
import { notice, sendPage, viewOf, type PageView } from '../layout.js';
import type { AccountPagesDeps } from './deps.js';
import { pageTime } from './format.js';
import { LANGUAGE_FORM, RESEND_FORM } from './forms.js';
import { accountSession, accountSessionCheck, signInFirst } from './guard.js';

/** Each language's name in itself, as the language form offers it. */
const LANGUAGE_NAMES: Readonly<Record<string, string>> = { en: 'English', fr: 'Français' };

/** Notices the account page shows after another page sent the browser back here (`?done=`); anything else shows none. */
const NOTICES = new Set(['language', 'resend']);

/** The address, its state, the resend button while it is unconfirmed, and the link to change it. */
function addressSection(view: PageView, session: ValidSession): SafeHtml {
  const { t, site } = view;
  const verified = session.user.email_verified_at !== null;
  const resend = verified
    ? ''
    : html`<form method="post" action="resend">${site.forms.issue(view.request, view.reply, RESEND_FORM)}<button type="submit" class="secondary">${t('account.address.resend')}</button></form>`;
  return html`<section aria-labelledby="address-title"><h2 id="address-title">${t('account.address.title')}</h2><p class="address"><span>${session.user.email}</span> <span class="tag${
    verified ? '' : ' warn'
  }">${verified ? t('account.address.verified') : t('account.address.unverified')}</span></p>${resend}<p>${pageLink('email', t('account.address.change'))}</p></section>`;
}

/** The language form: the account's language, which its messages and (unless the switch chose otherwise) its pages use. */
function languageSection(view: PageView, session: ValidSession): SafeHtml {
  const { t, site } = view;
  const current = session.user.language ?? view.language;
  const options = LANGUAGES.map((language) => html`<option value="${language}" lang="${language}"${language === current ? html` selected` : ''}>${LANGUAGE_NAMES[language] ?? language}</option>`);
  return html`<section aria-labelledby="language-title"><h2 id="language-title">${t('account.language.title')}</h2><form method="post" action="language">${site.forms.issue(
    view.request,
    view.reply,
    LANGUAGE_FORM,
  )}<div class="field"><label for="language">${t('account.language.label')}</label><select id="language" name="language">${options}</select></div><button type="submit" class="secondary">${t(
    'account.language.submit',
  )}</button></form></section>`;
}

/** One device signed in: its browser and address as recorded, when it signed in and was last seen, and its way out. */
function sessionItem(view: PageView, session: SessionSummary, index: number): SafeHtml {
  const { t } = view;
  const deviceId = `session-${index}`;
  const device = session.userAgent ?? t('account.sessions.unknownDevice');
  // This device's way out is the page's one "Sign out" link, below: a second link of that name here would be a
  // duplicate to a screen reader's list of links.
  const end = session.current
    ? ''
    : html`<p><a href="sessions?${new URLSearchParams({ session: session.handle }).toString()}" aria-describedby="${deviceId}">${t('account.sessions.endOne')}</a></p>`;
  return html`<li class="session"><p class="device" id="${deviceId}">${device}${session.current ? html` <span class="tag">${t('account.sessions.current')}</span>` : ''}</p><dl><dt>${t(
    'account.sessions.ip',
  )}</dt><dd>${session.ip ?? t('account.sessions.unknownIp')}</dd><dt>${t('account.sessions.signedIn')}</dt><dd>${pageTime(view, session.createdAt)}</dd><dt>${t(
    'account.sessions.lastSeen',
  )}</dt><dd>${pageTime(view, session.lastSeenAt)}</dd></dl>${end}</li>`;
}

/** Every live session of the account, newest first, this one marked; "sign out all others" when there are others. */
function sessionsSection(view: PageView, listed: readonly SessionSummary[]): SafeHtml {
  const { t } = view;
  const others = listed.some((session) => !session.current);
  return html`<section aria-labelledby="sessions-title"><h2 id="sessions-title">${t('account.sessions.title')}</h2><ul class="sessions">${listed.map((session, index) =>
    sessionItem(view, session, index),
  )}</ul>${others ? html`<p>${pageLink('sessions?session=others', t('account.sessions.endOthers'))}</p>` : ''}</section>`;
}

/** The links to the pages that change the password, show the events, export the data and delete the account. */
function securitySection(view: PageView): SafeHtml {
  const { t } = view;
  return html`<section aria-labelledby="security-title"><h2 id="security-title">${t('account.security.title')}</h2><ul class="links"><li>${pageLink(
    'password',
    t('account.security.password'),
  )}</li><li>${pageLink('events', t('account.security.events'))}</li><li><a href="export" download>${t('account.security.export')}</a></li><li>${pageLink(
    'delete',
    t('account.security.delete'),
  )}</li></ul></section>`;
}

/** Registers `GET /account` (to `/account/`) and `GET /account/`; both hidden from the API description. */
export function accountHomeRoutes(app: FastifyInstance, { sessions, cookie, site }: AccountPagesDeps): void {
  // Without the slash, relative links (`login`, `assets/...`) would resolve beside `/account`, not under it.
  app.get('/account', { schema: { hide: true } }, async (_request, reply) => reply.redirect('account/', 301));

  app.get<{ Querystring: { done?: string } }>(
    '/account/',
    { preHandler: accountSessionCheck(sessions, cookie.name), schema: { hide: true, querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 40 } } } } },
    async (request, reply) => {
      const session = accountSession(request);
      if (session === undefined) return signInFirst(request, reply);
      const view = viewOf(request, reply, site, session.user.language ?? undefined);
      const { t } = view;
      const done = request.query.done;
      const shown = done !== undefined && NOTICES.has(done) ? notice(t(`account.done.${done}` as 'account.done.language' | 'account.done.resend')) : '';
      const listed = await sessions.list(session);
      return sendPage(
        view,
        200,
        t('account.title'),
        html`${shown}<p>${t('account.signedInAs', { email: session.user.email })}</p>${addressSection(view, session)}${languageSection(view, session)}${sessionsSection(
          view,
          listed,
        )}${securitySection(view)}<p>${pageLink('logout', t('account.signOut'))}</p>`,
      );
    },
  );
}
