// DELETE /sessions by how the presented session ended: a session a password reset or change ended still gets the
// seed's 302 (the seed's one session survives a reset); a logged-out, replaced, revoked, expired, idle or never
// issued one gets 403. Every ended session keeps its row, marked with its reason, until its original expiry.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../../src/kernel/tokens.js';
import { send, uniqueEmail } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

const T0 = 1_700_000_000_000;
const PASSWORD = 'long enough';
let now = T0;
let service: Service;

beforeAll(async () => {
  service = await startService({ SESSION_TTL: '1h', SESSION_IDLE_TIMEOUT: '10m' }, { clock: () => now });
});
afterAll(() => service.stop());
beforeEach(() => {
  now = T0;
});

/** Registers an account and logs it in; returns the email and the session id. */
async function loggedIn(label: string): Promise<{ email: string; sessionId: string }> {
  const email = uniqueEmail(label);
  expect((await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD } })).status).toBe(200);
  return { email, sessionId: await login(email) };
}

/** Logs in and returns the new session id. */
async function login(email: string, presented?: string): Promise<string> {
  const reply = await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD }, ...(presented === undefined ? {} : { sessionId: presented }) });
  expect(reply.status).toBe(200);
  return reply.sessionId ?? '';
}

/** Status and message of a logout with a session id. */
async function logout(sessionId: string): Promise<[number, string | undefined, string | undefined]> {
  const reply = await send(service.url, 'DELETE', '/sessions', { sessionId });
  return [reply.status, reply.headers['location'], reply.message];
}

/** The stored end reason of a session. */
async function endReason(sessionId: string): Promise<string | null | undefined> {
  const row = await service.sesame.storage.kysely.selectFrom('sessions').select('end_reason').where('id_hash', '=', hashToken(sessionId)).executeTakeFirst();
  return row?.end_reason;
}

describe('DELETE /sessions with a session that has ended', () => {
  it('after a password reset: 302 to /, as the seed answers (the session stays ended)', async () => {
    const { email, sessionId } = await loggedIn('reset');
    const token = ((await send(service.url, 'POST', '/reset_password', { form: { email } })).json as { reset_token: string }).reset_token;
    expect((await send(service.url, 'PUT', '/reset_password', { form: { email, reset_token: token, new_password: 'a new one here' } })).status).toBe(200);
    expect(await endReason(sessionId)).toBe('password_reset');
    expect(await logout(sessionId)).toEqual([302, '/', undefined]);
    expect((await send(service.url, 'GET', '/profile', { sessionId })).status).toBe(403);
    expect(await endReason(sessionId)).toBe('password_reset');
  });

  it('after a password change on another device: 302 to /', async () => {
    const { email, sessionId: laptop } = await loggedIn('change');
    const phone = await login(email);
    expect((await send(service.url, 'PUT', '/password', { form: { password: PASSWORD, new_password: 'a new one here' }, sessionId: phone })).status).toBe(200);
    expect(await endReason(laptop)).toBe('password_change');
    expect(await logout(laptop)).toEqual([302, '/', undefined]);
  });

  it('already logged out, or replaced by a login on the same device: 403, as in the seed', async () => {
    const { email, sessionId } = await loggedIn('twice');
    expect(await logout(sessionId)).toEqual([302, '/', undefined]);
    expect(await endReason(sessionId)).toBe('logout');
    expect(await logout(sessionId)).toEqual([403, undefined, 'no such session']);
    const first = await login(email);
    await login(email, first);
    expect(await endReason(first)).toBe('logout');
    expect(await logout(first)).toEqual([403, undefined, 'no such session']);
  });

  it('revoked from another device: 403', async () => {
    const { email, sessionId: laptop } = await loggedIn('revoked');
    const phone = await login(email);
    expect((await send(service.url, 'POST', '/sessions/end', { form: { password: PASSWORD, session: 'others' }, sessionId: phone })).status).toBe(200);
    expect(await endReason(laptop)).toBe('revoked');
    expect(await logout(laptop)).toEqual([403, undefined, 'no such session']);
  });

  it('past its lifetime, or idle and ended by the sweeper: 403', async () => {
    const { sessionId: old } = await loggedIn('expired');
    const { sessionId: idle } = await loggedIn('idle');
    now = T0 + 11 * 60_000;
    // Every session still live in this service (these two, and ones earlier tests left) has been idle for 11 minutes.
    expect((await service.sesame.purgeExpired())['idleSessionsEnded']).toBeGreaterThanOrEqual(2);
    expect(await endReason(idle)).toBe('expired');
    expect(await endReason(old)).toBe('expired');
    expect(await logout(idle)).toEqual([403, undefined, 'no such session']);
    now = T0 + 2 * 3_600_000;
    expect(await logout(old)).toEqual([403, undefined, 'no such session']);
  });

  it('never issued: 403', async () => {
    expect(await logout('00000000-0000-4000-8000-000000000000')).toEqual([403, undefined, 'no such session']);
    expect(await endReason('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });
});
