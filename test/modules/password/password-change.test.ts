// PUT /password: a signed-in user changes their password with the current one; every earlier session ends.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type Service } from '../../support/in-process.js';

let app: Service;
beforeAll(async () => {
  app = await startService({ LOG_LEVEL: 'info', PASSWORD_MIN_LENGTH: '8' });
});
afterAll(async () => {
  await app.stop();
});

/** Sends a form request with an optional session cookie; returns status, body and the new session id if one was set. */
async function send(method: string, path: string, form: Record<string, string>, sessionId?: string) {
  const response = await fetch(`${app.url}${path}`, {
    method,
    body: new URLSearchParams(form),
    redirect: 'manual',
    headers: sessionId === undefined ? {} : { cookie: `session_id=${sessionId}` },
  });
  const cookie = /session_id=([^;]*)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, cookie };
}

/** Status of GET /profile with a session id. */
async function profile(sessionId: string): Promise<number> {
  return (await fetch(`${app.url}/profile`, { headers: { cookie: `session_id=${sessionId}` } })).status;
}

/** Registers a fresh account and logs it in twice (two devices). */
async function twoDevices(password: string) {
  const email = `change-${Math.random().toString(36).slice(2)}@example.com`;
  expect((await send('POST', '/users', { email, password })).status).toBe(200);
  const phone = (await send('POST', '/sessions', { email, password })).cookie ?? '';
  const laptop = (await send('POST', '/sessions', { email, password })).cookie ?? '';
  return { email, phone, laptop };
}

describe('PUT /password', () => {
  it('changes the password, ends every earlier session (the presented one too) and sets a fresh cookie that works', async () => {
    const { email, phone, laptop } = await twoDevices('old password 1');
    const change = await send('PUT', '/password', { password: 'old password 1', new_password: 'new password 2' }, phone);
    expect(change.status).toBe(200);
    expect(change.body).toEqual({ email, message: 'Password updated' });
    expect(change.cookie).toBeTruthy();
    expect(change.cookie).not.toBe(phone);
    expect(await profile(phone)).toBe(403);
    expect(await profile(laptop)).toBe(403);
    expect(await profile(change.cookie ?? '')).toBe(200);
    expect((await send('POST', '/sessions', { email, password: 'old password 1' })).status).toBe(401);
    expect((await send('POST', '/sessions', { email, password: 'new password 2' })).status).toBe(200);
  });

  it('refuses a wrong current password with 403 and changes nothing', async () => {
    const { email, phone, laptop } = await twoDevices('right password');
    const change = await send('PUT', '/password', { password: 'wrong password', new_password: 'other password' }, phone);
    expect(change.status).toBe(403);
    expect(change.body).toEqual({ message: 'current password is wrong' });
    expect(await profile(phone)).toBe(200);
    expect(await profile(laptop)).toBe(200);
    expect((await send('POST', '/sessions', { email, password: 'right password' })).status).toBe(200);
  });

  it('refuses without a live session', async () => {
    expect((await send('PUT', '/password', { password: 'a', new_password: 'bbbbbbbbbb' })).status).toBe(403);
    expect((await send('PUT', '/password', { password: 'a', new_password: 'bbbbbbbbbb' }, 'not-a-session')).status).toBe(403);
  });

  it('applies the password policy to the new password (400 with advice, nothing changed)', async () => {
    const { email, phone } = await twoDevices('long enough 1');
    const change = await send('PUT', '/password', { password: 'long enough 1', new_password: 'short' }, phone);
    expect(change.status).toBe(400);
    expect(String(change.body['message'])).toMatch(/at least 8 characters/);
    expect(await profile(phone)).toBe(200);
    expect((await send('POST', '/sessions', { email, password: 'long enough 1' })).status).toBe(200);
  });

  it('spends any outstanding reset token', async () => {
    const { email, phone } = await twoDevices('before change');
    const token = String((await send('POST', '/reset_password', { email })).body['reset_token']);
    expect((await send('PUT', '/password', { password: 'before change', new_password: 'after change' }, phone)).status).toBe(200);
    expect((await send('PUT', '/reset_password', { email, reset_token: token, new_password: 'hijacked!!' })).status).toBe(403);
  });

  it('logs the outcome as a security event naming the account by its id, never its email', async () => {
    const { email, phone } = await twoDevices('event password');
    await send('PUT', '/password', { password: 'nope nope', new_password: 'event password 2' }, phone);
    await send('PUT', '/password', { password: 'event password', new_password: 'event password 2' }, phone);
    const log = app.logs();
    expect(log).toContain('"event":"password.change_failed"');
    expect(log).toContain('"event":"password.changed"');
    expect(log).not.toContain(email);
  });
});

describe('replies Node writes for unparsable requests', () => {
  it('carry JSON {"message"} and the security headers (HSTS on every response)', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(app.url).port), '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      socket.write('GET / HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n');
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toMatch(/Strict-Transport-Security: max-age=31536000/);
    expect(raw).toMatch(/X-Content-Type-Options: nosniff/);
    expect(raw).toContain('{"message":"request is not valid HTTP"}');
  });
});
