// Form bodies: a malformed percent-encoding is refused with 400 and stores nothing; valid UTF-8 escapes work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type Service } from '../../support/in-process.js';

let app: Service;
beforeAll(async () => {
  app = await startService({ LOG_LEVEL: 'info' });
});
afterAll(async () => {
  await app.stop();
});

/** Posts a raw form body. */
async function postForm(path: string, body: string) {
  const response = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('form encoding', () => {
  it.each([
    ['a % not followed by two hex digits', 'email=bad1%40x.io&password=p%ZZw'],
    ['a truncated escape', 'email=bad2%40x.io&password=pw%4'],
    ['escapes that are not UTF-8', 'email=bad3%40x.io&password=%FF%FE'],
  ])('refuses %s with 400 and registers nobody', async (_name, body) => {
    const reply = await postForm('/users', body);
    expect(reply.status).toBe(400);
    expect(String(reply.body['message'])).toMatch(/not valid URL encoding/);
    const email = new URLSearchParams(body.replace(/%(?![0-9A-Fa-f]{2})/g, '%25')).get('email') ?? '';
    expect((await postForm('/users', `email=${encodeURIComponent(email)}&password=ok`)).status).toBe(200);
  });

  it('accepts UTF-8 escapes and + for spaces, and the password then logs in', async () => {
    expect((await postForm('/users', 'email=utf8%40x.io&password=caf%C3%A9+au+lait')).status).toBe(200);
    const login = await fetch(`${app.url}/sessions`, { method: 'POST', body: new URLSearchParams({ email: 'utf8@x.io', password: 'café au lait' }) });
    expect(login.status).toBe(200);
  });
});
