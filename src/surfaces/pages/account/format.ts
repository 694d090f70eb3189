/**
 * How the account pages write times: in the page's language, in UTC (the server does not know the reader's zone,
 * and a page that guessed would show a time an hour off to half its readers), inside `<time datetime>` so that
 * assistive technology and the reader's own tools get the exact instant.
 * @module
 */
import { html, type SafeHtml } from '../html.js';
import type { PageView } from '../layout.js';

/** One formatter per language: building one is slow, and the account page writes a time per session. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The locale a page language's times are written in: British English for `en`, whose day-month order and 24-hour
 * clock read unambiguously the world over (an American "3/4" is a European's 3 April).
 */
const LOCALES: Readonly<Record<string, string>> = { en: 'en-GB' };

/** A time as text in `language`, e.g. "8 Dec 2026, 14:05 UTC". */
export function timeText(language: string, ms: number): string {
  let format = formatters.get(language);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(LOCALES[language] ?? language, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    formatters.set(language, format);
  }
  return `${format.format(new Date(ms))} UTC`;
}

/** A time as the pages show it: the text in the page's language, the instant in `datetime`. */
export function pageTime(view: PageView, ms: number): SafeHtml {
  return html`<time datetime="${new Date(ms).toISOString()}">${timeText(view.language, ms)}</time>`;
}
