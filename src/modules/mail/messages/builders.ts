/**
 * The messages Sesame mails, one builder per kind: each picks the reader's language, describes the message once as
 * blocks, and renders both a text and an HTML part from them. Builders take values, not services, so a message can be
 * checked in a test without a database or a clock.
 * @module
 */
import type { NewMessage } from '../store.js';
import type { Block, MessageContent } from './content.js';
import { en } from './en.js';
import { cleanUntrusted, formatDate, formatDuration, hostOf, maskAddress } from './format.js';
import { fr } from './fr.js';
import { renderHtml } from './html.js';
import { isLanguage, type Language } from './language.js';
import { renderText } from './text.js';
import type { LinkWording, Wording } from './wording.js';

/** Who a message goes to. */
export interface Recipient {
  /** The address it is sent to. */
  readonly address: string;
  /** The account's language; one Sesame does not write (or junk) gets English. */
  readonly language: string;
}

/** What a link message carries: the service's base URL, the token its link spends, and the code typed instead. */
export interface TokenLink {
  /** The service's public URL, without a trailing slash. */
  readonly baseUrl: string;
  /** The token the link carries (URL-encoded into it). */
  readonly token: string;
  /** The short code the reader can type instead, shown as given (`1234-5678`). */
  readonly code: string;
  /** How long the link and code work, in minutes. */
  readonly ttlMinutes: number;
}

/** Each language's wording. */
const WORDING: Readonly<Record<Language, Wording>> = { en, fr };

/** The recipient's language if Sesame writes it, else English. */
function languageOf(to: Recipient): Language {
  return isLanguage(to.language) ? to.language : 'en';
}

/** The finished message of `kind` for `to`. */
function message(kind: string, to: Recipient, content: MessageContent): NewMessage {
  return { kind, recipient: to.address, subject: content.subject, text: renderText(content), html: renderHtml(content) };
}

/** A message whose point is a link (and its code) spending `link.token` at `path`. */
function linkMessage(kind: string, path: string, to: Recipient, link: TokenLink, pick: (wording: Wording) => LinkWording): NewMessage {
  const language = languageOf(to);
  const wording = WORDING[language];
  const words = pick(wording);
  const url = `${link.baseUrl}${path}?token=${encodeURIComponent(link.token)}`;
  return message(kind, to, {
    language,
    subject: words.subject,
    blocks: [
      { type: 'paragraph', text: words.intro(to.address) },
      { type: 'action', lead: words.lead, label: words.button, fallback: wording.fallback, url },
      { type: 'code', lead: wording.codeLead, code: link.code },
      { type: 'paragraph', text: wording.expiry(formatDuration(link.ttlMinutes, language)) },
      { type: 'paragraph', text: words.ignore },
    ],
    footer: wording.footer(to.address, hostOf(link.baseUrl)),
  });
}

/**
 * A security notice: what happened, that a reader who did it need do nothing, and what one who did not should fear,
 * followed by where to reset the password. That is the service's own address, not a reset link: a notice carries no
 * token, so a forwarded or leaked notice lets nobody in, and the reader starts the reset ("forgot password") there.
 */
function notice(kind: string, to: Recipient, baseUrl: string, subject: string, what: readonly Block[], notYou: string): NewMessage {
  const language = languageOf(to);
  const wording = WORDING[language];
  return message(kind, to, {
    language,
    subject,
    blocks: [
      ...what,
      { type: 'paragraph', text: wording.ifYou },
      { type: 'paragraph', text: notYou },
      { type: 'link', lead: wording.resetLead, url: baseUrl },
    ],
    footer: wording.footer(to.address, hostOf(baseUrl)),
  });
}

/** The "reset your password" message: a link to `/account/reset` carrying the token, and the code. */
export function resetPasswordMessage(to: Recipient, link: TokenLink): NewMessage {
  return linkMessage('password_reset', '/account/reset', to, link, (wording) => wording.resetPassword);
}

/** The "confirm your email address" message: a link to `/account/verify` carrying the token, and the code. */
export function verifyEmailMessage(to: Recipient, link: TokenLink): NewMessage {
  return linkMessage('email_verify', '/account/verify', to, link, (wording) => wording.verifyEmail);
}

/**
 * The message to the NEW address of an email change: proof that its owner wants it, by a link to `/account/verify`
 * carrying the token, or the code.
 */
export function confirmEmailChangeMessage(to: Recipient, link: TokenLink): NewMessage {
  return linkMessage('email_change_confirm', '/account/verify', to, link, (wording) => wording.confirmEmailChange);
}

/**
 * The invitation: a link to the sign-up page carrying the token, which fixes the address the account is made with.
 * No code beside it: the invitation is spent on the page, where a link is what the reader follows.
 */
export function invitationMessage(to: Recipient, details: { readonly baseUrl: string; readonly token: string; readonly expiresAt: number }): NewMessage {
  const language = languageOf(to);
  const wording = WORDING[language];
  const words = wording.invitation;
  const host = hostOf(details.baseUrl);
  return message('invitation', to, {
    language,
    subject: words.subject(host),
    blocks: [
      { type: 'paragraph', text: words.intro(to.address, host) },
      { type: 'action', lead: words.lead, label: words.button, fallback: wording.fallback, url: invitationLink(details.baseUrl, details.token) },
      { type: 'paragraph', text: words.expiry(formatDate(details.expiresAt, language)) },
      { type: 'paragraph', text: words.ignore },
    ],
    footer: wording.footer(to.address, host),
  });
}

/** The sign-up page's address with an invitation's token: the one place the link is spelt, for the mail and the webhook. */
export function invitationLink(baseUrl: string, token: string): string {
  return `${baseUrl}/account/signup?invitation=${encodeURIComponent(token)}`;
}

/**
 * The notice to the OLD address of an email change, so the owner hears of a takeover while it can still be stopped.
 * The new address is masked (the old address may be read by someone the owner no longer trusts).
 */
export function emailChangeNoticeMessage(to: Recipient, details: { readonly baseUrl: string; readonly newAddress: string }): NewMessage {
  const words = WORDING[languageOf(to)].emailChangeNotice;
  const what: Block[] = [{ type: 'paragraph', text: words.body(maskAddress(details.newAddress)) }];
  return notice('email_change_notice', to, details.baseUrl, words.subject, what, words.notYou);
}

/** The notice that the password was changed (`how: 'change'`) or reset (`'reset'`) at `at` (epoch ms). */
export function passwordChangedMessage(
  to: Recipient,
  details: { readonly baseUrl: string; readonly at: number; readonly how: 'change' | 'reset' },
): NewMessage {
  const language = languageOf(to);
  const words = WORDING[language].passwordChanged;
  const what: Block[] = [{ type: 'paragraph', text: words.body(details.how, formatDate(details.at, language)) }];
  return notice('password_changed', to, details.baseUrl, words.subject, what, words.notYou);
}

/**
 * The addresses of the sign-in and forgotten-password pages under `baseUrl` (which carries the mount prefix), from one
 * place for the mail and the webhook body alike.
 */
export function registrationLinks(baseUrl: string): { readonly signIn: string; readonly forgot: string } {
  return { signIn: `${baseUrl}/account/login`, forgot: `${baseUrl}/account/forgot` };
}

/**
 * The notice to an address that already has an account, after someone tried to register with it: what happened, a
 * link to sign in (the owner who forgot having an account) and one to the forgotten-password page. Plain links, no
 * token and no button: anyone who types the address can make Sesame send this, so it must grant nothing, and the
 * reader who wants a reset asks for one on that page.
 */
export function registrationAttemptMessage(to: Recipient, details: { readonly baseUrl: string }): NewMessage {
  const language = languageOf(to);
  const wording = WORDING[language];
  const words = wording.registrationAttempt;
  const links = registrationLinks(details.baseUrl);
  return message('registration_attempt', to, {
    language,
    subject: words.subject,
    blocks: [
      { type: 'paragraph', text: words.body(to.address) },
      { type: 'link', lead: words.signInLead, url: links.signIn },
      { type: 'link', lead: words.forgotLead, url: links.forgot },
      { type: 'paragraph', text: words.notYou },
    ],
    footer: wording.footer(to.address, hostOf(details.baseUrl)),
  });
}

/**
 * The notice of a sign-in at `at` (epoch ms). `device` (a User-Agent) and `ip` come from the request, so the attacker
 * the notice warns about chose them: they are cleaned and cut, and a line whose value is absent is left out.
 */
export function newSignInMessage(
  to: Recipient,
  details: { readonly baseUrl: string; readonly at: number; readonly device: string | undefined; readonly ip: string | undefined },
): NewMessage {
  const language = languageOf(to);
  const words = WORDING[language].newSignIn;
  const rows: Array<readonly [string, string]> = [[words.when, formatDate(details.at, language)]];
  const device = cleanUntrusted(details.device);
  if (device !== undefined) rows.push([words.device, device]);
  const ip = cleanUntrusted(details.ip);
  if (ip !== undefined) rows.push([words.ip, ip]);
  const what: Block[] = [
    { type: 'paragraph', text: words.intro },
    { type: 'details', rows },
  ];
  return notice('new_sign_in', to, details.baseUrl, words.subject, what, words.notYou);
}
