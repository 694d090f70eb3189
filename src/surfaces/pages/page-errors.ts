/**
 * Refusals on the pages as pages: a person who opened a mailed link in a browser gets an HTML answer they can read
 * (too many tries, a cross-site form, a malformed POST) with the same status, code header and `Retry-After` the JSON
 * API gives, rather than a JSON body. Faults still go to the API's handler, which logs them.
 * @module
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ServerBusyError, type SesameError } from '../../kernel/errors.js';
import { ERROR_HEADER } from '../../kernel/http/responses.js';
import { refusalOf, sesameErrorHandler } from '../api/error-handler.js';
import { answerFor } from '../api/errors.js';
import { escapeHtml, sendPage } from './layout.js';

/** What a page says above the refusal's own sentence, by status. */
const TITLES: Readonly<Record<number, string>> = {
  400: 'This form could not be read',
  403: 'This request was refused',
  408: 'This took too long',
  413: 'This form is too large',
  415: 'This form could not be read',
  429: 'Too many tries',
  503: 'The service is busy',
};

/** The pages' error handler (set on each page route): refusals as HTML, anything else as the API answers it. */
export function pageErrorHandler(error: FastifyError | SesameError, request: FastifyRequest, reply: FastifyReply): void {
  const refusal = refusalOf(error);
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
  void sendPage(reply, status, TITLES[status] ?? 'This request was refused', `<p>${escapeHtml(message)}.</p><p>Nothing was changed.</p>`);
}
