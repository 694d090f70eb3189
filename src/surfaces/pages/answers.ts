/**
 * Answers several pages give alike: a form whose token did not match, and a link out to another page. Kept together
 * so the wording and the status stay the same wherever they appear.
 * @module
 */
import type { FastifyReply } from 'fastify';
import { html, type SafeHtml } from './html.js';
import { sendPage, type PageView } from './layout.js';

/**
 * The answer to a POST whose form token is missing or does not match its cookie (the cookie expired, the page came
 * from elsewhere): 403, nothing done, and what to do about it.
 */
export function expiredForm(view: PageView): FastifyReply {
  return sendPage(view, 403, view.t('form.expired.title'), html`<p>${view.t('form.expired.body')}</p>`);
}

/** A link to another page under `/account/` (relative, so it works under any mount prefix). */
export function pageLink(href: string, text: string): SafeHtml {
  return html`<a href="${href}">${text}</a>`;
}
