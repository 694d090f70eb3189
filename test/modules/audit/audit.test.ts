// The audit log on both engines: every account event becomes one auth_events row, written in the transaction of the
// change it records (a failing audit write fails the change), with the account as its id or, for an account that does
// not exist, a keyed pseudonym; hostile traffic is logged and counted but never stored; retention purges old rows.
import { createHmac, hkdfSync } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EventContext } from '../../../src/kernel/events.js';
import type { StoredAuthEvent } from '../../../src/modules/audit/index.js';
import type { Sesame } from '../../../src/sesame.js';
import { describeEngines, useFreshStorage } from '../../support/engines.js';
import { send, uniqueEmail } from '../../support/http.js';
import { startService, useServices, type Service } from '../../support/in-process.js';
import { TEST_SECRET_KEY } from '../../support/settings.js';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;
const CONTEXT: EventContext = { actor: 'user', requestId: 'req-7', ip: '203.0.113.7', userAgent: 'test-agent/1.0' };

/** The pseudonym an email must be stored under, computed independently from the test key. */
function pseudonymOf(email: string): string {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(TEST_SECRET_KEY, 'hex'), 'sesame', 'audit-pseudonym', 32));
  return createHmac('sha256', key).update(email.trim().toLowerCase()).digest('hex');
}

describeEngines('the audit log', (engine) => {
  const storage = useFreshStorage(engine);
  let now = T0;
  let sesame: Sesame;
  const build = useServices(storage, { SECRET_KEY: TEST_SECRET_KEY, AUDIT_RETENTION: '30d' }, () => now);
  beforeEach(async () => {
    now = T0;
    sesame = await build();
  });
  /** Every stored event, oldest first. */
  const rows = async (): Promise<StoredAuthEvent[]> => storage().kysely.selectFrom('auth_events').selectAll().orderBy('id').execute();

  it('cuts a client-supplied address or user agent to its column instead of failing the change it records', async () => {
    const long: EventContext = { actor: 'user', requestId: 'req-8', ip: `1.2.3.4${'x'.repeat(100)}`, userAgent: `agent/${'é'.repeat(400)}` };
    const user = await sesame.password.registration.register('long@x.io', 'pw', long);
    const [row] = await rows();
    expect(row?.user_id).toBe(user.id);
    expect(row?.ip).toBe(`1.2.3.4${'x'.repeat(57)}`);
    expect(row?.user_agent).toBe(`agent/${'é'.repeat(250)}`);
    // An address and agent within their columns are kept whole.
    await sesame.password.login.login('long@x.io', 'pw', undefined, CONTEXT);
    expect((await rows()).at(-1)).toMatchObject({ ip: '203.0.113.7', user_agent: 'test-agent/1.0' });
  });

  it('writes one row for a login, with the account, the request\'s coordinates and the time', async () => {
    const user = await sesame.password.registration.register('a@x.io', 'pw', CONTEXT);
    now = T0 + 5;
    const loggedIn = await sesame.password.login.login('A@X.io', 'pw', undefined, CONTEXT);
    expect(loggedIn?.user.id).toBe(user.id);
    expect((await rows()).map((r) => ({ ...r, id: 0 }))).toEqual([
      { id: 0, type: 'account.created', user_id: user.id, email_pseudonym: null, actor: 'user', request_id: 'req-7', ip: '203.0.113.7', user_agent: 'test-agent/1.0', created_at: T0, detail: null },
      { id: 0, type: 'login.succeeded', user_id: user.id, email_pseudonym: null, actor: 'user', request_id: 'req-7', ip: '203.0.113.7', user_agent: 'test-agent/1.0', created_at: T0 + 5, detail: null },
    ]);
  });

  it('stores a failed login for an unknown email under the keyed pseudonym, never the address', async () => {
    await sesame.password.registration.register('known@x.io', 'pw');
    expect(await sesame.password.login.login(' Nobody@X.io ', 'guess', undefined, CONTEXT)).toBeNull();
    expect(await sesame.password.login.login('known@x.io', 'guess', undefined, CONTEXT)).toBeNull();
    const failed = (await rows()).filter((r) => r.type === 'login.failed');
    expect(failed.map((r) => [r.user_id, r.email_pseudonym, r.detail])).toEqual([
      [null, pseudonymOf('nobody@x.io'), '{"reason":"unknown-email"}'],
      [(await sesame.users.findByEmail('known@x.io'))?.id, null, '{"reason":"wrong-password"}'],
    ]);
    expect(JSON.stringify(await rows()).toLowerCase()).not.toContain('nobody@x.io');
    expect(sesame.audit.pseudonym('NOBODY@x.io ')).toBe(pseudonymOf('nobody@x.io'));
  });

  it('records every account event of the flows, each in the transaction of its change', async () => {
    const user = await sesame.password.registration.register('a@x.io', 'pw', CONTEXT);
    const login = await sesame.password.login.login('a@x.io', 'pw', undefined, CONTEXT);
    const other = await sesame.password.login.login('a@x.io', 'pw', undefined, CONTEXT);
    const session = await sesame.sessions.validate(other?.sessionId);
    if (session === null || login === null) throw new Error('both logins should be live');
    await sesame.sessions.revoke(session, 'wrong', 'others', CONTEXT);
    await sesame.sessions.revoke(session, 'pw', 'others', CONTEXT);
    await sesame.password.change.change(session, 'wrong', 'pw2', CONTEXT);
    const fresh = await sesame.password.change.change(session, 'pw', 'pw2', CONTEXT);
    await sesame.sessions.logout(fresh, CONTEXT);
    const issued = await sesame.password.reset.request('a@x.io', CONTEXT);
    await sesame.password.reset.request('nobody@x.io', CONTEXT);
    await sesame.password.reset.reset(issued?.token ?? '', 'pw3', 'a@x.io', CONTEXT);
    expect((await rows()).map((r) => [r.type, r.user_id, r.email_pseudonym === null ? null : 'pseudonym', r.detail])).toEqual([
      ['account.created', user.id, null, null],
      ['login.succeeded', user.id, null, null],
      ['login.succeeded', user.id, null, null],
      ['sessions.revoke_failed', user.id, null, null],
      ['sessions.revoked', user.id, null, '{"ended":1}'],
      ['password.change_failed', user.id, null, null],
      ['password.changed', user.id, null, '{"sessionsEnded":1}'],
      ['session.logged_out', user.id, null, null],
      ['password.reset_requested', user.id, null, null],
      ['password.reset_requested', null, 'pseudonym', null],
      ['password.reset', user.id, null, '{"sessionsEnded":0}'],
    ]);
  });

  it('fails the change when its audit row cannot be written: both commit or neither does', async () => {
    sesame.events.store(() => Promise.reject(new Error('disk full')));
    await expect(sesame.password.registration.register('a@x.io', 'pw', CONTEXT)).rejects.toThrow('disk full');
    expect(await storage().kysely.selectFrom('users').selectAll().execute()).toEqual([]);
    expect(await rows()).toEqual([]);
  });

  it('stores nothing for hostile traffic: rate-limit and cross-site refusals go to listeners only', async () => {
    const heard: string[] = [];
    sesame.events.on((event) => heard.push(event.type));
    sesame.events.publish({ type: 'rate_limit.refused', context: CONTEXT, detail: { action: 'login' }, traffic: true });
    await sesame.events.transact((_tx, record) => record({ type: 'cross_site.refused', context: CONTEXT, traffic: true }));
    expect(heard).toEqual(['rate_limit.refused', 'cross_site.refused']);
    expect(await rows()).toEqual([]);
  });

  it('purges events older than AUDIT_RETENTION in the sweep, keeping newer ones', async () => {
    await sesame.password.registration.register('old@x.io', 'pw');
    now = T0 + 20 * DAY;
    await sesame.password.registration.register('new@x.io', 'pw');
    now = T0 + 31 * DAY;
    expect(await sesame.purgeExpired()).toMatchObject({ auditEvents: 1 });
    expect((await rows()).map((r) => r.created_at)).toEqual([T0 + 20 * DAY]);
    expect((await sesame.audit.list()).map((r) => r.type)).toEqual(['account.created']);
  });
});

describe('events over HTTP', () => {
  let service: Service;
  beforeEach(async () => {
    service = await startService({ LOG_LEVEL: 'info', METRICS_ENABLED: 'true', RATE_LIMIT_ACCOUNT_MAX: '2', SECRET_KEY: TEST_SECRET_KEY });
    return () => service.stop();
  });

  it('a login over HTTP is stored with the request id, client address and user agent, logged and counted', async () => {
    const email = uniqueEmail('http');
    await send(service.url, 'POST', '/users', { form: { email, password: 'pw' } });
    const login = await send(service.url, 'POST', '/sessions', { form: { email, password: 'pw' }, headers: { 'user-agent': 'curl/8.0' } });
    expect(login.status).toBe(200);
    const [row] = await service.sesame.audit.list({ type: 'login.succeeded' });
    expect(row).toMatchObject({ actor: 'user', ip: '127.0.0.1', user_agent: 'curl/8.0', request_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-/) as unknown });
    const line = service.logs().split('\n').find((l) => l.includes('"event":"login.succeeded"')) ?? '';
    expect(JSON.parse(line)).toMatchObject({ event: 'login.succeeded', user: row?.user_id, reqId: row?.request_id });
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^sesame_auth_events_total\{type="login\.succeeded"\} 1$/m);
    expect(metrics).toMatch(/^sesame_auth_events_total\{type="account\.created"\} 1$/m);
  });

  it('a refused cross-site request and a lock-out are logged at warn and counted, and write no row', async () => {
    const email = uniqueEmail('hostile');
    await send(service.url, 'POST', '/sessions', { form: { email, password: 'x' }, headers: { origin: 'https://evil.example' } });
    for (let i = 0; i < 3; i += 1) await send(service.url, 'POST', '/sessions', { form: { email, password: `guess ${i}` } });
    const types = (await service.sesame.audit.list()).map((r) => r.type);
    expect(types).toEqual(['login.failed', 'login.failed']);
    const warnings = service
      .logs()
      .split('\n')
      .filter((l) => l.includes('"level":40'))
      .map((l) => (JSON.parse(l) as { event?: string }).event);
    expect(warnings).toEqual(expect.arrayContaining(['cross_site.refused', 'rate_limit.refused']));
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^sesame_auth_events_total\{type="cross_site\.refused"\} 1$/m);
    expect(metrics).toMatch(/^sesame_auth_events_total\{type="rate_limit\.refused"\} 1$/m);
    expect(service.logs()).not.toContain(email);
  });

  it('a cross-site refusal is logged at warn with the request and why: a foreign Origin, or Sec-Fetch-Site: cross-site', async () => {
    await send(service.url, 'POST', '/users', { form: { email: uniqueEmail('origin'), password: 'pw' }, headers: { origin: 'https://evil.example' } });
    await send(service.url, 'POST', '/users', { form: { email: uniqueEmail('fetch-site'), password: 'pw' }, headers: { 'sec-fetch-site': 'cross-site' } });
    const refusals = service
      .logs()
      .split('\n')
      .filter((l) => l.includes('"event":"cross_site.refused"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(refusals).toEqual([
      expect.objectContaining({ level: 40, event: 'cross_site.refused', reason: 'origin', msg: 'cross_site.refused', reqId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-/) as unknown }),
      expect.objectContaining({ level: 40, event: 'cross_site.refused', reason: 'sec-fetch-site', msg: 'cross_site.refused', reqId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-/) as unknown }),
    ]);
    expect(await service.sesame.audit.list()).toEqual([]);
  });
});
