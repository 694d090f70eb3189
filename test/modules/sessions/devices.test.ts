// Devices a user can recognise, on both engines: a session records the user agent (cut to 256 characters) and the
// client address at login and with each recorded use (at most once a minute, with or without an inactivity timeout),
// the session list shows them with when the session was last seen, and an audit row takes a 128-character request id.
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EventContext } from '../../../src/kernel/events.js';
import type { Sesame } from '../../../src/sesame.js';
import { describeEngines, useFreshStorage } from '../../support/engines.js';
import { send, uniqueEmail } from '../../support/http.js';
import { startService, useServices } from '../../support/in-process.js';

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;
const LAPTOP: EventContext = { actor: 'user', requestId: 'r'.repeat(128), ip: '203.0.113.7', userAgent: 'Firefox/140.0' };

/** SHA-256 hex, what the database holds of a session id. */
function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

describeEngines('session devices', (engine) => {
  const storage = useFreshStorage(engine);
  let now = T0;
  let sesame: Sesame;
  const build = useServices(storage, { SESSION_TTL: '1d' }, () => now);
  beforeEach(async () => {
    now = T0;
    sesame = await build();
  });

  /** The stored device columns and last use of a session. */
  const row = async (sessionId: string): Promise<unknown> =>
    storage().kysely.selectFrom('sessions').select(['user_agent', 'ip', 'last_used_at']).where('id_hash', '=', sha256(sessionId)).executeTakeFirst();

  /** Registers an account and logs in from `context`; returns the session id. */
  async function loginFrom(context: EventContext): Promise<string> {
    await sesame.password.registration.register('a@x.io', 'pw');
    const loggedIn = await sesame.password.login.login('a@x.io', 'pw', undefined, context);
    if (loggedIn === null) throw new Error('login failed');
    return loggedIn.sessionId;
  }

  it('records the device at login and a 128-character request id on the audit row', async () => {
    const sessionId = await loginFrom(LAPTOP);
    expect(await row(sessionId)).toEqual({ user_agent: 'Firefox/140.0', ip: '203.0.113.7', last_used_at: null });
    const [event] = await sesame.audit.list({ type: 'login.succeeded' });
    expect(event?.request_id).toBe('r'.repeat(128));
  });

  it('records a use and its device at most once a minute without an inactivity timeout, and lists them', async () => {
    const sessionId = await loginFrom(LAPTOP);
    const phone = { ip: '198.51.100.9', userAgent: 'Safari/18' };
    now = T0 + MINUTE - 1;
    const checked = await sesame.sessions.validate(sessionId, phone);
    if (checked === null) throw new Error('session not live');
    // Within the minute: the check stays one read, nothing is written.
    expect(await row(sessionId)).toEqual({ user_agent: 'Firefox/140.0', ip: '203.0.113.7', last_used_at: null });
    expect((await sesame.sessions.list(checked)).map((s) => [s.userAgent, s.ip, s.lastSeenAt])).toEqual([['Firefox/140.0', '203.0.113.7', T0]]);
    now = T0 + MINUTE;
    await sesame.sessions.validate(sessionId, phone);
    expect(await row(sessionId)).toEqual({ user_agent: 'Safari/18', ip: '198.51.100.9', last_used_at: T0 + MINUTE });
    now = T0 + MINUTE + 30_000;
    await sesame.sessions.validate(sessionId, LAPTOP);
    expect((await sesame.sessions.list(checked)).map((s) => [s.userAgent, s.ip, s.lastSeenAt, s.current])).toEqual([
      ['Safari/18', '198.51.100.9', T0 + MINUTE, true],
    ]);
    // A check that knows no device (the seed facade) records the use and leaves the device as it was.
    now = T0 + 3 * MINUTE;
    await sesame.auth.getUserFromSessionId(sessionId);
    expect(await row(sessionId)).toEqual({ user_agent: 'Safari/18', ip: '198.51.100.9', last_used_at: T0 + 3 * MINUTE });
  });

  it('cuts a long user agent to 256 characters, at login and on use, so the write never fails', async () => {
    const sessionId = await loginFrom({ actor: 'user', userAgent: `agent/${'é'.repeat(400)}`, ip: '192.0.2.1' });
    expect(((await row(sessionId)) as { user_agent: string }).user_agent).toHaveLength(256);
    now = T0 + MINUTE;
    await sesame.sessions.validate(sessionId, { userAgent: 'z'.repeat(1000), ip: '2001:db8::1' });
    expect(await row(sessionId)).toEqual({ user_agent: 'z'.repeat(256), ip: '2001:db8::1', last_used_at: T0 + MINUTE });
  });

  it('keeps the shorter interval of an inactivity timeout, recording the device with it', async () => {
    const idling = await build({ SESSION_IDLE_TIMEOUT: '60s' });
    await idling.password.registration.register('b@x.io', 'pw');
    const sessionId = (await idling.password.login.login('b@x.io', 'pw', undefined, LAPTOP))?.sessionId ?? '';
    now = T0 + 6_000;
    await idling.sessions.validate(sessionId, { ip: '198.51.100.10' });
    expect(await row(sessionId)).toEqual({ user_agent: null, ip: '198.51.100.10', last_used_at: T0 + 6_000 });
  });
});

describeEngines('migration 0010_sessions_devices', (engine) => {
  it('keeps sessions from before it (device unknown) and lets an audit row take a 128-character request id', async () => {
    const old = await engine.open({ upTo: '0009_users_disabled' });
    try {
      await old.kysely.insertInto('users').values({ email: 'old@x.io', hashed_password: 'x', created_at: T0, updated_at: T0 } as never).execute();
      const user = await old.kysely.selectFrom('users').select('id').executeTakeFirstOrThrow();
      await old.kysely.insertInto('sessions').values({ id_hash: sha256('old'), user_id: user.id, created_at: T0, expires_at: T0 + MINUTE } as never).execute();
      await old.detach();
      const upgraded = await old.reopen();
      try {
        const stored = await upgraded.kysely.selectFrom('sessions').select(['user_agent', 'ip', 'last_used_at']).executeTakeFirstOrThrow();
        expect(stored).toEqual({ user_agent: null, ip: null, last_used_at: null });
        await upgraded.kysely
          .insertInto('auth_events')
          .values({ type: 'login.succeeded', actor: 'user', request_id: 'q'.repeat(128), created_at: T0 } as never)
          .execute();
        const event = await upgraded.kysely.selectFrom('auth_events').select('request_id').executeTakeFirstOrThrow();
        expect(event.request_id).toHaveLength(128);
      } finally {
        await upgraded.close();
      }
    } catch (error) {
      await old.close().catch(() => undefined);
      throw error;
    }
  });
});

describe('GET /sessions shows each device', () => {
  it('lists user_agent, ip and last_seen_at, as recorded at login (a use within the minute records nothing)', async () => {
    const service = await startService();
    try {
      const email = uniqueEmail('devices');
      await send(service.url, 'POST', '/users', { form: { email, password: 'a long enough passphrase' } });
      const login = await send(service.url, 'POST', '/sessions', { form: { email, password: 'a long enough passphrase' }, headers: { 'user-agent': 'curl/8.0' } });
      const listed = await send(service.url, 'GET', '/sessions', { sessionId: login.sessionId ?? '', headers: { 'user-agent': 'other/1' } });
      expect(listed.status).toBe(200);
      const [session] = (listed.json as { sessions: Array<Record<string, unknown>> }).sessions;
      expect(session).toMatchObject({ user_agent: 'curl/8.0', ip: '127.0.0.1', current: true });
      expect(session?.['last_seen_at']).toBe(session?.['created_at']);
    } finally {
      await service.stop();
    }
  });
});
