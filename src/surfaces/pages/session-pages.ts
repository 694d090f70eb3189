/**
 * Sign-out (`/account/logout`). Sign-out is a form with a button: a GET never ends a
 * session, so a link, an image or a prefetch on another page cannot sign anyone out. The POST goes through the same
 * logout as `DELETE /sessions` and clears the cookie the same way.
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestContext } from '../../kernel/http/event-context.js';
import { clearSessionCookie, readSessionId, type SessionCookieSettings, type SessionService, type ValidSession } from '../../modules/sessions/index.js';
import { expiredForm, pageLink } from './answers.js';
import { FORM_TOKEN_FIELD } from './form-token.js';
import { submit } from './form-kit.js';
import { html } from './html.js';
import { sendPage, viewOf, type PageSite } from './layout.js';

/** What the pages need. */
export interface SessionPagesDeps {
  readonly sessions: SessionService;
  readonly cookie: SessionCookieSettings;
  readonly site: PageSite;
}

/** The form's name, signed into its form token. */
export const LOGOUT_FORM = 'logout';

/** The session this request's cookie names, when it is live. */
async function signedIn(sessions: SessionService, request: FastifyRequest, cookie: SessionCookieSettings): Promise<ValidSession | null> {
  return sessions.validate(readSessionId(request, cookie.name));
}

/** Registers `GET`/`POST /account/logout`, hidden from the API description. */
export function sessionPageRoutes(app: FastifyInstance, { sessions, cookie, site }: SessionPagesDeps): void {
  app.get('/account/logout', { schema: { hide: true } }, async (request, reply) => {
    const session = await signedIn(sessions, request, cookie);
    const view = viewOf(request, reply, site, session?.user.language ?? undefined);
    const { t } = view;
    if (session === null) return sendPage(view, 200, t('logout.title'), html`<p>${t('logout.notSignedIn')}</p><p>${pageLink('login', t('logout.signInAgain'))}</p>`);
    return sendPage(
      view,
      200,
      t('logout.title'),
      html`<p>${t('logout.body', { email: session.user.email })}</p><form method="post" action="logout">${site.forms.issue(request, reply, LOGOUT_FORM)}${submit(t('logout.submit'))}</form>`,
    );
  });

  app.post<{ Body: { form_token?: string } }>(
    '/account/logout',
    {
      schema: {
        hide: true,
        body: { type: 'object', properties: { [FORM_TOKEN_FIELD]: { type: 'string', maxLength: 100 } }, additionalProperties: false },
      },
    },
    async (request, reply) => {
      const view = viewOf(request, reply, site);
      const { t } = view;
      if (!site.forms.check(request, LOGOUT_FORM, request.body.form_token)) return expiredForm(view);
      await sessions.logout(readSessionId(request, cookie.name), requestContext(request));
      // Cleared whatever the outcome: a dead cookie is of no use to the browser.
      clearSessionCookie(reply, cookie);
      return sendPage(view, 200, t('logout.done.title'), html`<p>${t('logout.done.body')}</p><p>${pageLink('login', t('logout.signInAgain'))}</p>`);
    },
  );
}
