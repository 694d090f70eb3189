/**
 * The shell every server-rendered page under `/account/` shares: HTML escaping, the document around a page's body
 * (viewport, a small stylesheet readable on a phone, no script, nothing loaded from anywhere) and the headers that
 * go with it (a content security policy of its own, no referrer carrying a mailed token away, no caching).
 * @module
 */
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/** The pages' whole stylesheet: one column, large type and full-width fields and buttons, so a phone needs no zoom. */
export const PAGE_STYLE =
  'body{margin:0;background:#f5f5f2;color:#1b1b1b;font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
  'main{box-sizing:border-box;max-width:32rem;margin:0 auto;padding:1.5rem 1rem}' +
  'h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}' +
  'label{display:block;font-weight:600}' +
  'input{display:block;box-sizing:border-box;width:100%;margin-top:.25rem;padding:.6rem;font:inherit;border:1px solid #767676;border-radius:.25rem;background:#fff}' +
  'button{box-sizing:border-box;width:100%;padding:.75rem 1rem;font:inherit;font-weight:600;border:0;border-radius:.25rem;background:#1d4ed8;color:#fff;cursor:pointer}' +
  'button:focus-visible,input:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}' +
  '[role=alert]{padding:.6rem .8rem;border-left:4px solid #b91c1c;background:#fdecec}';

/**
 * The pages' content security policy. `default-src 'none'` stays: nothing is fetched, no script runs, no font or
 * image loads. The one `<style>` block is allowed by its SHA-256 rather than by `style-src 'unsafe-inline'`: the
 * hash admits exactly this stylesheet, so text that ever slipped past the escaping still could not add styles (CSS
 * can probe a page's attribute values, such as the token and the form token), and `style="..."` attributes stay
 * refused. The hash is computed from {@link PAGE_STYLE} at start-up, so editing the stylesheet cannot desynchronise it.
 * `form-action 'self'` lets the forms post only to this origin; `frame-ancestors 'none'` forbids framing
 * (clickjacking on the button); `base-uri 'none'` keeps an injected `<base>` from re-pointing the relative form actions.
 */
export const PAGE_CSP =
  `default-src 'none'; style-src 'sha256-${createHash('sha256').update(PAGE_STYLE, 'utf8').digest('base64')}'; ` +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The pages' referrer policy: `strict-origin`, not `no-referrer`. Under `no-referrer` a browser sends
 * `Origin: null` with the form's own same-origin POST (Fetch standard, "serializing a request origin"; Chromium
 * does), and the API scope's cross-site guard refuses that as an untrusted origin, so no form could ever be
 * submitted. `strict-origin` sends the bare origin and never the path or query, so the mailed token in the page's
 * URL still leaves in no `Referer`, to this site or any other.
 */
export const PAGE_REFERRER_POLICY = 'strict-origin';

/** A token as Sesame mails them (a UUID or 256 bits in base64url); anything else is not a link Sesame sent. */
export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,128}$/;

/** Characters HTML gives a meaning to, and their escapes. */
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and for (quoted) attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * Sends a whole page: `title` (escaped) as the document's title and its one heading, then `body`, which the caller
 * has built from escaped parts. Sets the page's headers on the reply, overriding the API's JSON-oriented ones.
 */
export function sendPage(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  const heading = escapeHtml(title);
  void reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', PAGE_CSP)
    .header('referrer-policy', PAGE_REFERRER_POLICY)
    // The page carries a one-time token and a form token: no cache, shared or private, may keep it.
    .header('cache-control', 'no-store');
  return reply.send(
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width, initial-scale=1">' +
      `<title>${heading}</title><style>${PAGE_STYLE}</style></head>` +
      `<body><main><h1>${heading}</h1>${body}</main></body></html>`,
  );
}

/** A paragraph announcing a problem to the reader (and to a screen reader, as an alert); empty without one. */
export function alertParagraph(problem: string | undefined): string {
  return problem === undefined ? '' : `<p role="alert">${escapeHtml(problem)}</p>`;
}
