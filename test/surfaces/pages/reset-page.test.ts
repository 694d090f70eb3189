/**
 * The page a mailed reset link opens, over real HTTP: opening it spends nothing (a mail scanner may open it first),
 * it is a plain form under the pages' own tight CSP with the token escaped, and only its POST, with the page's form
 * token and its cookie, resets the password, once, through the reset flow's rules; a POST without the form token or
 * from another site changes nothing.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, send, uniqueEmail, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

/** The value of the hidden form token in a page. */
function formTokenOf(page: Reply): string {
  const match = /<input type="hidden" name="form_token" value="([^"]+)">/.exec(page.text);
  if (match?.[1] === undefined) throw new Error(`no form token in ${page.text}`);
  return match[1];
}

/** The heading of a page. */
function headingOf(page: Reply): string {
  return /<h1>([^<]*)<\/h1>/.exec(page.text)?.[1] ?? '';
}

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
    const jar = new CookieJar(service.url);
    const formTokens: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const opened = await jar.send('GET', `/account/reset?token=${token}`);
      expect(opened.status).toBe(200);
      expect(headingOf(opened)).toBe('Choose a new password');
      expect(opened.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(opened.headers['content-security-policy']).toBe("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
      expect(opened.text).toMatch(/<link rel="stylesheet" href="assets\/sesame\.[0-9a-f]{16}\.css">/);
      expect(opened.headers['referrer-policy']).toBe('strict-origin');
      expect(opened.headers['cache-control']).toBe('no-store');
      expect(opened.text).toContain(`<input type="hidden" name="token" value="${token}">`);
      expect(opened.text).toContain('<form method="post" action="reset" novalidate>');
      expect(opened.text).toContain('<label for="email">Your email address <span class="req">(required)</span></label><input id="email" name="email" type="email" autocomplete="username"');
      expect(opened.text).toMatch(/<label for="new_password">New password <span class="req">\(required\)<\/span><\/label><span class="hint" id="new_password-hint">[^<]+<\/span><input id="new_password" name="new_password" type="password" autocomplete="new-password"/);
      expect(opened.text).not.toMatch(/<script|https?:\/\/|style="/);
      expect(opened.setCookies).toHaveLength(1);
      expect(opened.setCookies[0]).toMatch(/^sesame_form_reset=[A-Za-z0-9_-]{43}; Max-Age=3600; HttpOnly; SameSite=Strict$/);
      formTokens.push(formTokenOf(opened));
    }
    expect(formTokens[1]).toBe(formTokens[0]);
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: 'old-pw' } })).status).toBe(200);
    const formToken = formTokens[0] ?? '';

    const done = await jar.send('POST', '/account/reset', { form: { token, email, new_password: 'new-pw', form_token: formToken } });
    expect(done.status).toBe(200);
    expect(headingOf(done)).toBe('Your password was changed');
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: 'new-pw' } })).status).toBe(200);
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: 'old-pw' } })).status).toBe(401);
    const again = await jar.send('POST', '/account/reset', { form: { token, email, new_password: 'third-pw', form_token: formToken } });
    expect(again.status).toBe(403);
    expect(again.text).toContain('This link is not valid any more');
  });

  it('refuses a POST without its form token, or with one that does not match the cookie, and spends nothing', async () => {
    const { email, token } = await accountWithToken();
    const jar = new CookieJar(service.url);
    const formToken = formTokenOf(await jar.send('GET', `/account/reset?token=${token}`));
    const cookie = `sesame_form_reset=${jar.get('sesame_form_reset') ?? ''}`;
    const verify = new CookieJar(service.url);
    const verifyToken = formTokenOf(await verify.send('GET', '/account/verify'));
    const attempts: Array<{ cookie?: string; formToken?: string }> = [
      { cookie },
      { cookie, formToken: formToken.toLowerCase() === formToken ? formToken.toUpperCase() : formToken.toLowerCase() },
      { formToken },
      { cookie, formToken: verifyToken },
      { cookie: `sesame_form_reset=${verify.get('sesame_form_verify') ?? ''}`, formToken: verifyToken },
    ];
    for (const attempt of attempts) {
      const fields = { token, email, new_password: 'attacker-pw', ...(attempt.formToken === undefined ? {} : { form_token: attempt.formToken }) };
      const refused = await send(service.url, 'POST', '/account/reset', { form: fields, ...(attempt.cookie === undefined ? {} : { headers: { cookie: attempt.cookie } }) });
      expect(refused.status, JSON.stringify(attempt)).toBe(403);
      expect(headingOf(refused)).toBe('This form has expired');
    }
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: 'old-pw' } })).status).toBe(200);
    const done = await jar.send('POST', '/account/reset', { form: { token, email, new_password: 'new-pw', form_token: formToken } });
    expect(done.status).toBe(200);
  });

  it('shows the form again, still valid, after a refused password', async () => {
    const { email, token } = await accountWithToken();
    const jar = new CookieJar(service.url);
    const formToken = formTokenOf(await jar.send('GET', `/account/reset?token=${token}`));
    const weak = await jar.send('POST', '/account/reset', { form: { token, email, new_password: '', form_token: formToken } });
    expect(weak.status).toBe(400);
    expect(weak.text).toMatch(/<div class="summary" role="alert" tabindex="-1" autofocus[^>]*><h2[^>]*>There is a problem<\/h2><ul><li><a href="#new_password">[^<]+<\/a><\/li><\/ul><\/div>/);
    expect(weak.text).toContain('aria-invalid="true" aria-describedby="new_password-hint new_password-error"');
    expect(weak.text).toContain(`<input type="hidden" name="token" value="${token}">`);
    expect(formTokenOf(weak)).toBe(formToken);
    expect((await jar.send('POST', '/account/reset', { form: { token, email, new_password: 'new-pw', form_token: formTokenOf(weak) } })).status).toBe(200);
  });

  it('refuses a link that is not Sesame\'s without reflecting it, and a token sent for another email', async () => {
    const hostile = await send(service.url, 'GET', `/account/reset?token=${encodeURIComponent('"><script>alert(1)</script>')}`);
    expect(hostile.status).toBe(400);
    expect(hostile.text).not.toContain('<script>');
    expect(hostile.text).toContain('This link is not valid');
    const { token } = await accountWithToken();
    const jar = new CookieJar(service.url);
    const formToken = formTokenOf(await jar.send('GET', `/account/reset?token=${token}`));
    const other = await jar.send('POST', '/account/reset', { form: { token, email: 'someone-else@example.com', new_password: 'x-pw', form_token: formToken } });
    expect(other.status).toBe(403);
    expect(headingOf(other)).toBe('This link is not valid any more');
  });

  it('is behind the cross-site guard: a form posted from another site changes nothing, even with a valid form token', async () => {
    const { email, token } = await accountWithToken();
    const jar = new CookieJar(service.url);
    const formToken = formTokenOf(await jar.send('GET', `/account/reset?token=${token}`));
    const forged = await jar.send('POST', '/account/reset', { form: { token, email, new_password: 'attacker-pw', form_token: formToken }, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(forged.status).toBe(403);
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: 'old-pw' } })).status).toBe(200);
  });
});
