/**
 * The one JSON style, written once (src/surfaces/admin/json.ts): each serialiser gives exactly its schema's fields,
 * in snake_case with ISO times and `detail` an object; camelCase becomes snake_case at any depth (but not inside the
 * operator's own keys); and the style check the route and CLI tests lean on (test/support/json-style.ts) catches
 * each breach it is there for.
 * @module
 */
import { describe, expect, it } from 'vitest';
import {
  accountDetailsJson,
  accountEventJson,
  accountJson,
  ACCOUNT,
  ACCOUNT_DETAILS,
  ACCOUNT_EVENT,
  ADMIN_REPLIES,
  ADMIN_TOKEN,
  adminTokenJson,
  AUDIT_EVENT,
  auditEventJson,
  DISABLED,
  disabledJson,
  ENABLED,
  enabledJson,
  FORCED_RESET,
  forcedResetJson,
  iso,
  isoOrNull,
  MAIL,
  mailJson,
  SESSION,
  SESSIONS_ENDED,
  sessionJson,
  sessionsEndedJson,
  snakeCase,
  snakeKeys,
} from '../../../src/surfaces/admin/json.js';
import { expectJsonStyle, jsonStyleProblems } from '../../support/json-style.js';

const T1 = Date.UTC(2025, 0, 2, 3, 4, 5, 6);
const T2 = T1 + 60_000;

const view = { id: 7, email: 'a@example.com', state: 'disabled', createdAt: T1, updatedAt: T2, disabledAt: T2, disabledReason: 'leaked', emailVerifiedAt: null, language: 'fr' } as const;
const session = { handle: '0123456789abcdef', createdAt: T1, expiresAt: T2, lastUsedAt: null, endedAt: null, endReason: null } as const;
const event = { id: 3, type: 'account.disabled', actor: 'cli:ops', createdAt: T1, requestId: 'r-1', ip: '127.0.0.1', userAgent: 'curl', detail: { sessionsEnded: 2, emailChangeCancelled: true } } as const;
// As the audit table hands it back on PostgreSQL: bigints as strings, detail as JSON text.
const row = { id: '9', type: 'admin_token.created', user_id: null, email_pseudonym: null, actor: 'cli:ops', created_at: String(T1), request_id: null, ip: null, user_agent: null, detail: '{"tokenId":4,"name":"bot"}' };
const message = { id: 5, kind: 'email_verify', channel: 'email', recipient: 'a@example.com', subject: 's', status: 'sent', attempts: 1, next_attempt_at: T1, last_error: null, created_at: T1, sent_at: T2 } as const;
const token = { id: 4, name: 'bot', createdBy: 'cli:ops', createdAt: T1, lastUsedAt: T2, revokedAt: null };

describe('the shared serialisers', () => {
  it('write each thing with exactly its schema\'s fields, in the one style', () => {
    const cases: Array<[string, Record<string, unknown>, { properties: object; required: readonly string[] }]> = [
      ['account', accountJson(view), ACCOUNT],
      ['session', sessionJson(session), SESSION],
      ['account event', accountEventJson(event), ACCOUNT_EVENT],
      ['audit event', auditEventJson(row as never), AUDIT_EVENT],
      ['mail', mailJson(message), MAIL],
      ['details', accountDetailsJson({ account: view, sessions: [session], events: [event] }, [message]), ACCOUNT_DETAILS],
      ['admin token', adminTokenJson(token), ADMIN_TOKEN],
      ['disabled', disabledJson({ sessionsEnded: 1, alreadyDisabled: false }), DISABLED],
      ['enabled', enabledJson({ alreadyEnabled: true }), ENABLED],
      ['sessions ended', sessionsEndedJson(3), SESSIONS_ENDED],
      ['forced reset', forcedResetJson({ sessionsEnded: 1, delivery: { via: 'email' } }), FORCED_RESET],
    ];
    for (const [name, json, schema] of cases) {
      expect(Object.keys(json), name).toEqual(Object.keys(schema.properties));
      expect([...schema.required].sort(), name).toEqual(Object.keys(schema.properties).sort());
      expectJsonStyle(json, name);
    }
  });

  it('match GET /profile/export\'s names and values where they show the same thing', () => {
    expect(accountJson(view)).toEqual({
      id: 7,
      email: 'a@example.com',
      state: 'disabled',
      created_at: '2025-01-02T03:04:05.006Z',
      updated_at: '2025-01-02T03:05:05.006Z',
      disabled_at: '2025-01-02T03:05:05.006Z',
      disabled_reason: 'leaked',
      email_verified_at: null,
      language: 'fr',
    });
    expect(sessionJson(session)).toEqual({ id: '0123456789abcdef', created_at: '2025-01-02T03:04:05.006Z', expires_at: '2025-01-02T03:05:05.006Z', last_used_at: null, ended_at: null, end_reason: null });
  });

  it('parse an event\'s detail into an object with snake_case keys, and read PostgreSQL\'s bigint strings as numbers', () => {
    expect(accountEventJson(event).detail).toEqual({ sessions_ended: 2, email_change_cancelled: true });
    expect(auditEventJson(row as never)).toEqual({
      id: 9,
      type: 'admin_token.created',
      user_id: null,
      email_pseudonym: null,
      actor: 'cli:ops',
      created_at: '2025-01-02T03:04:05.006Z',
      request_id: null,
      ip: null,
      user_agent: null,
      detail: { token_id: 4, name: 'bot' },
    });
    expect(auditEventJson({ ...row, user_id: '12', detail: null } as never)).toMatchObject({ user_id: 12, detail: null });
    expect(mailJson({ ...message, id: '5', attempts: '2', created_at: String(T1), sent_at: null } as never)).toMatchObject({ id: 5, attempts: 2, created_at: '2025-01-02T03:04:05.006Z', sent_at: null });
  });

  it('keep a force-reset\'s delivery as it went: its error or (development) its token, only when there is one', () => {
    expect(forcedResetJson({ sessionsEnded: 2, delivery: { via: 'webhook-failed', error: 'HTTP 500' } })).toEqual({ sessions_ended: 2, delivery: { via: 'webhook-failed', error: 'HTTP 500' } });
    expect(forcedResetJson({ sessionsEnded: 0, delivery: { via: 'returned', token: 't' } })).toEqual({ sessions_ended: 0, delivery: { via: 'returned', token: 't' } });
    expect(forcedResetJson({ sessionsEnded: 0, delivery: { via: 'none' } })).toEqual({ sessions_ended: 0, delivery: { via: 'none' } });
  });

  it('give every admin reply schema its fields, each required (no open object the serialiser passes through)', () => {
    for (const [name, schema] of Object.entries(ADMIN_REPLIES)) {
      expect(schema.type, name).toBe('object');
      expect(Object.keys(schema.properties).length, name).toBeGreaterThan(0);
      expect([...schema.required].sort(), name).toEqual(Object.keys(schema.properties).sort());
      expect(schema, name).not.toHaveProperty('additionalProperties');
    }
    expect(Object.keys(ADMIN_REPLIES.disabled.properties)).toEqual(['message', 'sessions_ended', 'already_disabled']);
  });
});

describe('snake_case and times', () => {
  it('turns camelCase into snake_case and leaves snake_case alone', () => {
    expect(['sessionsEnded', 'retryAfterSec', 'tokenId', 'idleSessionsEnded', 'smtpUrl', 'already_done', 'ip', 'maxHeapUsedPercent', 'requestID'].map(snakeCase)).toEqual([
      'sessions_ended',
      'retry_after_sec',
      'token_id',
      'idle_sessions_ended',
      'smtp_url',
      'already_done',
      'ip',
      'max_heap_used_percent',
      'request_id',
    ]);
  });

  it('renames keys at any depth, in arrays too, but not inside a key named verbatim', () => {
    const settings = { rateLimits: { ipMax: 5, list: [{ keyPrefix: 'a' }] }, pages: { productName: 'X', texts: { en: { 'account.sessions.endOne': 'End' } } } };
    expect(snakeKeys(settings, new Set(['texts']))).toEqual({ rate_limits: { ip_max: 5, list: [{ key_prefix: 'a' }] }, pages: { product_name: 'X', texts: { en: { 'account.sessions.endOne': 'End' } } } });
    expect(snakeKeys({ texts: { fooBar: 1 } })).toEqual({ texts: { foo_bar: 1 } });
    expect(snakeKeys(null)).toBeNull();
    expect(snakeKeys('keepMe')).toBe('keepMe');
  });

  it('writes epoch milliseconds (or their bigint string) as ISO 8601, and null as null', () => {
    expect(iso(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(iso('1735787045006')).toBe('2025-01-02T03:04:05.006Z');
    expect(isoOrNull(null)).toBeNull();
    expect(isoOrNull(T1)).toBe('2025-01-02T03:04:05.006Z');
  });
});

describe('the style check itself', () => {
  it('finds a camelCase key, an epoch time, a time that is not one, and a detail left as a string, wherever they are', () => {
    expect(jsonStyleProblems({ users: [{ createdAt: 1 }] })).toEqual(['$.users[0].createdAt: key is not snake_case']);
    expect(jsonStyleProblems({ a: { created_at: 1735787045006 } })).toEqual(['$.a.created_at: 1735787045006 is not an ISO 8601 time or null']);
    expect(jsonStyleProblems({ sent_at: '2025-01-02' })).toEqual(['$.sent_at: "2025-01-02" is not an ISO 8601 time or null']);
    expect(jsonStyleProblems({ sent_at: '2025-02-30T00:00:00.000Z' })).toEqual(['$.sent_at: "2025-02-30T00:00:00.000Z" is not an ISO 8601 time or null']);
    expect(jsonStyleProblems({ events: [{ detail: '{"a":1}' }] })).toEqual(['$.events[0].detail: "{\\"a\\":1}" is not an object or null']);
    expect(jsonStyleProblems({ detail: { sessionsEnded: 1 } })).toEqual(['$.detail.sessionsEnded: key is not snake_case']);
    expect(jsonStyleProblems({ texts: { 'a.bC': 'x' } }, { verbatim: new Set(['texts']) })).toEqual([]);
    expect(jsonStyleProblems({ ended_at: null, detail: null, created_at: '2025-01-02T03:04:05.006Z', n: [1, 'x'] })).toEqual([]);
  });
});
