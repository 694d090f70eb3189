// Over HTTP on both engines: a disabled account's login and reset request answer exactly as a wrong password and an
// unknown email do (status, body, Sesame-Error header, bcrypt work), and the owner's own routes (events, export,
// deletion with the password) do what README says.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CountingHasher } from '../../support/doubles.js';
import { createPostgresSchema, describeEngines } from '../../support/engines.js';
import { send, type Reply } from '../../support/http.js';
import { expectJsonStyle } from '../../support/json-style.js';
import { startService, type Service } from '../../support/in-process.js';

const EMAIL = 'owner@x.io';
const PASSWORD = 'the owner password';

describeEngines('account owner routes', (engine) => {
  let service: Service;
  let hasher: CountingHasher;
  let done: () => Promise<void>;
  beforeEach(async () => {
    hasher = new CountingHasher(4);
    if (engine.name === 'sqlite') {
      service = await startService({}, { hasher });
      done = () => service.stop();
    } else {
      const schema = await createPostgresSchema('accounts');
      service = await startService({ DATABASE_URL: schema.url }, { hasher });
      done = async () => {
        await service.stop();
        await schema.drop();
      };
    }
    expect((await send(service.url, 'POST', '/users', { form: { email: EMAIL, password: PASSWORD } })).status).toBe(200);
  });
  afterEach(async () => {
    await done();
  });

  /** Logs in and returns the answer. */
  function login(password: string, email = EMAIL): Promise<Reply> {
    return send(service.url, 'POST', '/sessions', { form: { email, password } });
  }

  /** What a client can compare of an answer. */
  function visible(reply: Reply) {
    return { status: reply.status, statusText: reply.statusText, text: reply.text, error: reply.headers['sesame-error'], setCookies: reply.setCookies };
  }

  /** The id of the account. */
  async function accountId(): Promise<number> {
    const found = await service.sesame.accounts.find(EMAIL);
    if (found === undefined) throw new Error('no account');
    return found.id;
  }

  it('a disabled account logs in exactly as a wrong password does, with the same bcrypt work; enabling restores it', async () => {
    const signedIn = await login(PASSWORD);
    expect(signedIn.sessionId).toBeDefined();
    const id = await accountId();
    await service.sesame.accounts.disable(id, 'abuse', { actor: 'cli' });
    // Its sessions are refused.
    expect((await send(service.url, 'GET', '/profile', { sessionId: signedIn.sessionId ?? '' })).status).toBe(403);

    hasher.reset();
    const disabled = await login(PASSWORD);
    const disabledWork = [...hasher.verifyHashes];
    hasher.reset();
    const wrong = await login('not the password');
    expect(visible(disabled)).toEqual(visible(wrong));
    expect(visible(disabled)).toMatchObject({ status: 401, error: 'login.invalid_credentials', text: '{"message":"wrong email or password"}' });
    expect(disabledWork).toHaveLength(1);
    expect(disabledWork).toEqual(hasher.verifyHashes);

    await service.sesame.accounts.enable(id, { actor: 'cli' });
    const again = await login(PASSWORD);
    expect(again.status).toBe(200);
    expect((await send(service.url, 'GET', '/profile', { sessionId: again.sessionId ?? '' })).status).toBe(200);
  });

  it('POST /reset_password for a disabled account answers as for an unknown email', async () => {
    await service.sesame.accounts.disable(await accountId(), 'abuse', { actor: 'cli' });
    const disabled = await send(service.url, 'POST', '/reset_password', { form: { email: EMAIL } });
    const unknown = await send(service.url, 'POST', '/reset_password', { form: { email: 'nobody@x.io' } });
    expect(disabled.status).toBe(403);
    expect({ ...visible(disabled), text: disabled.text.replace(EMAIL, '') }).toEqual({ ...visible(unknown), text: unknown.text.replace('nobody@x.io', '') });
  });

  it('a force-reset account logs in as a wrong password does', async () => {
    await service.sesame.accounts.forceReset(await accountId(), { actor: 'cli' });
    expect(visible(await login(PASSWORD))).toEqual(visible(await login('not the password')));
  });

  it('GET /profile/events and /profile/export write an event\'s facts in the one JSON style (sessions_ended, not sessionsEnded)', async () => {
    const session = (await login(PASSWORD)).sessionId ?? '';
    const changed = await send(service.url, 'PUT', '/password', { sessionId: session, form: { password: PASSWORD, new_password: 'a different passphrase 42' } });
    expect(changed.status).toBe(200);
    const fresh = changed.sessionId ?? '';
    const events = (await send(service.url, 'GET', '/profile/events', { sessionId: fresh })).json as { events: Array<{ type: string; detail: unknown }> };
    expect(events.events.find((event) => event.type === 'password.changed')?.detail).toEqual({ sessions_ended: 1 });
    expectJsonStyle(events, 'GET /profile/events');
    expectJsonStyle((await send(service.url, 'GET', '/profile/export', { sessionId: fresh })).json, 'GET /profile/export');
  });

  it('GET /profile/events pages the owner\'s own events, newest first', async () => {
    await login('wrong one');
    const session = (await login(PASSWORD)).sessionId ?? '';
    const all = await send(service.url, 'GET', '/profile/events', { sessionId: session });
    expect(all.status).toBe(200);
    const events = (all.json as { events: Array<Record<string, unknown>> }).events;
    expect(events.map((e) => e['type'])).toEqual(['login.succeeded', 'login.failed', 'account.created']);
    expect(events[0]).toMatchObject({ actor: 'user', ip: '127.0.0.1', detail: null });
    expect(events[1]).toMatchObject({ detail: { reason: 'wrong-password' } });
    expect(String(events[0]?.['created_at'])).toMatch(/^\d{4}-\d\d-\d\dT/);
    const page = await send(service.url, 'GET', '/profile/events?limit=1&offset=1', { sessionId: session });
    expect((page.json as { events: Array<Record<string, unknown>> }).events.map((e) => e['type'])).toEqual(['login.failed']);
    const bad = await send(service.url, 'GET', '/profile/events?limit=0', { sessionId: session });
    expect(bad.status).toBe(400);
    expect(bad.headers['sesame-error']).toBe('account.invalid_page');
    expect((await send(service.url, 'GET', '/profile/events')).status).toBe(403);
  });

  it('GET /profile/export holds the account, its sessions as handles and its events, never a hash', async () => {
    const first = (await login(PASSWORD)).sessionId ?? '';
    const current = (await login(PASSWORD)).sessionId ?? '';
    await send(service.url, 'DELETE', '/sessions', { sessionId: first });
    // A verification message, which the development outbox writes as a file and keeps as `sent`.
    expect((await send(service.url, 'POST', '/email/verify/resend', { form: { email: EMAIL } })).status).toBe(200);
    const deadline = Date.now() + 60_000;
    while ((await service.sesame.mail.find(1))?.status !== 'sent' && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 10));
    const reply = await send(service.url, 'GET', '/profile/export', { sessionId: current });
    expect(reply.status).toBe(200);
    const body = reply.json as { account: Record<string, unknown>; sessions: Array<Record<string, unknown>>; events: Array<Record<string, unknown>>; mail: Array<Record<string, unknown>> };
    expect(body.account).toMatchObject({ id: await accountId(), email: EMAIL, state: 'active', disabled_at: null, disabled_reason: null });
    expect(Object.keys(body.account).sort()).toEqual(['created_at', 'disabled_at', 'disabled_reason', 'email', 'email_verified_at', 'id', 'language', 'state', 'updated_at']);
    expect(body.sessions).toHaveLength(2);
    expect(body.sessions.filter((s) => s['current'] === true)).toHaveLength(1);
    expect(body.sessions.map((s) => s['end_reason']).sort()).toEqual(['logout', null]);
    for (const s of body.sessions) expect(s['id']).toMatch(/^[0-9a-f]{16}$/);
    expect(body.events.map((e) => e['type'])).toEqual(['email.verification_sent', 'session.logged_out', 'login.succeeded', 'login.succeeded', 'account.created']);
    // The account's mail: what, how and when, never a body, a subject or an error.
    expect(body.mail).toEqual([
      { kind: 'email_verify', channel: 'email', status: 'sent', attempts: 1, created_at: expect.stringMatching(/^\d{4}-/) as string, sent_at: expect.stringMatching(/^\d{4}-/) as string },
    ]);
    expect(reply.text).not.toContain('token=');
    const rows = await service.sesame.storage.kysely.selectFrom('sessions').select('id_hash').execute();
    const stored = await service.sesame.storage.kysely.selectFrom('users').select('hashed_password').executeTakeFirstOrThrow();
    for (const row of rows) expect(reply.text).not.toContain(row.id_hash);
    expect(reply.text).not.toContain(stored.hashed_password);
    expect(reply.text).not.toContain(current);
  });

  it('DELETE /profile needs the current password, deletes the account and clears the cookie', async () => {
    const session = (await login(PASSWORD)).sessionId ?? '';
    const wrong = await send(service.url, 'DELETE', '/profile', { form: { password: 'nope' }, sessionId: session });
    expect(wrong.status).toBe(403);
    expect(wrong.headers['sesame-error']).toBe('account.password_wrong');
    expect(wrong.json).toEqual({ message: 'password is wrong' });
    expect((await send(service.url, 'GET', '/profile', { sessionId: session })).status).toBe(200);

    const deleted = await send(service.url, 'DELETE', '/profile', { form: { password: PASSWORD }, sessionId: session });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ message: 'account deleted' });
    expect(deleted.setCookies.some((c) => /^session_id=;/.test(c) && /Max-Age=0/i.test(c))).toBe(true);
    expect((await send(service.url, 'GET', '/profile', { sessionId: session })).status).toBe(403);
    expect((await login(PASSWORD)).status).toBe(401);
    expect(await service.sesame.accounts.find(EMAIL)).toBeUndefined();
    const events = await service.sesame.audit.list({ type: 'account.deleted' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ user_id: null, actor: 'user', email_pseudonym: service.sesame.audit.pseudonym(EMAIL) });
    // The address is free again.
    expect((await send(service.url, 'POST', '/users', { form: { email: EMAIL, password: PASSWORD } })).status).toBe(200);
  });

  it('DELETE /profile counts in the account\'s one password-guessing budget', async () => {
    const session = (await login(PASSWORD)).sessionId ?? '';
    let last: Reply | undefined;
    for (let attempt = 0; attempt < 30 && last?.status !== 429; attempt += 1) {
      last = await send(service.url, 'DELETE', '/profile', { form: { password: `guess ${attempt}` }, sessionId: session });
    }
    expect(last?.status).toBe(429);
    // The budget is shared: the login is refused too.
    expect((await login('another guess')).status).toBe(429);
  });
});
