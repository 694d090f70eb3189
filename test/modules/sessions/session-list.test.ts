// GET /sessions and POST /sessions/end: a user sees every signed-in device and ends any or all of them with their password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type Service } from '../../support/in-process.js';

const PASSWORD = 'a long enough passphrase';

let app: Service;
beforeAll(async () => {
  app = await startService({ LOG_LEVEL: 'info' });
});
afterAll(async () => {
  await app.stop();
});

/** What a request returned: status, JSON body, and the Set-Cookie line if any. */
interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly setCookie: string | null;
  readonly cookie: string | undefined;
}

/** Sends a request with an optional form and session cookie. */
async function send(method: string, path: string, form?: Record<string, string>, sessionId?: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    ...(form === undefined ? {} : { body: new URLSearchParams(form) }),
    redirect: 'manual',
    headers: { ...headers, ...(sessionId === undefined ? {} : { cookie: `session_id=${sessionId}` }) },
  });
  const setCookie = response.headers.get('set-cookie');
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    setCookie,
    cookie: /session_id=([^;]*)/.exec(setCookie ?? '')?.[1],
  };
}

/** One listed session as the route returns it. */
interface Listed {
  readonly id: string;
  readonly created_at: string;
  readonly expires_at: string;
  readonly current: boolean;
}

/** GET /sessions with a session id: the list. */
async function list(sessionId: string): Promise<Listed[]> {
  const answer = await send('GET', '/sessions', undefined, sessionId);
  expect(answer.status).toBe(200);
  return answer.body['sessions'] as Listed[];
}

/** Status of GET /profile with a session id. */
async function profile(sessionId: string): Promise<number> {
  return (await fetch(`${app.url}/profile`, { headers: { cookie: `session_id=${sessionId}` } })).status;
}

/** Registers a fresh account and signs it in on three devices. */
async function threeDevices(): Promise<{ email: string; phone: string; laptop: string; tablet: string }> {
  const email = `devices-${Math.random().toString(36).slice(2)}@example.com`;
  expect((await send('POST', '/users', { email, password: PASSWORD })).status).toBe(200);
  const login = async (): Promise<string> => (await send('POST', '/sessions', { email, password: PASSWORD })).cookie ?? '';
  return { email, phone: await login(), laptop: await login(), tablet: await login() };
}

describe('GET /sessions', () => {
  it('lists every live session of the user, the presented one marked current, with no id or hash in it', async () => {
    const { phone, laptop, tablet } = await threeDevices();
    const sessions = await list(laptop);
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    for (const s of sessions) {
      expect(s.id).toMatch(/^[0-9a-f]{16}$/);
      expect(Date.parse(s.expires_at)).toBeGreaterThan(Date.parse(s.created_at));
      expect(new Date(s.created_at).toISOString()).toBe(s.created_at);
    }
    const text = JSON.stringify(sessions);
    for (const raw of [phone, laptop, tablet]) expect(text).not.toContain(raw);
    // The handles are the same whichever device asks; only `current` moves.
    const fromPhone = await list(phone);
    expect(fromPhone.map((s) => s.id).sort()).toEqual(sessions.map((s) => s.id).sort());
    expect(fromPhone.find((s) => s.current)?.id).not.toBe(sessions.find((s) => s.current)?.id);
  });

  it('shows only the user\'s own sessions', async () => {
    const a = await threeDevices();
    const b = await threeDevices();
    const ids = new Set((await list(a.phone)).map((s) => s.id));
    for (const s of await list(b.phone)) expect(ids.has(s.id)).toBe(false);
  });

  it('answers 403 JSON without a live session, and no-store', async () => {
    for (const sessionId of [undefined, 'nonsense', '00000000-0000-4000-8000-000000000000']) {
      const answer = await send('GET', '/sessions', undefined, sessionId);
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({ message: 'a valid session is required' });
    }
    const { laptop } = await threeDevices();
    const response = await fetch(`${app.url}/sessions`, { headers: { cookie: `session_id=${laptop}` } });
    expect(response.headers.get('cache-control')).toMatch(/no-store/);
  });
});

describe('POST /sessions/end', () => {
  it('ends one named session (the lost phone) and no other; the phone is signed out at once', async () => {
    const { phone, laptop, tablet } = await threeDevices();
    const phoneId = (await list(phone)).find((s) => s.current)?.id ?? '';
    const answer = await send('POST', '/sessions/end', { password: PASSWORD, session: phoneId }, laptop);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ message: 'session ended', ended: 1 });
    expect(answer.setCookie).toBeNull();
    expect(await profile(phone)).toBe(403);
    expect(await profile(laptop)).toBe(200);
    expect(await profile(tablet)).toBe(200);
    expect((await list(laptop)).map((s) => s.id)).not.toContain(phoneId);
  });

  it('`others` ends every session but the presented one; `all` ends that one too and clears its cookie', async () => {
    const { phone, laptop, tablet } = await threeDevices();
    const others = await send('POST', '/sessions/end', { password: PASSWORD, session: 'others' }, laptop);
    expect(others.body).toEqual({ message: 'sessions ended', ended: 2 });
    expect(others.setCookie).toBeNull();
    expect([await profile(phone), await profile(tablet), await profile(laptop)]).toEqual([403, 403, 200]);

    const all = await send('POST', '/sessions/end', { password: PASSWORD, session: 'all' }, laptop);
    expect(all.body).toEqual({ message: 'session ended', ended: 1 });
    expect(all.setCookie).toMatch(/^session_id=;.*Max-Age=0/);
    expect(await profile(laptop)).toBe(403);
  });

  it('asks for the password again: a wrong one is 403 and ends nothing', async () => {
    const { phone, laptop, tablet } = await threeDevices();
    const answer = await send('POST', '/sessions/end', { password: 'not the password', session: 'all' }, laptop);
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({ message: 'password is wrong' });
    expect([await profile(phone), await profile(laptop), await profile(tablet)]).toEqual([200, 200, 200]);
  });

  it('cannot end another user\'s session, even by its exact id: 404, and it stays live', async () => {
    const mine = await threeDevices();
    const theirs = await threeDevices();
    const theirId = (await list(theirs.phone)).find((s) => s.current)?.id ?? '';
    const answer = await send('POST', '/sessions/end', { password: PASSWORD, session: theirId }, mine.laptop);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ message: 'no such session' });
    expect(await profile(theirs.phone)).toBe(200);
  });

  it('refuses a malformed target with 400, and needs a live session (403)', async () => {
    const { laptop } = await threeDevices();
    for (const session of ['', 'ALL', 'ffff', 'g'.repeat(16), `${'a'.repeat(16)}x`]) {
      const answer = await send('POST', '/sessions/end', { password: PASSWORD, session }, laptop);
      expect(answer.status, session).toBe(400);
      expect(answer.body['message']).toEqual(expect.any(String));
    }
    expect((await send('POST', '/sessions/end', { password: PASSWORD }, laptop)).status).toBe(400);
    expect((await send('POST', '/sessions/end', { password: PASSWORD, session: 'all' })).status).toBe(403);
    expect(await profile(laptop)).toBe(200);
  });

  it('is refused cross-site like every state change (403), ending nothing', async () => {
    const { laptop } = await threeDevices();
    const answer = await send('POST', '/sessions/end', { password: PASSWORD, session: 'all' }, laptop, { origin: 'http://evil.example' });
    expect(answer.status).toBe(403);
    expect(await profile(laptop)).toBe(200);
  });
});
