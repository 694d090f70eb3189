/**
 * The courier: what every flow that owes someone a message calls, inside the transaction of the change the message
 * announces. It picks the way out (mail, or the signed webhook for operators who send mail themselves), renders the
 * message in the account's language, holds back a flood to one recipient, and leaves the rest to the outbox.
 * @module
 */
import type { Clock } from '../../kernel/clock.js';
import type { Executor } from '../../kernel/database/tables.js';
import {
  confirmEmailChangeMessage,
  emailChangeNoticeMessage,
  newSignInMessage,
  passwordChangedMessage,
  registrationAttemptMessage,
  registrationLinks,
  invitationLink,
  invitationMessage,
  resetPasswordMessage,
  verifyEmailMessage,
  type Recipient,
} from './messages/index.js';
import type { MailEvent } from './events.js';
import type { MailChannel } from './schema.js';
import type { MailOutboxStore, NewMessage } from './store.js';

/** A message carrying a one-time link and its code. */
interface TokenNotice {
  readonly kind: 'password_reset' | 'email_verify' | 'email_change_confirm';
  readonly to: Recipient;
  /** The raw token (only ever in the message itself). */
  readonly token: string;
  /** The short code, as mailed (`1234-5678`). */
  readonly code: string;
  readonly ttlMinutes: number;
}

/** Something Sesame owes an account's owner, before it is rendered for a channel. */
export type Notice =
  | TokenNotice
  | { readonly kind: 'email_change_notice'; readonly to: Recipient; readonly newAddress: string }
  | { readonly kind: 'password_changed'; readonly to: Recipient; readonly at: number; readonly how: 'change' | 'reset' }
  | { readonly kind: 'new_sign_in'; readonly to: Recipient; readonly at: number; readonly device: string | undefined; readonly ip: string | undefined }
  | { readonly kind: 'registration_attempt'; readonly to: Recipient }
  /** An operator's invitation to sign up: `token` is raw here and only here (the store keeps its hash). */
  | { readonly kind: 'invitation'; readonly to: Recipient; readonly token: string; readonly expiresAt: number };

/** What the courier is built from. */
export interface CourierDeps {
  /** The outbox table. */
  readonly store: MailOutboxStore;
  /** How password-reset messages leave (`RESET_TOKEN_DELIVERY`), or undefined when tokens are handed back in the response. */
  readonly resetChannel: MailChannel | undefined;
  /** How every other message leaves, or undefined when Sesame has no way to reach anyone. */
  readonly channel: MailChannel | undefined;
  /** Where links point (`PUBLIC_URL`). */
  readonly baseUrl: string;
  /** Messages one address may be sent per hour (`MAIL_RECIPIENT_HOURLY_MAX`), security notices apart. */
  readonly recipientHourlyMax: number;
  /** Security notices of one kind one address may be sent per hour (`MAIL_SECURITY_NOTICE_HOURLY_MAX`). */
  readonly securityNoticeHourlyMax: number;
  /** The time. */
  readonly clock: Clock;
  /** Tells the listeners (metrics, log) of a message held back; never stored. */
  readonly publish?: (event: MailEvent) => void;
}

/**
 * Security notices: what tells the owner something happened to the account (a sign-in, a password changed, the
 * address being moved). They neither wait for nor use up the shared per-recipient quota, which anyone who knows the
 * address can fill with anonymous reset or resend requests to silence them; each kind has its own bound per address
 * (`MAIL_SECURITY_NOTICE_HOURLY_MAX`), so their own flood stays bounded too. The notice of a repeated registration
 * is one of them, bounded tighter still: once a day per address ({@link Courier.sendOncePer}). Later notices of this
 * class (second factor) join this set.
 */
export const SECURITY_NOTICES: ReadonlySet<Notice['kind']> = new Set(['new_sign_in', 'password_changed', 'email_change_notice', 'registration_attempt']);

/** The security notice kinds as a list, for the counts that leave them out of the shared quota. */
const SECURITY_KINDS: readonly string[] = [...SECURITY_NOTICES];

/** What became of a notice. */
export type Dispatch = 'queued' | 'held' | 'no-channel';

/** What became of a notice sent with {@link Courier.sendOncePer}: `suppressed` is a row written that is never sent. */
export type OnceDispatch = 'queued' | 'suppressed' | 'no-channel';

/** How {@link Courier.sendOncePer} treats one notice. */
export interface OnceOptions {
  /** Write the row suppressed whatever the count (an owner who must not be mailed, such as a disabled account). */
  readonly suppress?: boolean;
}

/** How {@link Courier.send} treats one notice. */
export interface SendOptions {
  /**
   * Never hold it back, whatever the recipient's count: an operator's force-reset has already spent the links it
   * replaces, so holding its message would leave the owner with no way back in. Still counted like any other.
   */
  readonly alwaysSend?: boolean;
  /**
   * Send it the way every other message leaves (mail, or the messages webhook), even a password reset that
   * `RESET_TOKEN_DELIVERY` would hand back in the response: the hosted forgot-password page must never show a
   * token on screen, where anyone who typed the address would read it.
   */
  readonly asMessage?: boolean;
}

/** Renders and enqueues notices. */
export class Courier {
  readonly #deps: CourierDeps;

  /** Takes the outbox store, the channels, the link base and the per-recipient limit. */
  constructor(deps: CourierDeps) {
    this.#deps = deps;
  }

  /** True when messages of this kind can leave at all (the flows that need one refuse or skip otherwise). */
  reaches(kind: Notice['kind']): boolean {
    return this.#channelFor(kind) !== undefined;
  }

  /**
   * Enqueues the notice inside `executor`'s transaction. `held` when the recipient already had
   * `MAIL_RECIPIENT_HOURLY_MAX` messages this hour (security notices not counted): someone asking for resets or
   * resends in a loop cannot flood a mailbox. A security notice is held only past `MAIL_SECURITY_NOTICE_HOURLY_MAX`
   * of its kind this hour. The count runs either way, so callers that must do equal work for unknown accounts can
   * call {@link countOnly}. With `alwaysSend` (an operator's force-reset) the message is never held.
   */
  async send(executor: Executor, notice: Notice, options: SendOptions = {}): Promise<Dispatch> {
    const channel = options.asMessage === true ? this.#deps.channel : this.#channelFor(notice.kind);
    if (channel === undefined) return 'no-channel';
    const store = this.#deps.store.in(executor);
    const now = this.#deps.clock();
    const hourAgo = now - 3_600_000;
    const full =
      options.alwaysSend !== true &&
      (SECURITY_NOTICES.has(notice.kind)
        ? (await store.countKindSince(notice.kind, notice.to.address, hourAgo)) >= this.#deps.securityNoticeHourlyMax
        : (await store.countSince(notice.to.address, hourAgo, SECURITY_KINDS)) >= this.#deps.recipientHourlyMax);
    if (full) {
      this.#deps.publish?.({ type: 'mail.held', context: { actor: 'system' }, detail: { kind: notice.kind }, traffic: true });
      return 'held';
    }
    await store.enqueue(channel === 'webhook' ? webhookMessage(notice, this.#deps.baseUrl) : this.#render(notice), now);
    return 'queued';
  }

  /**
   * Enqueues a notice one address may get at most once per `windowMs`, writing exactly one outbox row whether it is
   * sent or not: `pending` for the first in the window, `suppressed` (never claimed, never counted, purged after
   * `MAIL_RETENTION`) for a repeat or with `suppress`. The caller is a flow that must do the same work as its twin
   * (registering a taken address does what registering a new one does, which enqueues one verification message), so
   * the number of rows, and the count and insert that make them, cannot say which case ran; holding the repeat back
   * with no row, as {@link send} does, would. One count and one insert in `executor`'s transaction, nothing else.
   */
  async sendOncePer(executor: Executor, notice: Notice, windowMs: number, options: OnceOptions = {}): Promise<OnceDispatch> {
    const channel = this.#channelFor(notice.kind);
    if (channel === undefined) return 'no-channel';
    const store = this.#deps.store.in(executor);
    const now = this.#deps.clock();
    const recent = await store.countKindSince(notice.kind, notice.to.address, now - windowMs);
    const suppressed = options.suppress === true || recent > 0;
    // Rendered either way: the repeat costs what the first costs, and its row has the same shape.
    await store.enqueue(channel === 'webhook' ? webhookMessage(notice, this.#deps.baseUrl) : this.#render(notice), now, suppressed ? 'suppressed' : 'pending');
    if (suppressed) this.#deps.publish?.({ type: 'mail.held', context: { actor: 'system' }, detail: { kind: notice.kind }, traffic: true });
    return suppressed ? 'suppressed' : 'queued';
  }

  /**
   * How many messages of a kind were enqueued for an address in the last hour: the outbox keeps every message for
   * `MAIL_RETENTION`, so this count survives the tokens' own expiry and replacement (the resend and change limits).
   */
  countRecent(kind: Notice['kind'], address: string): Promise<number> {
    return this.#deps.store.countKindSince(kind, address, this.#deps.clock() - 3_600_000);
  }

  /** The per-recipient count alone: the work an unknown address's request does in place of {@link send}. */
  async countOnly(executor: Executor, address: string): Promise<void> {
    await this.#deps.store.in(executor).countSince(address, this.#deps.clock() - 3_600_000, SECURITY_KINDS);
  }

  /** Resets follow `RESET_TOKEN_DELIVERY`; everything else the one channel mail has. */
  #channelFor(kind: Notice['kind']): MailChannel | undefined {
    return kind === 'password_reset' ? this.#deps.resetChannel : this.#deps.channel;
  }

  /** The notice as a mail in the recipient's language. */
  #render(notice: Notice): NewMessage {
    const baseUrl = this.#deps.baseUrl;
    switch (notice.kind) {
      case 'password_reset':
        return resetPasswordMessage(notice.to, { baseUrl, token: notice.token, code: notice.code, ttlMinutes: notice.ttlMinutes });
      case 'email_verify':
        return verifyEmailMessage(notice.to, { baseUrl, token: notice.token, code: notice.code, ttlMinutes: notice.ttlMinutes });
      case 'email_change_confirm':
        return confirmEmailChangeMessage(notice.to, { baseUrl, token: notice.token, code: notice.code, ttlMinutes: notice.ttlMinutes });
      case 'email_change_notice':
        return emailChangeNoticeMessage(notice.to, { baseUrl, newAddress: notice.newAddress });
      case 'password_changed':
        return passwordChangedMessage(notice.to, { baseUrl, at: notice.at, how: notice.how });
      case 'new_sign_in':
        return newSignInMessage(notice.to, { baseUrl, at: notice.at, device: notice.device, ip: notice.ip });
      case 'registration_attempt':
        return registrationAttemptMessage(notice.to, { baseUrl });
      case 'invitation':
        return invitationMessage(notice.to, { baseUrl, token: notice.token, expiresAt: notice.expiresAt });
    }
  }
}

/** The page each token kind's link opens. */
const LINK_PAGES: Readonly<Record<TokenNotice['kind'], string>> = {
  password_reset: '/account/reset',
  email_verify: '/account/verify',
  email_change_confirm: '/account/verify',
};

/**
 * A notice as the webhook's JSON body: the facts, for the operator's own mailer to word. A reset keeps the
 * `{email, reset_token}` fields the unsigned webhook posted, so existing receivers read it unchanged.
 */
function webhookMessage(notice: Notice, baseUrl: string): NewMessage {
  const common = { type: notice.kind, email: notice.to.address, language: notice.to.language };
  let body: Record<string, unknown>;
  switch (notice.kind) {
    case 'password_reset':
    case 'email_verify':
    case 'email_change_confirm':
      body = {
        ...common,
        ...(notice.kind === 'password_reset' ? { reset_token: notice.token } : {}),
        token: notice.token,
        code: notice.code,
        link: `${baseUrl}${LINK_PAGES[notice.kind]}?token=${encodeURIComponent(notice.token)}`,
        expires_in_minutes: notice.ttlMinutes,
      };
      break;
    case 'email_change_notice':
      body = { ...common, new_email: notice.newAddress };
      break;
    case 'password_changed':
      body = { ...common, at: new Date(notice.at).toISOString(), how: notice.how };
      break;
    case 'new_sign_in':
      body = { ...common, at: new Date(notice.at).toISOString(), device: notice.device ?? null, ip: notice.ip ?? null };
      break;
    case 'invitation':
      body = { ...common, token: notice.token, link: invitationLink(baseUrl, notice.token), expires_at: new Date(notice.expiresAt).toISOString() };
      break;
    case 'registration_attempt': {
      const links = registrationLinks(baseUrl);
      body = { ...common, sign_in_link: links.signIn, forgot_password_link: links.forgot };
      break;
    }
  }
  return { kind: notice.kind, recipient: notice.to.address, subject: notice.kind, text: JSON.stringify(body), channel: 'webhook' };
}
