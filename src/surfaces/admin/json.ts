/**
 * The one JSON style of the operator's tools, written once: accounts, sessions, events, mail, admin tokens and the
 * results of the account actions, as the admin API answers them and `sesame ... --json` prints them, with the admin
 * routes' response schemas beside the functions that fill them. The style is the public API's: snake_case keys,
 * ISO 8601 times (null when absent), and an event's `detail` an object, never a JSON string inside the JSON. Field
 * names follow `GET /profile/export` wherever it shows the same thing (a session's handle is its `id` there too).
 *
 * Each function's object is checked against its schema's properties at compile time (`satisfies Shaped<...>`): a
 * field added to one and not the other is a type error, not a field the serialiser silently drops.
 * @module
 */
import { eventJson, type AccountDetails, type AccountEvent, type AccountView, type Disabled, type Enabled, type ForcedReset, type SessionRecord } from '../../modules/accounts/index.js';
import type { AdminTokenSummary } from '../../modules/admin-tokens/index.js';
import type { StoredAuthEvent } from '../../modules/audit/index.js';
import type { OutboxSummary } from '../../modules/mail/index.js';
import { detailJson, iso, isoOrNull } from '../../kernel/json-style.js';

export { detailJson, iso, isoOrNull, snakeCase, snakeKeys } from '../../kernel/json-style.js';

/** An object with exactly the properties a schema declares, so a serialiser and its schema cannot drift apart. */
type Shaped<S extends { readonly properties: object }> = { readonly [K in keyof S['properties']]: unknown };

const integer = { type: 'integer' } as const;
const string = { type: 'string' } as const;
const boolean = { type: 'boolean' } as const;
const nullableString = { type: 'string', nullable: true } as const;
const time = { type: 'string', format: 'date-time' } as const;
const nullableTime = { type: 'string', format: 'date-time', nullable: true } as const;
const detail = { type: 'object', nullable: true, additionalProperties: true, description: 'The event\'s facts (counts, reasons), keys in snake_case' } as const;

/** An object schema whose every property is required: every field is always there, null when it has no value. */
function object<P extends Record<string, object>>(properties: P, description?: string) {
  return { type: 'object', properties, required: Object.keys(properties) as Array<keyof P & string>, ...(description === undefined ? {} : { description }) } as const;
}

/** An account as operators see it: the fields of `GET /profile/export`'s `account`. */
export const ACCOUNT = object({
  id: integer,
  email: string,
  state: { type: 'string', enum: ['active', 'disabled'] },
  created_at: time,
  updated_at: time,
  disabled_at: nullableTime,
  disabled_reason: nullableString,
  email_verified_at: nullableTime,
  language: string,
});

/** An account without hashes or credential version. */
export function accountJson(account: AccountView) {
  return {
    id: account.id,
    email: account.email,
    state: account.state,
    created_at: iso(account.createdAt),
    updated_at: iso(account.updatedAt),
    disabled_at: isoOrNull(account.disabledAt),
    disabled_reason: account.disabledReason,
    email_verified_at: isoOrNull(account.emailVerifiedAt),
    language: account.language,
  } satisfies Shaped<typeof ACCOUNT>;
}

/** A session named by its handle, as `GET /profile/export` and `GET /sessions` name it (`id`), never its id or hash. */
export const SESSION = object({
  id: { type: 'string', description: 'The session\'s handle: 16 hex digits, as `GET /sessions` shows it' },
  created_at: time,
  expires_at: time,
  last_used_at: nullableTime,
  ended_at: nullableTime,
  end_reason: nullableString,
});

/** One session of an account. */
export function sessionJson(session: SessionRecord) {
  return {
    id: session.handle,
    created_at: iso(session.createdAt),
    expires_at: iso(session.expiresAt),
    last_used_at: isoOrNull(session.lastUsedAt),
    ended_at: isoOrNull(session.endedAt),
    end_reason: session.endReason,
  } satisfies Shaped<typeof SESSION>;
}

/** One event of an account's recent ones: `GET /profile/events`' fields, with the id the audit log pages by. */
export const ACCOUNT_EVENT = object({
  id: integer,
  type: string,
  actor: string,
  created_at: time,
  request_id: nullableString,
  ip: nullableString,
  user_agent: nullableString,
  detail,
});

/** An event as the accounts service reads it for one account. */
export function accountEventJson(event: AccountEvent) {
  return {
    id: event.id,
    // The fields of the owner's own view (`GET /profile/events`), written once there.
    ...eventJson(event),
  } satisfies Shaped<typeof ACCOUNT_EVENT>;
}

/** One row of the audit log: an account's event, with the account (or the pseudonym of an address with none). */
export const AUDIT_EVENT = object({
  id: integer,
  type: string,
  user_id: { type: 'integer', nullable: true },
  email_pseudonym: { type: 'string', nullable: true, description: 'For an address with no account: a keyed hash, the same for every event about it' },
  actor: string,
  created_at: time,
  request_id: nullableString,
  ip: nullableString,
  user_agent: nullableString,
  detail,
});

/** An audit row as stored (detail a JSON string, times and ids possibly bigint strings on PostgreSQL). */
export function auditEventJson(event: StoredAuthEvent) {
  return {
    id: Number(event.id),
    type: event.type,
    user_id: event.user_id === null ? null : Number(event.user_id),
    email_pseudonym: event.email_pseudonym,
    actor: event.actor,
    created_at: iso(event.created_at),
    request_id: event.request_id,
    ip: event.ip,
    user_agent: event.user_agent,
    detail: detailJson(event.detail),
  } satisfies Shaped<typeof AUDIT_EVENT>;
}

/** A message to an account's address: its delivery state, never its body (which carries a link and a code). */
export const MAIL = object({
  id: integer,
  kind: string,
  channel: { type: 'string', enum: ['email', 'webhook'] },
  status: { type: 'string', enum: ['pending', 'sending', 'sent', 'failed', 'suppressed'] },
  attempts: integer,
  last_error: nullableString,
  created_at: time,
  sent_at: nullableTime,
});

/** An outbox row without its bodies, as operators see it. */
export function mailJson(message: OutboxSummary) {
  return {
    id: Number(message.id),
    kind: message.kind,
    channel: message.channel,
    status: message.status,
    attempts: Number(message.attempts),
    last_error: message.last_error,
    created_at: iso(message.created_at),
    sent_at: isoOrNull(message.sent_at),
  } satisfies Shaped<typeof MAIL>;
}

/** One account with its live sessions, its recent events and its recent mail: `GET /admin/users/:id`, `sesame users show`. */
export const ACCOUNT_DETAILS = object({
  account: ACCOUNT,
  sessions: { type: 'array', items: SESSION, description: 'Live sessions, newest first' },
  events: { type: 'array', items: ACCOUNT_EVENT, description: 'The 20 most recent events, newest first' },
  mail: { type: 'array', items: MAIL, description: 'The 20 most recent messages to its address, newest first' },
});

/** What an operator sees of one account. */
export function accountDetailsJson(details: AccountDetails, mail: readonly OutboxSummary[]) {
  return {
    account: accountJson(details.account),
    sessions: details.sessions.map(sessionJson),
    events: details.events.map(accountEventJson),
    mail: mail.map(mailJson),
  } satisfies Shaped<typeof ACCOUNT_DETAILS>;
}

/** An admin token as listed: never the token, which is shown once at its creation and kept only as a hash. */
export const ADMIN_TOKEN = object({
  id: integer,
  name: string,
  created_by: string,
  created_at: time,
  last_used_at: nullableTime,
  revoked_at: nullableTime,
});

/** One admin token's summary. */
export function adminTokenJson(token: AdminTokenSummary) {
  return {
    id: token.id,
    name: token.name,
    created_by: token.createdBy,
    created_at: iso(token.createdAt),
    last_used_at: isoOrNull(token.lastUsedAt),
    revoked_at: isoOrNull(token.revokedAt),
  } satisfies Shaped<typeof ADMIN_TOKEN>;
}

/** What a disable did: how many sessions ended, and whether the account was disabled already (nothing changed). */
export const DISABLED = object({ sessions_ended: integer, already_disabled: boolean });

/** A disable's result. */
export function disabledJson(result: Disabled) {
  return { sessions_ended: result.sessionsEnded, already_disabled: result.alreadyDisabled } satisfies Shaped<typeof DISABLED>;
}

/** What an enable did: whether the account was not disabled (nothing changed). */
export const ENABLED = object({ already_enabled: boolean });

/** An enable's result. */
export function enabledJson(result: Enabled) {
  return { already_enabled: result.alreadyEnabled } satisfies Shaped<typeof ENABLED>;
}

/** How many sessions an end of every session ended. */
export const SESSIONS_ENDED = object({ sessions_ended: integer });

/** The count of a revoke-sessions. */
export function sessionsEndedJson(ended: number) {
  return { sessions_ended: ended } satisfies Shaped<typeof SESSIONS_ENDED>;
}

/** What a force-reset did: the sessions it ended and how the new reset link went out. */
export const FORCED_RESET = object({
  sessions_ended: integer,
  delivery: {
    type: 'object',
    properties: {
      via: { type: 'string', enum: ['email', 'webhook', 'webhook-failed', 'returned', 'none'] },
      error: { type: 'string', description: 'With `webhook-failed`: why the webhook refused it' },
      token: { type: 'string', description: 'With `returned` (development only, no delivery configured): the reset token' },
    },
    required: ['via'],
  },
});

/** A force-reset's result; `delivery` carries `error` or `token` only when its `via` has one. */
export function forcedResetJson(result: ForcedReset) {
  return { sessions_ended: result.sessionsEnded, delivery: { ...result.delivery } } satisfies Shaped<typeof FORCED_RESET>;
}

/** An invitation as sent: to whom and until when (never its token: that is only in the mail). */
export const INVITATION = object({ email: string, expires_at: time });

/** The JSON of a sent invitation, for `POST /admin/invitations` and `sesame users invite --json`. */
export function invitationJson(sent: { readonly email: string; readonly expiresAt: number }) {
  return { email: sent.email, expires_at: iso(sent.expiresAt) } satisfies Shaped<typeof INVITATION>;
}

/** `{"message"}` and more: the admin actions answer a sentence for people beside the fields for scripts. */
function withMessage<S extends { readonly properties: Record<string, object> }>(schema: S) {
  return object({ message: string, ...schema.properties });
}

/** The admin routes' success answers, each the shapes above: the OpenAPI document and the serialiser read these. */
export const ADMIN_REPLIES = {
  users: object({ users: { type: 'array', items: ACCOUNT, description: 'Ordered by id' } }),
  user: ACCOUNT_DETAILS,
  disabled: withMessage(DISABLED),
  enabled: withMessage(ENABLED),
  deleted: object({ message: string }),
  sessionsEnded: SESSIONS_ENDED,
  forcedReset: FORCED_RESET,
  invitation: withMessage(INVITATION),
  created: withMessage(ACCOUNT),
  events: object({ events: { type: 'array', items: AUDIT_EVENT, description: 'Newest first' } }),
} as const;
