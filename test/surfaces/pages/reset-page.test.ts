/**
 * The page a mailed reset link opens, over real HTTP: opening it spends nothing (a mail scanner may open it first),
 * it is a plain form under its own tight CSP with the token escaped, and only its POST resets the password, once,
 * through the reset flow's rules; a cross-site POST is refused by the guard.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, uniqueEmail } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

describe('the reset page (/account/reset)', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({ RESET_TOKEN_DELIVERY: 'response' });
  });
  afterAll(async () => {
    await service.stop();
  });

  /** A fresh account and a reset token for it. */
  async function accountWithToken(): Promise<{ email: string; token: string }> {
    const email = uniqueEmail('page');
    expect((await send(service.url, 'POST', '/users', { form: { email, password: 'old-pw' } })).status).toBe(200);
    const issued = await send(service.url, 'POST', '/reset_password', { form: { email } });
    return { email, token: String((issued.json as { reset_token: string }).reset_token) };
  }

  it('opens as a form under its own policy, twice, without spending the token; the POST then resets the password once', async () => {
    const { email, token } = await accountWithToken();
    for (let i = 0; i < 2; i += 1) {
      const opened = await send(service.url, 'GET', `/account/reset?token=${token}`);
      expect(opened.status).toBe(200);
      expect(opened.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(opened.headers['content-security-policy']).toBe("default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
      expect(opened.headers['referrer-policy']).toBe('no-referrer');
      expect(opened.text).toContain(`<input type="hidden" name="token" value="${token}">`);
      expect(opened.text).toContain('<form method="post" action="reset">');
      expect(opened.text).not.toMatch(/<script|https?:\/\//);
    }
    const done = await send(service.url, 'POST', '/account/reset', { form: { token, email, new_password: 'new-pw' } });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Your password was changed');
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: 'new-pw' } })).status).toBe(200);
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: 'old-pw' } })).status).toBe(401);
    const again = await send(service.url, 'POST', '/account/reset', { form: { token, email, new_password: 'third-pw' } });
    expect(again.status).toBe(403);
    expect(again.text).toContain('This link is not valid any more');
  });

  it('refuses a link that is not Sesame\'s without reflecting it, and a token sent for another email', async () => {
    const hostile = await send(service.url, 'GET', `/account/reset?token=${encodeURIComponent('"><script>alert(1)</script>')}`);
    expect(hostile.status).toBe(400);
    expect(hostile.text).not.toContain('<script>');
    expect(hostile.text).toContain('This link is not valid');
    const { token } = await accountWithToken();
    const other = await send(service.url, 'POST', '/account/reset', { form: { token, email: 'someone-else@example.com', new_password: 'x-pw' } });
    expect(other.status).toBe(403);
  });

  it('is behind the cross-site guard: a form posted from another site changes nothing', async () => {
    const { email, token } = await accountWithToken();
    const forged = await send(service.url, 'POST', '/account/reset', { form: { token, email, new_password: 'attacker-pw' }, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(forged.status).toBe(403);
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: 'old-pw' } })).status).toBe(200);
  });
});
