/**
 * The shell every server-rendered page under `/account/` shares: the document around a page's body (the product's
 * name and logo, the language switch, the stylesheet, no script but the sign-up page's own, nothing loaded from elsewhere) and the headers
 * that go with it (a content security policy of its own, no referrer carrying a mailed token away, no caching).
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LANGUAGES, type Language } from '../../modules/mail/index.js';
import type { PageAssets } from './assets.js';
import type { FormTokens } from './form-token.js';
import { html, type SafeHtml } from './html.js';
import { LANGUAGE_PARAMETER, pageLanguage } from './language.js';
import { textsFor, type TextOverrides, type Translate } from './texts/index.js';

/**
 * The pages' content security policy. Nothing runs and nothing is fetched from elsewhere: styles and images only
 * from this origin (`img-src data:` for a logo given inline), no script at all. `form-action` lets forms post only
 * here, and lets the sign-in form's redirect reach the listed origins (browsers check a form's redirects against it
 * too); `frame-ancestors 'none'` forbids framing (clickjacking on a button); `base-uri 'none'` keeps an injected
 * `<base>` from re-pointing the relative links and form actions.
 */
export function pageCsp(formTargets: readonly string[] = []): string {
  const targets = ["'self'", ...formTargets].join(' ');
  return `default-src 'none'; style-src 'self'; img-src 'self' data:; form-action ${targets}; frame-ancestors 'none'; base-uri 'none'`;
}

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

/** What is the same for every page of one Sesame: branding, assets, form tokens and the policy's numbers. */
export interface PageSite {
  readonly productName: string;
  readonly assets: PageAssets;
  readonly forms: FormTokens;
  /** The content security policy of every page. */
  readonly csp: string;
  /** The password policy's minimum length, shown beside new-password fields. */
  readonly passwordMinLength: number;
  /** The operator's replacement texts. */
  readonly texts: TextOverrides;
}

/** One request's page: where it is going, in which language. */
export interface PageView {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly site: PageSite;
  readonly language: Language;
  readonly t: Translate;
}

/** The view of one request: its language chosen (see language.ts) and its texts ready. */
export function viewOf(request: FastifyRequest, reply: FastifyReply, site: PageSite, accountLanguage?: string): PageView {
  const language = pageLanguage(request, reply, accountLanguage);
  return { request, reply, site, language, t: textsFor(language, site.texts) };
}

/** Each language's name in itself, as the switch shows it. */
const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { en: 'English', fr: 'Français' };

/**
 * The current URL with `lang` set, keeping what the page needs to stay the same page: a mailed token of the right
 * shape and `return_to` (re-checked when the sign-in form posts). Nothing else is carried over, so a hostile query
 * string is not reflected into the page's links.
 */
function switchHref(request: FastifyRequest, language: Language): string {
  const kept = new URLSearchParams();
  const query = (request.method === 'GET' ? request.query : {}) as Record<string, unknown>;
  if (typeof query.token === 'string' && TOKEN_SHAPE.test(query.token)) kept.set('token', query.token);
  if (typeof query.invitation === 'string' && TOKEN_SHAPE.test(query.invitation)) kept.set('invitation', query.invitation);
  if (typeof query.return_to === 'string') kept.set('return_to', query.return_to);
  kept.set(LANGUAGE_PARAMETER, language);
  return `?${kept.toString()}`;
}

/** The language switch: plain links a keyboard reaches, each named in its own language. */
function languageSwitch(view: PageView): SafeHtml {
  const items = LANGUAGES.map(
    (language) =>
      html`<li><a href="${switchHref(view.request, language)}" hreflang="${language}" lang="${language}"${language === view.language ? html` aria-current="true"` : ''}>${LANGUAGE_NAMES[language]}</a></li>`,
  );
  return html`<nav aria-label="${view.t('page.languages')}"><ul>${items}</ul></nav>`;
}

/** The product's name, with its logo when there is one (the logo is decorative: the name is beside it). */
function brand(view: PageView): SafeHtml {
  const { productName, assets } = view.site;
  const logo = assets.logoSrc === undefined ? '' : html`<img src="${assets.logoSrc}" alt="" height="40">`;
  return html`<span class="brand">${logo}<span>${productName}</span></span>`;
}

/** What a page may add to the shell: a same-origin script (the sign-up page's challenge solver, and nothing else). */
export interface PageExtras {
  /** The script's `src`, one of the pages' own assets: the page's policy then allows `script-src 'self'`, only on it. */
  readonly script?: string;
}

/**
 * Sends a whole page: `title` as the document's title (with the product's name) and its one heading, then `body`.
 * Sets the page's headers on the reply, overriding the API's JSON-oriented ones.
 */
export function sendPage(view: PageView, status: number, title: string, body: SafeHtml, extras: PageExtras = {}): FastifyReply {
  const { reply, site, t, language } = view;
  void reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    // Every other page runs no script at all; the sign-up page's one comes from this origin (no inline, no eval).
    .header('content-security-policy', extras.script === undefined ? site.csp : `${site.csp}; script-src 'self'`)
    .header('referrer-policy', PAGE_REFERRER_POLICY)
    // Pages carry one-time tokens, form tokens and who is signed in: no cache, shared or private, may keep them.
    .header('cache-control', 'no-store');
  const page = html`<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t('page.title', { page: title, product: site.productName })}</title>
<link rel="stylesheet" href="${site.assets.stylesheetHref}">${extras.script === undefined ? '' : html`<script src="${extras.script}" defer></script>`}</head>
<body><header>${brand(view)}${languageSwitch(view)}</header>
<main><div class="card"><h1>${title}</h1>${body}</div></main></body></html>
`;
  return reply.send(page.toString());
}

/** A paragraph in the accent's notice style (a message that is not an error). */
export function notice(text: string | SafeHtml): SafeHtml {
  return html`<p class="notice">${text}</p>`;
}
