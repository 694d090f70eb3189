/**
 * The page a mailed verification link opens, over real HTTP with the messages caught by a real SMTP receiver:
 * opening it spends nothing (a mail scanner may open it first), it is a one-button form under the pages' own policy,
 * and only its POST, with the page's form token and its cookie, spends the proof: a missing or forged form token and
 * a cross-site POST are refused and spend nothing. Without a token the page takes the address and the code; a
 * change of address lands on its own success page, and an address taken meanwhile on a refusal.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, send, uniqueEmail, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';
// Deterministic (issue 23): each mailed message is waited for at the receiver, with a busy machine's bound.
import { mailTo } from '../../support/mail-doubles.js';
import { mailedCode, type ReceivedMail, type SmtpReceiver, startSmtpReceiver } from '../../support/smtp.js';

const PASSWORD = 'a fine long password';

/** The settings of a service that mails verification links and holds logins until the address is verified. */
function mailSettings(smtp: SmtpReceiver): Record<string, string> {
  return { SMTP_URL: smtp.url, MAIL_FROM: 'Sesame <auth@example.com>', RESET_TOKEN_DELIVERY: 'email', REQUIRE_EMAIL_VERIFICATION: 'true' };
}

/** The path and query of a message's `/account/...` link (its host is the configured one, port 0 in tests), its token and code. */
function linkOf(mail: ReceivedMail): { path: string; token: string; code: string } {
  const link = /https?:\/\/[^\s/]+(\/account\/(?:verify|reset)\?token=([A-Za-z0-9_%-]+))/.exec(mail.text);
  const code = mailedCode(mail.text);
  if (link?.[1] === undefined || link[2] === undefined || code === undefined) throw new Error(`no link or code in ${mail.text}`);
  return { path: link[1], token: decodeURIComponent(link[2]), code };
}

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

describe('the verification page (/account/verify)', () => {
  let smtp: SmtpReceiver;
  let service: Service;
  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    service = await startService(mailSettings(smtp));
  });
  afterAll(async () => {
    await service?.stop();
    await smtp?.stop();
  });

  /** A fresh account (unverified) and its verification link. */
  async function registered(label: string): Promise<{ email: string; path: string; token: string; code: string }> {
    const email = uniqueEmail(label);
    expect((await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD } })).status).toBe(200);
    return { email, ...linkOf(await mailTo(smtp, email, '/account/verify?token=')) };
  }

  /** What a login answers now. */
  async function login(email: string, password = PASSWORD): Promise<Reply> {
    return send(service.url, 'POST', '/sessions', { form: { email, password } });
  }

  it('opens as a one-button form under its own policy, twice, without spending the token; the POST then verifies once', async () => {
    const { email, path, token } = await registered('open');
    expect(path).toBe(`/account/verify?token=${encodeURIComponent(token)}`);
    const jar = new CookieJar(service.url);
    const tokens: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const opened = await jar.send('GET', path);
      expect(opened.status).toBe(200);
      expect(headingOf(opened)).toBe('Confirm your email address');
      expect(opened.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(opened.headers['referrer-policy']).toBe('strict-origin');
      expect(opened.headers['cache-control']).toBe('no-store');
      expect(opened.headers['content-security-policy']).toBe("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
      const stylesheet = /<link rel="stylesheet" href="(assets\/sesame\.[0-9a-f]{16}\.css)">/.exec(opened.text)?.[1] ?? '';
      const style = await send(service.url, 'GET', `/account/${stylesheet}`);
      expect(style.status).toBe(200);
      expect(style.text).toContain('max-width');
      expect(opened.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(opened.text).toContain('<form method="post" action="verify">');
      expect(opened.text).toContain(`<input type="hidden" name="token" value="${token}">`);
      expect(opened.text).toContain('<button type="submit">Confirm this email address</button>');
      expect(opened.text).not.toMatch(/<script|https?:\/\/|style="/);
      // The form cookie: HttpOnly, SameSite=Strict, an hour, scoped by the browser to /account (no Path), not Secure over http.
      expect(opened.setCookies).toHaveLength(1);
      expect(opened.setCookies[0]).toMatch(/^sesame_form_verify=[A-Za-z0-9_-]{43}; Max-Age=3600; HttpOnly; SameSite=Strict$/);
      tokens.push(formTokenOf(opened));
      // Opening the link spent nothing: the account still cannot log in.
      const refused = await login(email);
      expect(refused.status).toBe(403);
      expect(refused.json).toEqual({ message: 'email not verified' });
    }
    // The cookie the browser already held was kept, so both copies of the page are good.
    expect(tokens[1]).toBe(tokens[0]);

    const done = await jar.send('POST', '/account/verify', { form: { token, form_token: tokens[0] ?? '' } });
    expect(done.status).toBe(200);
    expect(headingOf(done)).toBe('Your email address is verified');
    expect(done.text).toContain(email);
    expect((await login(email)).status).toBe(200);

    const again = await jar.send('POST', '/account/verify', { form: { token, form_token: tokens[0] ?? '' } });
    expect(again.status).toBe(403);
    expect(headingOf(again)).toBe('This link is not valid any more');
  });

  it('refuses a POST whose form token is missing, forged, without its cookie or from the other form, and spends nothing', async () => {
    const { email, path, token } = await registered('forged');
    const jar = new CookieJar(service.url);
    const formToken = formTokenOf(await jar.send('GET', path));
    const cookie = jar.get('sesame_form_verify') ?? '';
    const other = new CookieJar(service.url);
    const otherToken = formTokenOf(await other.send('GET', '/account/verify'));
    const reset = new CookieJar(service.url);
    const resetPage = await reset.send('GET', `/account/reset?token=${'a'.repeat(43)}`);
    const resetToken = formTokenOf(resetPage);
    const forgeries: Array<{ headers?: Record<string, string>; fields: Record<string, string> }> = [
      { headers: { cookie: `sesame_form_verify=${cookie}` }, fields: { token } },
      { headers: { cookie: `sesame_form_verify=${cookie}` }, fields: { token, form_token: '' } },
      { headers: { cookie: `sesame_form_verify=${cookie}` }, fields: { token, form_token: `${formToken.slice(0, -1)}${formToken.endsWith('A') ? 'B' : 'A'}` } },
      { fields: { token, form_token: formToken } },
      // Another browser's pair, each half alone, and halves of two pairs put together.
      { headers: { cookie: `sesame_form_verify=${cookie}` }, fields: { token, form_token: otherToken } },
      // The reset form's cookie and field are for another form.
      { headers: { cookie: `sesame_form_verify=${reset.get('sesame_form_reset') ?? ''}` }, fields: { token, form_token: resetToken } },
      { headers: { cookie: `sesame_form_reset=${reset.get('sesame_form_reset') ?? ''}` }, fields: { token, form_token: resetToken } },
      // A cookie of the wrong shape, with its own signature no one could have computed without the key.
      { headers: { cookie: 'sesame_form_verify=short' }, fields: { token, form_token: formToken } },
    ];
    for (const forged of forgeries) {
      const refused = await send(service.url, 'POST', '/account/verify', { form: forged.fields, ...(forged.headers === undefined ? {} : { headers: forged.headers }) });
      expect(refused.status, JSON.stringify(forged)).toBe(403);
      expect(headingOf(refused)).toBe('This form has expired');
      expect(refused.text).toContain('Nothing was changed. Open the page again');
      expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
    }
    expect((await login(email)).json).toEqual({ message: 'email not verified' });
    // The genuine pair still works: none of the forgeries spent the token.
    const done = await jar.send('POST', '/account/verify', { form: { token, form_token: formToken } });
    expect(done.status).toBe(200);
    expect((await login(email)).status).toBe(200);
  });

  it('is behind the cross-site guard: a form posted from another site verifies nothing, even with a valid form token', async () => {
    const { email, path, token } = await registered('cross');
    const jar = new CookieJar(service.url);
    const formToken = formTokenOf(await jar.send('GET', path));
    const forged = await jar.send('POST', '/account/verify', { form: { token, form_token: formToken }, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(forged.status).toBe(403);
    expect(forged.text).not.toContain('verified');
    // Refused as a page the person can read, with the API's code.
    expect(forged.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(forged.headers['sesame-error']).toBe('csrf.cross_site');
    expect(forged.text).toContain('<h1>This request was refused</h1>');
    expect(forged.text).toContain('cross-site request refused.');
    expect((await login(email)).json).toEqual({ message: 'email not verified' });
    const own = await jar.send('POST', '/account/verify', { form: { token, form_token: formToken }, headers: { origin: service.origin, 'sec-fetch-site': 'same-origin' } });
    expect(own.status).toBe(200);
  });

  it('answers a POST it cannot read with a page: 400, the validation message, nothing verified', async () => {
    const jar = new CookieJar(service.url);
    const formToken = formTokenOf(await jar.send('GET', '/account/verify'));
    const unreadable = await jar.send('POST', '/account/verify', { form: { form_token: formToken, surprise: 'field' } });
    expect(unreadable.status).toBe(400);
    expect(unreadable.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(unreadable.headers['sesame-error']).toBe('request.invalid');
    expect(unreadable.headers['content-security-policy']).toContain("default-src 'none'");
    expect(unreadable.text).toContain('<h1>This form could not be read</h1>');
  });

  it('without a token asks for the address and the code in labelled fields; a wrong code is refused, the right one verifies', async () => {
    const { email, code } = await registered('code');
    const jar = new CookieJar(service.url);
    const form = await jar.send('GET', '/account/verify');
    expect(form.status).toBe(200);
    expect(headingOf(form)).toBe('Confirm your email address');
    expect(form.text).toMatch(/<label for="email">Email address <span class="req">\(required\)<\/span><\/label><input id="email" name="email" type="email" autocomplete="email" maxlength="320" required aria-required="true" value="">/);
    expect(form.text).toMatch(/<label for="code">Code <span class="req">\(required\)<\/span><\/label><span class="hint" id="code-hint">1234-5678<\/span><input id="code" name="code" type="text" autocomplete="one-time-code" maxlength="20" required aria-required="true" inputmode="numeric" aria-describedby="code-hint">/);
    expect(form.text).not.toContain('name="token"');
    expect(jar.get('sesame_form_verify')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const formToken = formTokenOf(form);

    const missing = await jar.send('POST', '/account/verify', { form: { email, code: ' ', form_token: formToken } });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('<a href="#code">Enter the code from the message.</a>');

    const wrongCode = code === '1111-1111' ? '2222-2222' : '1111-1111';
    const wrong = await jar.send('POST', '/account/verify', { form: { email, code: wrongCode, form_token: formToken } });
    expect(wrong.status).toBe(403);
    expect(wrong.text).toContain('This code is not valid');
    // The form comes back with the address filled in, and a form token that still matches the cookie.
    expect(wrong.text).toMatch(new RegExp(`<input id="email" name="email"[^>]* value="${email.replace(/[.+]/g, '\\$&')}"`));
    expect(formTokenOf(wrong)).toBe(formToken);
    expect((await login(email)).json).toEqual({ message: 'email not verified' });

    const hostile = await jar.send('POST', '/account/verify', { form: { email: '"><script>alert(1)</script>', code: wrongCode, form_token: formToken } });
    expect(hostile.status).toBe(403);
    expect(hostile.text).not.toContain('<script>');
    expect(hostile.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');

    // Typed as people type it: the address in capitals, the code without its dash.
    const done = await jar.send('POST', '/account/verify', { form: { email: email.toUpperCase(), code: code.replace('-', ''), form_token: formToken } });
    expect(done.status).toBe(200);
    expect(headingOf(done)).toBe('Your email address is verified');
    expect((await login(email)).status).toBe(200);
  });

  it('refuses a link that is not Sesame\'s without reflecting it, on the GET and on the POST', async () => {
    const hostile = await send(service.url, 'GET', `/account/verify?token=${encodeURIComponent('"><script>alert(1)</script>')}`);
    expect(hostile.status).toBe(400);
    expect(headingOf(hostile)).toBe('This link is not valid');
    expect(hostile.text).not.toContain('script');
    expect(hostile.setCookies).toEqual([]);
    const jar = new CookieJar(service.url);
    const formToken = formTokenOf(await jar.send('GET', '/account/verify'));
    const posted = await jar.send('POST', '/account/verify', { form: { token: 'not a token!', form_token: formToken } });
    expect(posted.status).toBe(400);
    expect(headingOf(posted)).toBe('This link is not valid');
    const unknown = await jar.send('POST', '/account/verify', { form: { token: 'A'.repeat(43), form_token: formToken } });
    expect(unknown.status).toBe(403);
    expect(headingOf(unknown)).toBe('This link is not valid any more');
  });

  it('confirms a change of address on its own success page; an address taken meanwhile is refused without spending the link', async () => {
    const { email, path: verifyPath, token: verifyToken } = await registered('mover');
    const jar = new CookieJar(service.url);
    const opened = await jar.send('GET', verifyPath);
    expect((await jar.send('POST', '/account/verify', { form: { token: verifyToken, form_token: formTokenOf(opened) } })).status).toBe(200);
    const session = (await login(email)).sessionId ?? '';

    const wanted = uniqueEmail('moved');
    expect((await send(service.url, 'PUT', '/email', { form: { password: PASSWORD, new_email: wanted }, sessionId: session })).status).toBe(200);
    const change = linkOf(await mailTo(smtp, wanted, '/account/verify?token='));
    // Someone registers the wanted address before the owner confirms.
    expect((await send(service.url, 'POST', '/users', { form: { email: wanted, password: PASSWORD } })).status).toBe(200);
    const page = await jar.send('GET', change.path);
    const taken = await jar.send('POST', '/account/verify', { form: { token: change.token, form_token: formTokenOf(page) } });
    expect(taken.status).toBe(400);
    expect(headingOf(taken)).toBe('This email address is already in use');
    // Not spent: the same link is refused for the same reason again, not as a dead link.
    const retried = await jar.send('POST', '/account/verify', { form: { token: change.token, form_token: formTokenOf(page) } });
    expect(retried.status).toBe(400);
    expect(headingOf(retried)).toBe('This email address is already in use');
    expect((await login(email)).status).toBe(200);

    // A second change, to a free address, confirmed by the link: the account moves.
    const next = uniqueEmail('moved');
    expect((await send(service.url, 'PUT', '/email', { form: { password: PASSWORD, new_email: next }, sessionId: session })).status).toBe(200);
    const confirm = linkOf(await mailTo(smtp, next, '/account/verify?token='));
    const moved = await jar.send('POST', '/account/verify', { form: { token: confirm.token, form_token: formTokenOf(await jar.send('GET', confirm.path)) } });
    expect(moved.status).toBe(200);
    expect(headingOf(moved)).toBe('Your account now uses this email address');
    expect(moved.text).toContain(`Sign in with ${next} from now on.`);
    expect((await login(next)).status).toBe(200);
    expect((await login(email)).status).toBe(401);
  });

  it('keeps the pages out of the API description', async () => {
    const openapi = await send(service.url, 'GET', '/openapi.json');
    expect(openapi.status).toBe(200);
    expect(Object.keys((openapi.json as { paths: Record<string, unknown> }).paths).filter((p) => p.startsWith('/account'))).toEqual([]);
    expect(Object.keys((openapi.json as { paths: Record<string, unknown> }).paths)).toContain('/email/verify');
  });
});

describe('the form cookie when the session cookie is Secure', () => {
  let smtp: SmtpReceiver;
  let service: Service;
  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    service = await startService({ ...mailSettings(smtp), COOKIE_SECURE: 'true' });
  });
  afterAll(async () => {
    await service?.stop();
    await smtp?.stop();
  });

  it('is Secure, under the __Secure- prefix, and the POST reads it under that name', async () => {
    const email = uniqueEmail('secure');
    expect((await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD } })).status).toBe(200);
    const { path, token } = linkOf(await mailTo(smtp, email, '/account/verify?token='));
    const jar = new CookieJar(service.url);
    const opened = await jar.send('GET', path);
    expect(opened.setCookies[0]).toMatch(/^__Secure-sesame_form_verify=[A-Za-z0-9_-]{43}; Max-Age=3600; HttpOnly; Secure; SameSite=Strict$/);
    const value = jar.get('__Secure-sesame_form_verify') ?? '';
    // The same value under the unprefixed name is not the form's cookie here.
    const unprefixed = await send(service.url, 'POST', '/account/verify', { form: { token, form_token: formTokenOf(opened) }, headers: { cookie: `sesame_form_verify=${value}` } });
    expect(unprefixed.status).toBe(403);
    const done = await jar.send('POST', '/account/verify', { form: { token, form_token: formTokenOf(opened) } });
    expect(done.status).toBe(200);
    expect(headingOf(done)).toBe('Your email address is verified');
  });
});

describe('the verification page under the rate limits', () => {
  let smtp: SmtpReceiver;
  let service: Service;
  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    service = await startService({ ...mailSettings(smtp), RATE_LIMIT_ACCOUNT_MAX: '2' });
  });
  afterAll(async () => {
    await service?.stop();
    await smtp?.stop();
  });

  it('counts code guesses per account on the counters of POST /email/verify', async () => {
    const email = uniqueEmail('limited');
    expect((await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD } })).status).toBe(200);
    const { code } = linkOf(await mailTo(smtp, email, '/account/verify?token='));
    const wrongCode = code === '1111-1111' ? '2222-2222' : '1111-1111';
    const jar = new CookieJar(service.url);
    const formToken = formTokenOf(await jar.send('GET', '/account/verify'));
    for (let i = 0; i < 2; i += 1) {
      expect((await jar.send('POST', '/account/verify', { form: { email, code: wrongCode, form_token: formToken } })).status).toBe(403);
    }
    // The right code is refused now: the account's guesses are used up, here and on the JSON route alike.
    const limited = await jar.send('POST', '/account/verify', { form: { email, code, form_token: formToken } });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(limited.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(limited.headers['sesame-error']).toBe('rate_limit.exceeded');
    expect(limited.text).toMatch(/<h1>Too many tries<\/h1><p>too many attempts: try again in \d+ seconds\.<\/p>/);
    expect((await send(service.url, 'POST', '/email/verify', { form: { email, code } })).status).toBe(429);
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD } })).json).toEqual({ message: 'email not verified' });
  });
});
