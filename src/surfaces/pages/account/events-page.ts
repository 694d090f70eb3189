/**
 * The account's own security events (`/account/events?page=N`), newest first, twenty a page, as `GET
 * /profile/events` gives them to the owner: each with a name for its type in the page's language (the code for a
 * type without one), its time, IP address and browser, and a mark when the operator acted. An event's `detail` is
 * never shown: what it holds differs from type to type, and a page has no need of it. A list, not a table: each
 * event is a small group of labelled facts, which reads on a 320 px phone and to a screen reader alike.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AccountEvent } from '../../../modules/accounts/index.js';
import { pageLink } from '../answers.js';
import { html, type SafeHtml } from '../html.js';
import { sendPage, viewOf, type PageView } from '../layout.js';
import { en, type TextKey } from '../texts/index.js';
import type { AccountPagesDeps } from './deps.js';
import { pageTime } from './format.js';
import { accountSession, accountSessionCheck, signInFirst } from './guard.js';

/** Events a page shows. */
export const EVENTS_PER_PAGE = 20;

/** The last page a URL may name: far past any account's history, low enough that the offset stays a small number. */
const LAST_PAGE = 1_000_000;

/** A page number as the links write it: a whole number from 1, without leading zeros. */
const PAGE_SHAPE = /^[1-9][0-9]{0,6}$/;

/** The page a query names (1 when it names none), or undefined when it names no page that can exist. */
function pageOf(value: string | undefined): number | undefined {
  if (value === undefined) return 1;
  if (!PAGE_SHAPE.test(value)) return undefined;
  const page = Number(value);
  return page <= LAST_PAGE ? page : undefined;
}

/** The name of an event type in the page's language, or its code when the texts have no name for it. */
export function eventTypeName(view: PageView, type: string): string {
  const key = `account.events.type.${type}`;
  return Object.hasOwn(en, key) ? view.t(key as TextKey) : type;
}

/**
 * Whether the operator did it (`cli:<user>`, `admin-token:<id>`): anyone but the owner (`user`) and Sesame itself
 * (`system`, a message that failed). Named by exclusion so that a way of operating added later is marked too.
 */
function byOperator(event: AccountEvent): boolean {
  return event.actor !== 'user' && event.actor !== 'system';
}

/** One event: its name, then when, from where and with which browser. */
function eventItem(view: PageView, event: AccountEvent): SafeHtml {
  const { t } = view;
  const unknown = t('account.events.unknown');
  return html`<li class="session"><p class="device">${eventTypeName(view, event.type)}${byOperator(event) ? html` <span class="tag warn">${t('account.events.byOperator')}</span>` : ''}</p><dl><dt>${t(
    'account.events.when',
  )}</dt><dd>${pageTime(view, event.createdAt)}</dd><dt>${t('account.events.ip')}</dt><dd>${event.ip ?? unknown}</dd><dt>${t('account.events.browser')}</dt><dd>${
    event.userAgent ?? unknown
  }</dd></dl></li>`;
}

/** The link to a page of events (a whole value: the template refuses a value right after `=` inside a tag). */
function pageHref(page: number): string {
  return `events?page=${page}`;
}

/** The links to the newer and the older page, each only where there is one. */
function pager(view: PageView, page: number, older: boolean): SafeHtml {
  const { t } = view;
  const links = [
    page > 1 ? html`<li><a href="${pageHref(page - 1)}" rel="prev">${t('account.events.newer')}</a></li>` : '',
    older ? html`<li><a href="${pageHref(page + 1)}" rel="next">${t('account.events.older')}</a></li>` : '',
  ];
  if (page <= 1 && !older) return html``;
  return html`<nav aria-label="${t('account.events.pages')}"><ul>${links}</ul></nav>`;
}

/** Registers `GET /account/events`, hidden from the API description. */
export function eventsPageRoutes(app: FastifyInstance, { site, sessions, cookie, accounts }: AccountPagesDeps): void {
  app.get<{ Querystring: { page?: string } }>(
    '/account/events',
    {
      preHandler: accountSessionCheck(sessions, cookie.name),
      // A generous bound, so that a malformed number gets this page's own words rather than the schema's refusal.
      schema: { hide: true, querystring: { type: 'object', properties: { page: { type: 'string', maxLength: 100 } } } },
    },
    async (request, reply) => {
      const session = accountSession(request);
      if (session === undefined) return signInFirst(request, reply);
      const view = viewOf(request, reply, site, session.user.language ?? undefined);
      const { t } = view;
      const page = pageOf(request.query.page);
      if (page === undefined) {
        return sendPage(view, 400, t('account.events.badPage.title'), html`<p>${t('account.events.badPage.body')}</p><p>${pageLink('events', t('account.events.first'))}</p>`);
      }
      // One more than a page: whether it came back says if an older page exists, without counting them all.
      const fetched = await accounts.eventsOf(session.user.id, { limit: EVENTS_PER_PAGE + 1, offset: (page - 1) * EVENTS_PER_PAGE });
      const shown = fetched.slice(0, EVENTS_PER_PAGE);
      const list = shown.length === 0 ? html`<p>${t('account.events.none')}</p>` : html`<ol class="sessions">${shown.map((event) => eventItem(view, event))}</ol>`;
      return sendPage(
        view,
        200,
        t('account.events.title'),
        html`<p>${t('account.events.intro')}</p>${list}${pager(view, page, fetched.length > EVENTS_PER_PAGE)}<p>${pageLink('./', t('account.back'))}</p>`,
      );
    },
  );
}
