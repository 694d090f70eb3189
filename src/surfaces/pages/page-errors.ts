/**
 * Refusals on the pages as pages: a person in a browser gets an HTML answer they can read (too many tries with the
 * wait, a cross-site form, a malformed POST) with the same status, code header and `Retry-After` the JSON API gives,
 * rather than a JSON body. Faults still go to the API's handler, which logs them.
 * @module
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ServerBusyError, type SesameError } from '../../kernel/errors.js';
import { ERROR_HEADER } from '../../kernel/http/responses.js';
import { refusalOf, sesameErrorHandler } from '../api/error-handler.js';
import { answerFor } from '../api/errors.js';
import { html } from './html.js';
import { sendPage, viewOf, type PageSite } from './layout.js';
import type { TextKey } from './texts/index.js';

/** The statuses a refusal page has its own title for. */
const TITLED = new Set([400, 403, 408, 413, 415, 429, 503]);

/** The seconds a refusal asks the client to wait, from its `Retry-After` (set by the limiter or here). */
function retryAfter(reply: FastifyReply): number | undefined {
  const header = reply.getHeader('retry-after');
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isInteger(seconds) && seconds > 0 ? seconds : undefined;
}

/** The pages' error handler: refusals as HTML in the page's language, anything else as the API answers it. */
export function pageErrorHandler(site: PageSite) {
  return (error: FastifyError | SesameError, request: FastifyRequest, reply: FastifyReply): void => {
    const refusal = refusalOf(error, request);
    if (refusal === null) {
      sesameErrorHandler(error, request, reply);
      return;
    }
    const { code, status, message } = answerFor(refusal);
    if (status >= 500 && status !== 503) {
      sesameErrorHandler(error, request, reply);
      return;
    }
    void reply.header(ERROR_HEADER, code);
    if (refusal instanceof ServerBusyError) void reply.header('retry-after', String(refusal.retryAfterSeconds));
    const view = viewOf(request, reply, site);
    const { t } = view;
    const title = t((TITLED.has(status) ? `refused.${status}` : 'refused.other') as TextKey);
    const wait = retryAfter(reply);
    // The API's sentence is English (and names the wait when there is one): English pages show it; the others show
    // the translated title with the wait in their own words.
    const said = view.language === 'en' ? html`<p>${message}.</p>` : wait === undefined ? '' : html`<p>${t('refused.wait', { seconds: wait })}</p>`;
    void sendPage(view, status, title, html`${said}<p>${t('refused.nothingChanged')}</p>`);
  };
}
