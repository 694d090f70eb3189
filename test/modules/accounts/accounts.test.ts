// The accounts service on both engines: disabling (with the race against a login in flight), enabling, force-reset,
// deletion that leaves nothing of the user but pseudonymised audit rows, and an export equal to what the database holds.
import { beforeEach, expect, it } from 'vitest';
import { AccountError } from '../../../src/modules/accounts/index.js';
import { InvalidResetTokenError } from '../../../src/modules/password/index.js';
import { accountKey } from '../../../src/modules/rate-limits/index.js';
import type { Sesame } from '../../../src/sesame.js';
import { CountingHasher, GatedHasher } from '../../support/doubles.js';
import { describeEngines, useFreshStorage } from '../../support/engines.js';
import { useServices } from '../../support/in-process.js';
import { startWebhookRecorder } from '../../support/webhook.js';

const EMAIL = 'owner@x.io';
const PASSWORD = 'the owner password';
const CLI = { actor: 'cli' };

describeEngines('accounts service', (engine) => {
  const storage = useFreshStorage(engine);
  const build = useServices(storage, { BCRYPT_COST: '4' }, Date.now);
  let sesame: Sesame;
  let userId: number;
  beforeEach(async () => {
    sesame = await build();
    userId = (await sesame.password.registration.register(EMAIL, PASSWORD)).id;
  });

  /** The account's sessions that have not ended, read from the table. */
  async function liveSessions(id = userId): Promise<number> {
    const rows = await storage().kysely.selectFrom('sessions').select('id_hash').where('user_id', '=', id).where('ended_at', 'is', null).execute();
    return rows.length;
  }

  /** The stored row of the account. */
  async function row() {
    return storage().kysely.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  }

  it('disable marks the account, bumps the credential version, ends every session and records the actor; enable restores login', async () => {
    const phone = await sesame.password.login.login(EMAIL, PASSWORD, undefined);
    await sesame.password.login.login(EMAIL, PASSWORD, undefined);
    const before = await row();
    expect(await sesame.accounts.disable(userId, 'chargeback', CLI)).toEqual({ sessionsEnded: 2, alreadyDisabled: false });
    const after = await row();
    expect(after.disabled_reason).toBe('chargeback');
    expect(after.disabled_at).not.toBeNull();
    expect(after.credential_version).toBe(before.credential_version + 1);
    expect(await liveSessions()).toBe(0);
    const reasons = await storage().kysely.selectFrom('sessions').select('end_reason').where('user_id', '=', userId).execute();
    expect(reasons.map((r) => r.end_reason)).toEqual(['disabled', 'disabled']);
    expect(await sesame.sessions.validate(phone?.sessionId)).toBeNull();
    expect(await sesame.password.login.login(EMAIL, PASSWORD, undefined)).toBeNull();
    const [disabled] = await sesame.audit.list({ type: 'account.disabled' });
    expect(disabled).toMatchObject({ user_id: userId, actor: 'cli', detail: '{"sessionsEnded":2}' });
    expect((await sesame.accounts.find(EMAIL))?.state).toBe('disabled');

    expect(await sesame.accounts.enable(userId, { actor: 'admin:t1' })).toEqual({ alreadyEnabled: false });
    expect(await row()).toMatchObject({ disabled_at: null, disabled_reason: null });
    const [enabled] = await sesame.audit.list({ type: 'account.enabled' });
    expect(enabled).toMatchObject({ user_id: userId, actor: 'admin:t1' });
    const again = await sesame.password.login.login(EMAIL, PASSWORD, undefined);
    expect(again).not.toBeNull();
    expect(await sesame.sessions.validate(again?.sessionId)).not.toBeNull();
    // Sessions the disable ended stay ended.
    expect(await sesame.sessions.validate(phone?.sessionId)).toBeNull();
  });

  it('disabling a disabled account, or enabling an enabled one, changes nothing and records no second event', async () => {
    expect(await sesame.accounts.enable(userId, CLI)).toEqual({ alreadyEnabled: true });
    expect(await sesame.audit.list({ type: 'account.enabled' })).toEqual([]);
    await sesame.accounts.disable(userId, 'first reason', CLI);
    const first = await row();
    expect(await sesame.accounts.disable(userId, 'second reason', { actor: 'admin:t2' })).toEqual({ sessionsEnded: 0, alreadyDisabled: true });
    // The first disable's reason, time and credential version stay: the repeat wrote nothing.
    expect(await row()).toEqual(first);
    expect((await sesame.audit.list({ type: 'account.disabled' })).map((event) => event.actor)).toEqual(['cli']);
    expect(await sesame.accounts.enable(userId, CLI)).toEqual({ alreadyEnabled: false });
    expect(await sesame.accounts.enable(userId, CLI)).toEqual({ alreadyEnabled: true });
    expect(await sesame.audit.list({ type: 'account.enabled' })).toHaveLength(1);
  });

  it('a login whose password check passed before the disable commits creates no session', async () => {
    const hasher = new GatedHasher(4);
    const attacker = await build({}, hasher);
    const held = hasher.arm('verify', PASSWORD);
    const login = attacker.password.login.login(EMAIL, PASSWORD, undefined);
    await held.reached;
    await sesame.accounts.disable(userId, 'compromised', CLI);
    held.release();
    expect(await login).toBeNull();
    expect(await liveSessions()).toBe(0);
    const [failed] = await sesame.audit.list({ type: 'login.failed' });
    expect(failed).toMatchObject({ user_id: userId, detail: '{"reason":"credential-changed"}' });
  });

  it('a session inserted after the disable (a password change in flight) is refused all the same', async () => {
    await sesame.accounts.disable(userId, 'abuse', CLI);
    const late = await sesame.sessions.create(userId);
    expect(await sesame.sessions.validate(late)).toBeNull();
    await sesame.accounts.enable(userId, CLI);
    // Enabling makes such a row valid again only because it was never ended; a disable always ends what exists.
    expect(await sesame.sessions.validate(late)).not.toBeNull();
  });

  it('a disabled account is checked with the same bcrypt work as a wrong password and refused alike', async () => {
    const hasher = new CountingHasher(4);
    const counted = await build({}, hasher);
    await sesame.accounts.disable(userId, 'abuse', CLI);
    const stored = (await row()).hashed_password;
    hasher.reset();
    expect(await counted.password.login.login(EMAIL, PASSWORD, undefined)).toBeNull();
    const disabledWork = [...hasher.verifyHashes];
    hasher.reset();
    expect(await counted.password.login.login(EMAIL, 'wrong password', undefined)).toBeNull();
    expect(disabledWork).toEqual([stored]);
    expect(hasher.verifyHashes).toEqual([stored]);
  });

  it('a reset request for a disabled account is answered and recorded as for an unknown email, and issues nothing', async () => {
    const pending = await sesame.password.reset.request(EMAIL);
    await sesame.accounts.disable(userId, 'abuse', CLI);
    expect(await sesame.password.reset.request(EMAIL)).toBeNull();
    expect(await sesame.password.reset.request('nobody@x.io')).toBeNull();
    const [unknown, disabled] = await sesame.audit.list({ type: 'password.reset_requested', limit: 2 });
    expect(disabled).toMatchObject({ user_id: null, email_pseudonym: sesame.audit.pseudonym(EMAIL) });
    expect(unknown).toMatchObject({ user_id: null, email_pseudonym: sesame.audit.pseudonym('nobody@x.io') });
    // The link sent before the disable died with it.
    await expect(sesame.password.reset.reset(pending?.token ?? '', 'a new password', EMAIL)).rejects.toBeInstanceOf(InvalidResetTokenError);
    const live = await storage().kysely.selectFrom('verification_tokens').select('id').where('user_id', '=', userId).where('consumed_at', 'is', null).execute();
    expect(live).toEqual([]);
  });

  it('force-reset ends every session, makes the password unusable, and returns the token in development', async () => {
    const hasher = new CountingHasher(4);
    const counted = await build({}, hasher);
    const session = await sesame.password.login.login(EMAIL, PASSWORD, undefined);
    const before = await row();
    const forced = await counted.accounts.forceReset(userId, CLI);
    expect(forced.sessionsEnded).toBe(1);
    expect(forced.delivery.via).toBe('returned');
    const after = await row();
    expect(after.credential_version).toBe(before.credential_version + 1);
    expect(after.hashed_password).not.toBe(before.hashed_password);
    expect(await sesame.sessions.validate(session?.sessionId)).toBeNull();
    hasher.reset();
    expect(await counted.password.login.login(EMAIL, PASSWORD, undefined)).toBeNull();
    // A full comparison against the unusable hash: the same work as a wrong password.
    expect(hasher.verifyHashes).toEqual([after.hashed_password]);
    const [event] = await sesame.audit.list({ type: 'account.force_reset' });
    expect(event).toMatchObject({ user_id: userId, actor: 'cli', detail: '{"sessionsEnded":1,"delivery":"returned"}' });
    if (forced.delivery.via !== 'returned') throw new Error('expected the token');
    await sesame.password.reset.reset(forced.delivery.token, 'the new password', EMAIL);
    expect(await sesame.password.login.login(EMAIL, 'the new password', undefined)).not.toBeNull();
  });

  it('force-reset sends the token through the webhook when one is configured, never returning it', async () => {
    const webhook = await startWebhookRecorder();
    try {
      const hooked = await build({ RESET_TOKEN_DELIVERY: 'webhook', RESET_WEBHOOK_URL: webhook.url });
      const forced = await hooked.accounts.forceReset(userId, CLI);
      expect(forced.delivery).toEqual({ via: 'webhook' });
      // The message committed with the token; the outbox sends it (these builders run no dispatcher of their own).
      expect(await hooked.mail.dispatchDue()).toBe(1);
      expect(webhook.deliveries).toHaveLength(1);
      const body = webhook.deliveries[0]?.body as { email: string; reset_token: string };
      expect(body.email).toBe(EMAIL);
      await sesame.password.reset.reset(body.reset_token, 'the new password', EMAIL);
      expect(await sesame.password.login.verify(EMAIL, 'the new password')).not.toBeNull();
    } finally {
      await webhook.close();
    }
  });

  it('a force-reset is never held by the per-recipient limit: its message is queued and the answer says email', async () => {
    const mailed = await build({ RESET_TOKEN_DELIVERY: 'email', MAIL_FROM: 'auth@example.com', MAIL_RECIPIENT_HOURLY_MAX: '1' });
    // The owner's own request uses the address's one message this hour.
    expect(await mailed.password.reset.request(EMAIL)).not.toBeNull();
    const forced = await mailed.accounts.forceReset(userId, CLI);
    expect(forced.delivery).toEqual({ via: 'email' });
    const [event] = await sesame.audit.list({ type: 'account.force_reset' });
    expect(JSON.parse(event?.detail ?? '{}')).toEqual({ sessionsEnded: 0, delivery: 'email' });
    const rows = await storage().kysely.selectFrom('mail_outbox').select('id').where('recipient', '=', EMAIL).where('kind', '=', 'password_reset').orderBy('id').execute();
    expect(rows).toHaveLength(2);
    // The queued message carries the one link that works: the force-reset spent the earlier one.
    const text = (await mailed.mail.find(rows[1]?.id ?? 0))?.text_body ?? '';
    const token = decodeURIComponent(/\/account\/reset\?token=([^\s"<&]+)/.exec(text)?.[1] ?? '');
    await mailed.password.reset.reset(token, 'the new password', EMAIL);
    expect(await mailed.password.login.verify(EMAIL, 'the new password')).not.toBeNull();
  });

  it('delete leaves no row of the user but pseudonymised audit rows', async () => {
    const limited = await build({ RATE_LIMIT_STORE: 'database' });
    await sesame.password.login.login(EMAIL, PASSWORD, undefined);
    await sesame.password.reset.request(EMAIL);
    // A message to the address (a verification link: development mails by .eml files), which the outbox keeps.
    await sesame.email.resend(EMAIL);
    expect(await storage().kysely.selectFrom('mail_outbox').select('id').where('recipient', '=', EMAIL).execute()).toHaveLength(1);
    await limited.rateLimits?.hit('login', '203.0.113.9', EMAIL);
    const other = await sesame.password.registration.register('other@x.io', PASSWORD);
    await sesame.password.login.login('other@x.io', PASSWORD, undefined);
    const eventsBefore = (await sesame.audit.list({ userId })).length;
    const countersBefore = await storage().kysely.selectFrom('rate_limits').select('key').execute();
    expect(countersBefore.filter((r) => r.key.includes(accountKey(EMAIL))).length).toBeGreaterThan(0);

    await sesame.accounts.delete(userId, CLI);

    const db = storage().kysely;
    expect(await db.selectFrom('users').select('id').where('id', '=', userId).execute()).toEqual([]);
    expect(await db.selectFrom('users').select('id').where('email', '=', EMAIL).execute()).toEqual([]);
    expect(await db.selectFrom('sessions').select('id_hash').where('user_id', '=', userId).execute()).toEqual([]);
    expect(await db.selectFrom('verification_tokens').select('id').where('user_id', '=', userId).execute()).toEqual([]);
    expect(await db.selectFrom('auth_events').select('id').where('user_id', '=', userId).execute()).toEqual([]);
    const rateRows = await db.selectFrom('rate_limits').select('key').execute();
    expect(rateRows.filter((r) => r.key.includes(accountKey(EMAIL)))).toEqual([]);
    // No text column of any table holds the address.
    for (const table of ['users', 'sessions', 'verification_tokens', 'auth_events', 'rate_limits', 'sesame_secrets', 'mail_outbox'] as const) {
      const rows = (await db.selectFrom(table).selectAll().execute()) as Array<Record<string, unknown>>;
      expect(JSON.stringify(rows), table).not.toContain(EMAIL);
    }
    const pseudonymised = await db.selectFrom('auth_events').selectAll().where('email_pseudonym', '=', sesame.audit.pseudonym(EMAIL)).orderBy('id').execute();
    expect(pseudonymised.length).toBe(eventsBefore + 1);
    expect(pseudonymised.every((r) => r.user_id === null)).toBe(true);
    expect(pseudonymised.at(-1)).toMatchObject({ type: 'account.deleted', actor: 'cli' });
    // The other account is untouched.
    expect(await liveSessions(other.id)).toBe(1);
    expect(await sesame.password.login.login(EMAIL, PASSWORD, undefined)).toBeNull();
    await expect(sesame.accounts.delete(userId, CLI)).rejects.toBeInstanceOf(AccountError);
  });

  it('export equals what the database holds, without any hash', async () => {
    await sesame.password.login.login(EMAIL, PASSWORD, undefined);
    const second = await sesame.password.login.login(EMAIL, PASSWORD, undefined);
    await sesame.sessions.logout(second?.sessionId);
    await sesame.password.login.login(EMAIL, 'wrong', undefined);
    await sesame.email.resend(EMAIL);
    await sesame.password.registration.register('other@x.io', PASSWORD);
    await sesame.email.resend('other@x.io');
    const exported = await sesame.accounts.exportOf(userId);
    const db = storage().kysely;
    const user = await row();
    expect(exported.account).toEqual({
      id: userId,
      email: EMAIL,
      state: 'active',
      createdAt: Number(user.created_at),
      updatedAt: Number(user.updated_at),
      disabledAt: null,
      disabledReason: null,
      // Registered in development without mail: unverified, in the default language.
      emailVerifiedAt: null,
      language: 'en',
    });
    const sessions = await db.selectFrom('sessions').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id_hash').execute();
    expect(exported.sessions).toEqual(
      sessions.map((s) => ({
        handle: s.id_hash.slice(0, 16),
        createdAt: Number(s.created_at),
        expiresAt: Number(s.expires_at),
        lastUsedAt: s.last_used_at === null ? null : Number(s.last_used_at),
        endedAt: s.ended_at === null ? null : Number(s.ended_at),
        endReason: s.end_reason,
      })),
    );
    const events = await db.selectFrom('auth_events').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').execute();
    expect(exported.events.map((e) => [e.id, e.type, e.actor, e.createdAt, e.detail])).toEqual(
      events.map((e) => [Number(e.id), e.type, e.actor, Number(e.created_at), e.detail === null ? null : JSON.parse(e.detail)]),
    );
    expect(exported.events.map((e) => e.type)).toEqual(['email.verification_sent', 'login.failed', 'session.logged_out', 'login.succeeded', 'login.succeeded', 'account.created']);
    // The messages sent to the account's address: what and when, never the body (it carries a link and a code).
    const mail = await db.selectFrom('mail_outbox').selectAll().where('recipient', '=', EMAIL).orderBy('id', 'desc').execute();
    expect(mail).toHaveLength(1);
    expect(exported.mail).toEqual(
      mail.map((m) => ({ kind: m.kind, channel: m.channel, status: m.status, attempts: m.attempts, createdAt: Number(m.created_at), sentAt: m.sent_at === null ? null : Number(m.sent_at) })),
    );
    expect(exported.mail).toEqual([expect.objectContaining({ kind: 'email_verify', status: 'pending' })]);
    const text = JSON.stringify(exported);
    const body = (await sesame.mail.find(mail[0]?.id ?? 0))?.text_body ?? '';
    const token = /token=([^\s"<&]+)/.exec(body)?.[1] ?? 'missing';
    expect(text).not.toContain(token);
    expect(text).not.toContain(user.hashed_password);
    for (const s of sessions) expect(text).not.toContain(s.id_hash);
  });

  it('find, list, show, revokeSessions and eventsOf', async () => {
    const b = await sesame.password.registration.register('b@x.io', PASSWORD);
    const c = await sesame.password.registration.register('c@y.io', PASSWORD);
    await sesame.accounts.disable(b.id, 'spam', CLI);
    expect((await sesame.accounts.find(String(userId)))?.email).toBe(EMAIL);
    expect((await sesame.accounts.find(c.id))?.email).toBe('c@y.io');
    expect((await sesame.accounts.find(' C@Y.io '))?.id).toBe(c.id);
    expect(await sesame.accounts.find('nobody@x.io')).toBeUndefined();
    expect((await sesame.accounts.list({ limit: 10, offset: 0 })).map((a) => a.id)).toEqual([userId, b.id, c.id]);
    expect((await sesame.accounts.list({ limit: 2, offset: 1 })).map((a) => a.id)).toEqual([b.id, c.id]);
    expect((await sesame.accounts.list({ state: 'disabled', limit: 10, offset: 0 })).map((a) => a.id)).toEqual([b.id]);
    expect((await sesame.accounts.list({ state: 'active', limit: 10, offset: 0 })).map((a) => a.id)).toEqual([userId, c.id]);
    expect((await sesame.accounts.list({ emailPrefix: 'C@', limit: 10, offset: 0 })).map((a) => a.id)).toEqual([c.id]);
    expect(await sesame.accounts.list({ emailPrefix: '%', limit: 10, offset: 0 })).toEqual([]);

    await sesame.password.login.login(EMAIL, PASSWORD, undefined);
    await sesame.password.login.login(EMAIL, PASSWORD, undefined);
    const shown = await sesame.accounts.show(userId);
    expect(shown.account.email).toBe(EMAIL);
    expect(shown.sessions).toHaveLength(2);
    expect(shown.sessions.every((s) => /^[0-9a-f]{16}$/.test(s.handle) && s.endedAt === null)).toBe(true);
    expect(shown.events.map((e) => e.type)).toEqual(['login.succeeded', 'login.succeeded', 'account.created']);
    expect(JSON.stringify(shown)).not.toContain('hashed_password');

    expect(await sesame.accounts.revokeSessions(userId, { actor: 'admin:t9' })).toBe(2);
    expect((await sesame.accounts.show(userId)).sessions).toEqual([]);
    const page = await sesame.accounts.eventsOf(userId, { limit: 2, offset: 0 });
    expect(page.map((e) => [e.type, e.actor])).toEqual([
      ['account.sessions_revoked', 'admin:t9'],
      ['login.succeeded', 'user'],
    ]);
    expect((await sesame.accounts.eventsOf(userId, { limit: 10, offset: 3 })).map((e) => e.type)).toEqual(['account.created']);
    await expect(sesame.accounts.show(999_999)).rejects.toMatchObject({ code: 'account.not_found' });
    await expect(sesame.accounts.disable(999_999, 'x', CLI)).rejects.toMatchObject({ code: 'account.not_found' });
    await expect(sesame.accounts.enable(999_999, CLI)).rejects.toMatchObject({ code: 'account.not_found' });
  });
});
