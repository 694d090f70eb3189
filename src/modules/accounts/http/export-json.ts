/**
 * The owner's export and events as JSON, written once: `GET /profile/export` answers with it and the account page's
 * download (`/account/export`) sends the same document, so the two can never drift apart (a field added to one and
 * forgotten in the other, or a secret left out of one only).
 * @module
 */
import { detailJson, iso, isoOrNull } from '../../../kernel/json-style.js';
import { sessionHandle, type ValidSession } from '../../sessions/index.js';
import type { AccountEvent, AccountExport } from '../schema.js';

/** An event as the owner's routes write it. */
export function eventJson(event: AccountEvent) {
  return {
    type: event.type,
    actor: event.actor,
    created_at: iso(event.createdAt),
    request_id: event.requestId,
    ip: event.ip,
    user_agent: event.userAgent,
    // The facts are written by code in camelCase; they leave in the one style, as the admin API shows them.
    detail: detailJson(event.detail),
  };
}

/**
 * Everything kept about the account as its owner downloads it: sessions as handles (never an id or a hash, with the
 * one `session` presents marked current), events, and mail as what and when (never a body).
 */
export function exportJson(exported: AccountExport, session: Pick<ValidSession, 'idHash'>) {
  const { account } = exported;
  const current = sessionHandle(session.idHash);
  return {
    account: {
      id: account.id,
      email: account.email,
      state: account.state,
      created_at: iso(account.createdAt),
      updated_at: iso(account.updatedAt),
      disabled_at: isoOrNull(account.disabledAt),
      disabled_reason: account.disabledReason,
      email_verified_at: isoOrNull(account.emailVerifiedAt),
      language: account.language,
    },
    sessions: exported.sessions.map((s) => ({
      id: s.handle,
      created_at: iso(s.createdAt),
      expires_at: iso(s.expiresAt),
      last_used_at: isoOrNull(s.lastUsedAt),
      ended_at: isoOrNull(s.endedAt),
      end_reason: s.endReason,
      current: s.handle === current,
    })),
    events: exported.events.map(eventJson),
    mail: exported.mail.map((m) => ({
      kind: m.kind,
      channel: m.channel,
      status: m.status,
      attempts: m.attempts,
      created_at: iso(m.createdAt),
      sent_at: isoOrNull(m.sentAt),
    })),
  };
}
