/**
 * The hosted pages over real HTTP (SQLite; the services beneath are tested on both engines): sign-up, sign-in,
 * the account page, sign-out by button only, forgot-password that always mails and never shows a token, the
 * hashed stylesheet, languages, branding, text replacements, and `PAGES_ENABLED=false`.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { CookieJar, send, uniqueEmail, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';
import { mailTo } from '../../support/mail-doubles.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp.js';
import { makeTempDir, type TempDir } from '../../support/temp.js';

const PASSWORD = 'correct horse battery staple';

/** The form token of a page. */
function formToken(page: Reply): string {
  const match = /name="form_token" value="([^"]+)"/.exec(page.text);
  if (match?.[1] === undefined) throw new Error(`no form token in ${page.text}`);
  return match[1];
}

/** The heading of a page. */
function headingOf(page: Reply): string {
  return /<h1>([^<]*)<\/h1>/.exec(page.text)?.[1] ?? '';
}

/** A browser-like client of the pages of a service. */
function pagesOf(service: Service): CookieJar {
  return new CookieJar(`${service.url}/account/`);
}

/** Signs up through the pages; the result page. */
async function signUp(jar: CookieJar, email: string, password = PASSWORD): Promise<Reply> {
  const page = await jar.send('GET', 'signup');
  return jar.send('POST', 'signup', { form: { email, password, form_token: formToken(page) } });
}

/** Signs in through the pages; the answer to the POST. */
async function signIn(jar: CookieJar, email: string, password = PASSWORD): Promise<Reply> {
  const page = await jar.send('GET', 'login');
  return jar.send('POST', 'login', { form: { email, password, form_token: formToken(page) } });
}

describe('the hosted pages (development profile)', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({ PASSWORD_MIN_LENGTH: '12' });
  });
  afterAll(async () => {
    await service.stop();
  });

  it('signs up with labelled, required, autocompleting fields, then the account signs in on the API', async () => {
    const jar = pagesOf(service);
    const page = await jar.send('GET', 'signup');
    expect(page.status).toBe(200);
    expect(headingOf(page)).toBe('Create your account');
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).toContain('<title>Create your account · Sesame</title>');
    expect(page.text).toMatch(/<label for="email">Email address <span class="req">\(required\)<\/span><\/label><input id="email" name="email" type="email" autocomplete="email" maxlength="320" required aria-required="true"/);
    expect(page.text).toMatch(/<label for="password">Password <span class="req">\(required\)<\/span><\/label><span class="hint" id="password-hint">At least 12 characters\. [^<]+<\/span><input id="password" name="password" type="password" autocomplete="new-password"[^>]* aria-describedby="password-hint">/);
    expect(page.text).not.toMatch(/<script|style="|class="summary"|aria-invalid/);
    expect(page.text).toContain('<p class="alt">Already have an account? <a href="login">Sign in</a></p>');
    const email = uniqueEmail('signup');
    const done = await jar.send('POST', 'signup', { form: { email, password: PASSWORD, form_token: formToken(page) } });
    expect(done.status).toBe(200);
    expect(headingOf(done)).toBe('Your account is ready');
    expect(done.text).toContain(`Your account ${email} was created.`);
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD } })).status).toBe(200);
  });

  it('shows each problem beside its field, in a summary that takes focus, and keeps the address typed', async () => {
    const jar = pagesOf(service);
    const empty = await jar.send('POST', 'signup', { form: { email: '', password: '', form_token: formToken(await jar.send('GET', 'signup')) } });
    expect(empty.status).toBe(400);
    expect(empty.text).toMatch(/<div class="summary" role="alert" tabindex="-1" autofocus aria-labelledby="error-summary-title"><h2 id="error-summary-title">There is a problem<\/h2><ul><li><a href="#email">Enter your email address\.<\/a><\/li><li><a href="#password">Enter your password\.<\/a><\/li><\/ul><\/div>/);
    expect(empty.text).toContain('<span class="field-error" id="email-error">Enter your email address.</span>');
    expect(empty.text).toContain('aria-invalid="true" aria-describedby="email-error"');
    expect(empty.text).toContain('<span class="field-error" id="password-error">Enter your password.</span>');
    expect(empty.text).toMatch(/<input id="password" name="password" type="password"[^>]* aria-invalid="true" aria-describedby="password-hint password-error">/);
    const weak = await jar.send('POST', 'signup', { form: { email: uniqueEmail('weak'), password: 'short', form_token: formToken(empty) } });
    expect(weak.status).toBe(400);
    expect(weak.text).toMatch(/<a href="#password">Choose a stronger password\. Password must be at least 12 characters[^<]*\.<\/a>/);
    // A password is never sent back into the page; the address is.
    expect(weak.text).toMatch(/<input id="password" name="password" type="password" autocomplete="new-password" maxlength="1024" required aria-required="true" aria-invalid/);
    const hostile = await jar.send('POST', 'signup', { form: { email: '"><script>alert(1)</script>', password: PASSWORD, form_token: formToken(weak) } });
    expect(hostile.status).toBe(400);
    expect(hostile.text).toContain('<a href="#email">Enter an email address like name@example.com.</a>');
    expect(hostile.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(hostile.text).not.toContain('<script>');
  });

  it('refuses a weak password in French in its own words, with the policy\'s length', async () => {
    const jar = pagesOf(service);
    const page = await jar.send('GET', 'signup?lang=fr');
    const weak = await jar.send('POST', 'signup', { form: { email: uniqueEmail('faible'), password: 'court', form_token: formToken(page) } });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('<html lang="fr">');
    expect(weak.text).toContain('<a href="#password">Choisissez un autre mot de passe : il doit compter au moins 12 caractères et ne pas être facile à deviner.</a>');
    expect(weak.text).toContain('<span class="hint" id="password-hint">Au moins 12 caractères. ');
  });

  it('keeps the seed\'s "already registered" in development, as a problem on the address', async () => {
    const email = uniqueEmail('taken');
    expect((await signUp(pagesOf(service), email)).status).toBe(200);
    const again = await signUp(pagesOf(service), email);
    expect(again.status).toBe(400);
    expect(again.text).toContain('<a href="#email">An account already uses this address.');
  });

  it('refuses a form without its token, and changes nothing', async () => {
    const email = uniqueEmail('forged');
    const forged = await send(service.url, 'POST', '/account/signup', { form: { email, password: PASSWORD } });
    expect(forged.status).toBe(403);
    expect(headingOf(forged)).toBe('This form has expired');
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD } })).status).toBe(401);
  });

  it('signs in with a 303 to the account page and the session cookie; a wrong password and an unknown address read the same', async () => {
    const email = uniqueEmail('login');
    const jar = pagesOf(service);
    await signUp(jar, email);
    const wrong = await signIn(jar, email, 'not the password at all');
    const unknown = await signIn(jar, uniqueEmail('nobody'), 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const problem = (reply: Reply): string => /<div class="summary"[\s\S]*?<\/div>/.exec(reply.text)?.[0] ?? '';
    expect(problem(wrong)).toBe(problem(unknown));
    expect(problem(wrong)).toContain('The email address or the password is not right.');
    expect(wrong.text).toMatch(/<input id="password" name="password" type="password" autocomplete="current-password"/);
    expect(wrong.text).not.toContain('not the password at all');
    const ok = await signIn(jar, email);
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('./');
    expect(ok.sessionId).toMatch(/.{20,}/);
    const home = await jar.send('GET', '');
    expect(home.status).toBe(200);
    expect(home.text).toContain(`You are signed in as ${email}.`);
    expect((await send(service.url, 'GET', '/profile', { sessionId: ok.sessionId ?? '' })).json).toEqual({ email });
  });

  it('sends a signed-out visit of the account page to sign-in, and /account to /account/', async () => {
    const home = await send(service.url, 'GET', '/account/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('login?return_to=%2Faccount%2F');
    const bare = await send(service.url, 'GET', '/account');
    expect(bare.status).toBe(301);
    expect(new URL(bare.headers.location ?? '', `${service.url}/account`).pathname).toBe('/account/');
  });

  it('signs out only by the button: a GET shows it and ends nothing; the POST ends the session and clears the cookie', async () => {
    const email = uniqueEmail('logout');
    const jar = pagesOf(service);
    await signUp(jar, email);
    const sessionId = (await signIn(jar, email)).sessionId ?? '';
    const page = await jar.send('GET', 'logout');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`You are signed in as ${email}.`);
    expect(page.text).toContain('<form method="post" action="logout">');
    expect((await send(service.url, 'GET', '/profile', { sessionId })).status).toBe(200);
    const forged = await send(service.url, 'POST', '/account/logout', { form: {}, headers: { cookie: `session_id=${sessionId}` } });
    expect(forged.status).toBe(403);
    expect((await send(service.url, 'GET', '/profile', { sessionId })).status).toBe(200);
    const done = await jar.send('POST', 'logout', { form: { form_token: formToken(page) } });
    expect(done.status).toBe(200);
    expect(headingOf(done)).toBe('You are signed out');
    expect(done.setCookies.some((line) => /^session_id=;/.test(line))).toBe(true);
    expect((await send(service.url, 'GET', '/profile', { sessionId })).status).toBe(403);
    expect((await jar.send('GET', 'logout')).text).toContain('You are not signed in.');
  });

  it('serves the stylesheet under its content hash, cacheable for a year; anything else under assets is 404', async () => {
    const page = await send(service.url, 'GET', '/account/login');
    const href = /<link rel="stylesheet" href="assets\/(sesame\.[0-9a-f]{16}\.css)">/.exec(page.text)?.[1] ?? '';
    const css = await send(service.url, 'GET', `/account/assets/${href}`);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(css.text).toContain('--accent:#1d4ed8');
    expect(Buffer.byteLength(css.text)).toBeLessThan(8 * 1024);
    expect(Buffer.byteLength(page.text)).toBeLessThan(4 * 1024);
    expect(page.headers['cache-control']).toBe('no-store');
    expect((await send(service.url, 'GET', '/account/assets/sesame.0000000000000000.css')).status).toBe(404);
  });

  it('speaks French from Accept-Language, switches by link and remembers the switch over the browser\'s header', async () => {
    const french = await send(service.url, 'GET', '/account/login', { headers: { 'accept-language': 'fr-CA,fr;q=0.9,en;q=0.5' } });
    expect(french.text).toContain('<html lang="fr">');
    expect(headingOf(french)).toBe('Se connecter');
    expect(french.text).toContain('<nav aria-label="Langue">');
    expect(french.text).toContain('<a href="?lang=en" hreflang="en" lang="en">English</a>');
    expect(french.text).toContain('<a href="?lang=fr" hreflang="fr" lang="fr" aria-current="true">Français</a>');
    const jar = pagesOf(service);
    const switched = await jar.send('GET', 'login?lang=fr');
    expect(switched.text).toContain('<html lang="fr">');
    expect(jar.get('sesame_lang')).toBe('fr');
    expect(switched.setCookies).toContain('sesame_lang=fr; Max-Age=31536000; HttpOnly; SameSite=Lax');
    const remembered = await jar.send('GET', 'signup', { headers: { 'accept-language': 'en' } });
    expect(remembered.text).toContain('<html lang="fr">');
    expect(headingOf(remembered)).toBe('Créer votre compte');
    expect((await jar.send('GET', 'signup?lang=en')).text).toContain('<html lang="en">');
  });

  it('ignores a language it does not speak, in the switch and in the cookie, and speaks the account\'s language once signed in', async () => {
    const unknown = await send(service.url, 'GET', '/account/login?lang=de', { headers: { 'accept-language': 'fr' } });
    expect(unknown.text).toContain('<html lang="fr">');
    expect(unknown.setCookies.some((line) => line.startsWith('sesame_lang'))).toBe(false);
    expect((await send(service.url, 'GET', '/account/login', { headers: { cookie: 'sesame_lang=de', 'accept-language': 'fr' } })).text).toContain('<html lang="fr">');
    const email = uniqueEmail('francophone');
    expect((await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD }, headers: { 'accept-language': 'fr' } })).status).toBe(200);
    const sessionId = (await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD } })).sessionId ?? '';
    const home = await send(service.url, 'GET', '/account/', { headers: { cookie: `session_id=${sessionId}`, 'accept-language': 'en' } });
    expect(home.text).toContain('<html lang="fr">');
    expect(home.text).toContain(`Vous êtes connecté en tant que ${email}.`);
    const chosen = await send(service.url, 'GET', '/account/', { headers: { cookie: `session_id=${sessionId}; sesame_lang=en`, 'accept-language': 'fr' } });
    expect(chosen.text).toContain('<html lang="en">');
  });

  it('keeps a mailed token and return_to in the switch\'s links, and nothing else', async () => {
    const token = 'A'.repeat(43);
    const page = await send(service.url, 'GET', `/account/reset?token=${token}&evil=%22x`);
    expect(page.text).toContain(`<a href="?token=${token}&amp;lang=fr"`);
    expect(page.text).not.toContain('evil');
  });
});

describe('the forgot-password page', () => {
  let smtp: SmtpReceiver;
  let service: Service;
  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    // The seed's delivery hands the token back in the API's body; the page mails it all the same.
    service = await startService({ SMTP_URL: smtp.url, MAIL_FROM: 'Sesame <auth@example.com>', RESET_TOKEN_DELIVERY: 'response' });
  });
  afterAll(async () => {
    await service.stop();
    await smtp.stop();
  });

  it('says the same for a known and an unknown address, never shows a token, and mails the link to the known one', async () => {
    const email = uniqueEmail('forgot');
    expect((await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD } })).status).toBe(200);
    const ask = async (address: string): Promise<Reply> => {
      const jar = pagesOf(service);
      const page = await jar.send('GET', 'forgot');
      expect(page.text).toMatch(/<input id="email" name="email" type="email" autocomplete="email"/);
      return jar.send('POST', 'forgot', { form: { email: address, form_token: formToken(page) } });
    };
    const unknownAddress = uniqueEmail('forgot-nobody');
    const known = await ask(email);
    const unknown = await ask(unknownAddress);
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(known.text.replace(email, 'X')).toBe(unknown.text.replace(unknownAddress, 'X'));
    expect(headingOf(known)).toBe('Check your mail');
    const mail = await mailTo(smtp, email, 'account/reset?token=');
    const token = /account\/reset\?token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] ?? '';
    expect(token).not.toBe('');
    expect(known.text).not.toContain(token);
    // The mailed link works on the reset page, and the new password signs in.
    const jar = pagesOf(service);
    const resetPage = await jar.send('GET', `reset?token=${token}`);
    const done = await jar.send('POST', 'reset', { form: { token, email, new_password: 'a brand new passphrase', form_token: formToken(resetPage) } });
    expect(headingOf(done)).toBe('Your password was changed');
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: 'a brand new passphrase' } })).status).toBe(200);
    // Nothing is ever enqueued for the unknown address (its request committed before the known one's mail arrived).
    expect(smtp.received.some((message) => message.to.includes(unknownAddress))).toBe(false);
  });
});

describe('enumeration-safe sign-up on the page (REQUIRE_EMAIL_VERIFICATION=true)', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({ REQUIRE_EMAIL_VERIFICATION: 'true' });
  });
  afterAll(async () => {
    await service.stop();
  });

  it('answers a taken address exactly as a new one', async () => {
    const email = uniqueEmail('enum');
    const first = await signUp(pagesOf(service), email);
    const second = await signUp(pagesOf(service), email);
    expect(first.status).toBe(200);
    expect(headingOf(first)).toBe('Check your mail');
    expect(second.status).toBe(first.status);
    expect(second.text).toBe(first.text);
    const unverified = await signIn(pagesOf(service), email);
    expect(unverified.status).toBe(403);
    expect(unverified.text).toContain('<ul><li>Confirm your email address first: open the link in the message we sent you.</li></ul>');
    expect(unverified.text).toContain('<a href="verify">Confirm with the code from the message</a>');
    // The development policy asks for one character: the advice then names no length.
    expect((await send(service.url, 'GET', '/account/signup')).text).toContain('<span class="hint" id="password-hint">A few unrelated words make a strong password that is easy to remember.</span>');
  });
});

describe('branding, texts and PAGES_ENABLED', () => {
  let dir: TempDir;
  beforeAll(() => {
    dir = makeTempDir('pages-branding');
  });
  afterAll(() => {
    dir.remove();
  });

  it('shows the product name, the accent and a logo file served under its hash', async () => {
    const logo = join(dir.path, 'logo.svg');
    writeFileSync(logo, '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#123"/></svg>');
    const service = await startService({ PAGES_PRODUCT_NAME: 'Acme <ID>', PAGES_ACCENT_COLOR: '#7A1F5C', PAGES_LOGO: logo });
    try {
      const page = await send(service.url, 'GET', '/account/login');
      expect(page.text).toContain('<title>Sign in · Acme &lt;ID&gt;</title>');
      expect(page.text).toContain('<span>Acme &lt;ID&gt;</span>');
      const src = /<img src="assets\/(logo\.[0-9a-f]{16}\.svg)" alt=""/.exec(page.text)?.[1] ?? '';
      const served = await send(service.url, 'GET', `/account/assets/${src}`);
      expect(served.status).toBe(200);
      expect(served.headers['content-type']).toBe('image/svg+xml');
      expect(served.headers['content-security-policy']).toContain('sandbox');
      const href = /href="assets\/(sesame\.[0-9a-f]{16}\.css)"/.exec(page.text)?.[1] ?? '';
      expect((await send(service.url, 'GET', `/account/assets/${href}`)).text).toContain('--accent:#7a1f5c');
    } finally {
      await service.stop();
    }
  });

  it('uses a data: logo as is, allowed by img-src data:', async () => {
    const uri = 'data:image/png;base64,iVBORw0KGgo=';
    const service = await startService({ PAGES_LOGO: uri });
    try {
      const page = await send(service.url, 'GET', '/account/login');
      expect(page.text).toContain(`<img src="${uri}" alt=""`);
      expect(page.headers['content-security-policy']).toContain("img-src 'self' data:");
    } finally {
      await service.stop();
    }
  });

  it('replaces texts per language from PAGES_TEXTS, escaped like any other text', async () => {
    const texts = join(dir.path, 'texts.json');
    writeFileSync(texts, JSON.stringify({ en: { 'login.title': 'Log in <now>' }, fr: { 'login.submit': 'Entrer' } }));
    const service = await startService({ PAGES_TEXTS: texts });
    try {
      expect(headingOf(await send(service.url, 'GET', '/account/login'))).toBe('Log in &lt;now&gt;');
      const french = await send(service.url, 'GET', '/account/login?lang=fr');
      expect(headingOf(french)).toBe('Se connecter');
      expect(french.text).toContain('<button type="submit">Entrer</button>');
    } finally {
      await service.stop();
    }
  });

  it('refuses at start-up an accent without contrast, a logo it cannot use, and an unknown text key, naming each', () => {
    expect(() => loadConfig({ PAGES_ACCENT_COLOR: '#ffcc00' })).toThrow(/PAGES_ACCENT_COLOR #ffcc00 has a contrast of 1\.\d\d:1 with white/);
    expect(() => loadConfig({ PAGES_ACCENT_COLOR: 'blue' })).toThrow(/PAGES_ACCENT_COLOR must be a colour like #1d4ed8/);
    expect(() => loadConfig({ PAGES_LOGO: join(dir.path, 'missing.png') })).toThrow(/PAGES_LOGO .*missing\.png cannot be read/);
    expect(() => loadConfig({ PAGES_LOGO: join(dir.path, 'logo.bmp') })).toThrow(/PAGES_LOGO must be a \.png/);
    expect(() => loadConfig({ PAGES_LOGO: 'data:text/html,<script>' })).toThrow(/PAGES_LOGO as a data: URI must be an image/);
    const big = join(dir.path, 'big.png');
    writeFileSync(big, Buffer.alloc(100 * 1024 + 1));
    expect(() => loadConfig({ PAGES_LOGO: big })).toThrow(/is 102401 bytes/);
    const texts = join(dir.path, 'bad-texts.json');
    writeFileSync(texts, JSON.stringify({ en: { 'login.titel': 'x' }, de: {} }));
    expect(() => loadConfig({ PAGES_TEXTS: texts })).toThrow(/unknown text key "en\.login\.titel"[\s\S]*unknown language "de"|unknown language "de"[\s\S]*unknown text key "en\.login\.titel"/);
    expect(() => loadConfig({ PAGES_PRODUCT_NAME: ' ' })).toThrow(/PAGES_PRODUCT_NAME must be 1 to 60 characters/);
  });

  it('serves no page with PAGES_ENABLED=false, the mail landing pages included', async () => {
    const service = await startService({ PAGES_ENABLED: 'false' });
    try {
      for (const path of ['/account/login', '/account/signup', '/account/forgot', '/account/', '/account/reset?token=' + 'A'.repeat(43), '/account/verify']) {
        expect((await send(service.url, 'GET', path)).status, path).toBe(404);
      }
      expect((await send(service.url, 'POST', '/users', { form: { email: uniqueEmail('api'), password: PASSWORD } })).status).toBe(200);
    } finally {
      await service.stop();
    }
  });
});
