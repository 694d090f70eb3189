/**
 * The reset page's password field as a browser and a password manager see it (ASVS V6.2.6 and V6.2.7), on both
 * engines: the entry is masked (`type="password"`), and nothing stops pasting or a manager filling it in: it is
 * marked `autocomplete="new-password"`, has no length cap under the API's 1024 characters, no event handler, and the
 * page runs no script at all (its policy allows none), so a long pasted or generated passphrase arrives whole.
 * SECURITY.md's rows relied on this markup without a test that said so (issue 25).
 * @module
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPostgresSchema, describeEngines } from '../../support/engines.js';
import { CookieJar, send, uniqueEmail } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

/** The attributes of the `<input>` whose `name` is given, as a map (a bare attribute maps to ''). */
function inputAttributes(html: string, name: string): Map<string, string> {
  const tag = [...html.matchAll(/<input\b([^>]*)>/g)].map((m) => m[1] ?? '').find((attributes) => attributes.includes(`name="${name}"`));
  if (tag === undefined) throw new Error(`no input named ${name} in ${html}`);
  return new Map([...tag.matchAll(/([\w-]+)(?:="([^"]*)")?/g)].map((m) => [(m[1] ?? '').toLowerCase(), m[2] ?? '']));
}

describeEngines("the reset page's password field", (engine) => {
  let service: Service;
  let done: () => Promise<void>;
  beforeAll(async () => {
    if (engine.name === 'sqlite') {
      service = await startService({ RESET_TOKEN_DELIVERY: 'response' });
      done = () => service.stop();
    } else {
      const schema = await createPostgresSchema('pwfield');
      service = await startService({ RESET_TOKEN_DELIVERY: 'response', DATABASE_URL: schema.url });
      done = async () => {
        await service.stop();
        await schema.drop();
      };
    }
  });
  afterAll(async () => {
    await done();
  });

  /** A fresh account and a reset token for it. */
  async function accountWithToken(): Promise<{ email: string; token: string }> {
    const email = uniqueEmail('field');
    expect((await send(service.url, 'POST', '/users', { form: { email, password: 'old-pw' } })).status).toBe(200);
    const issued = await send(service.url, 'POST', '/reset_password', { form: { email } });
    return { email, token: String((issued.json as { reset_token: string }).reset_token) };
  }

  it('masks the entry and leaves paste and password managers alone: new-password, no short cap, no handler, no script', async () => {
    const { token } = await accountWithToken();
    const page = await send(service.url, 'GET', `/account/reset?token=${token}`);
    expect(page.status).toBe(200);
    const field = inputAttributes(page.text, 'new_password');
    expect(field.get('type')).toBe('password');
    expect(field.get('autocomplete')).toBe('new-password');
    // A cap below the API's own would cut a pasted or generated passphrase; none at all is what the page has.
    expect(Number(field.get('maxlength') ?? Infinity)).toBeGreaterThanOrEqual(1024);
    for (const blocked of ['readonly', 'disabled', 'onpaste', 'oncopy', 'oncut', 'ondrop', 'oninput', 'onkeydown']) expect(field.has(blocked), blocked).toBe(false);
    expect(page.text).not.toMatch(/<script|\son[a-z]+=/i);
    // No script could run even if one slipped in: the policy names no script source, and default-src is 'none'.
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'none';/);
    expect(page.headers['content-security-policy']).not.toMatch(/script-src/);
  });

  it('takes a pasted 200-character passphrase whole: it logs in, the same cut to 72 characters does not', async () => {
    const { email, token } = await accountWithToken();
    const jar = new CookieJar(service.url);
    const page = await jar.send('GET', `/account/reset?token=${token}`);
    const formToken = /name="form_token" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const passphrase = `${'correct horse battery staple '.repeat(7)}ünïcødé`.slice(0, 200);
    const done = await jar.send('POST', '/account/reset', { form: { token, email, new_password: passphrase, form_token: formToken } });
    expect(done.status).toBe(200);
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: passphrase } })).status).toBe(200);
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: passphrase.slice(0, 72) } })).status).toBe(401);
  });
});
