/**
 * The account's detail pages over real HTTP (SQLite), with the messages caught by a real SMTP receiver: resending
 * the confirmation, the language form, the change of address (every refusal, then the whole journey through the
 * mailed link), the security events a page at a time, and the export as a download. Each page needs a live session
 * and each form its form token; what they change is read back through the API.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDITED_EVENT_TYPES } from '../../../src/event-types.js';
import { en } from '../../../src/surfaces/pages/texts/en.js';
import { fr } from '../../../src/surfaces/pages/texts/fr.js';
import { CookieJar, send, uniqueEmail, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';
import { mailTo, outboxSettled, until } from '../../support/mail-doubles.js';
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../../support/smtp.js';

const PASSWORD = 'correct horse battery staple';

/** The form token of the form posting to `action` in a page (the account page holds several forms). */
function formTokenFor(page: Reply, action: string): string {
  const match = new RegExp(`<form method="post" action="${action}"[^>]*>(?:(?!</form>)[\\s\\S])*?name="form_token" value="([^"]+)"`).exec(page.text);
  if (match?.[1] === undefined) throw new Error(`no form posting to ${action} in ${page.text}`);
  return match[1];
}

/** The heading of a page. */
function headingOf(page: Reply): string {
  return /<h1>([^<]*)<\/h1>/.exec(page.text)?.[1] ?? '';
}

/** The names of the events a page lists, in order. */
function eventNames(page: Reply): string[] {
  return [...page.text.matchAll(/<li class="session"><p class="device">([^<]*)/g)].map((match) => match[1] ?? '');
}

/** The `/account/verify?token=` link of a message, relative to the account pages. */
function verifyLinkOf(mail: ReceivedMail): { path: string; token: string } {
  const link = /https?:\/\/[^\s/]+\/account\/(verify\?token=([A-Za-z0-9_%-]+))/.exec(mail.text);
  if (link?.[1] === undefined || link[2] === undefined) throw new Error(`no verification link in ${mail.text}`);
  return { path: link[1], token: decodeURIComponent(link[2]) };
}

describe('the account\'s detail pages', () => {
  let smtp: SmtpReceiver;
  let service: Service;
  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    // No verification before sign-in: an account with an unconfirmed address can then hold a session, which is
    // the only state in which the account page offers "send the confirmation again".
    service = await startService({ SMTP_URL: smtp.url, MAIL_FROM: 'Sesame <auth@example.com>', RESET_TOKEN_DELIVERY: 'email' });
  });
  afterAll(async () => {
    await service?.stop();
    await smtp?.stop();
  });

  /** A new account (made through the API), signed in through the pages: a browser on the account pages. */
  async function signedIn(label: string, headers: Readonly<Record<string, string>> = {}): Promise<{ email: string; jar: CookieJar }> {
    const email = uniqueEmail(label);
    expect((await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD } })).status).toBe(200);
    const jar = new CookieJar(`${service.url}/account/`);
    const page = await jar.send('GET', 'login');
    const done = await jar.send('POST', 'login', { form: { email, password: PASSWORD, form_token: formTokenFor(page, 'login') }, headers });
    expect(done.status).toBe(303);
    return { email, jar };
  }

  /** The account's export as `GET /profile/export` gives it to the jar's session. */
  async function apiExport(jar: CookieJar): Promise<{ account: Record<string, unknown>; events: Array<Record<string, unknown>> }> {
    const reply = await send(service.url, 'GET', '/profile/export', { sessionId: jar.get('session_id') ?? '' });
    expect(reply.status).toBe(200);
    return reply.json as { account: Record<string, unknown>; events: Array<Record<string, unknown>> };
  }

  /** The types of the account's events, newest first. */
  async function eventTypes(jar: CookieJar): Promise<string[]> {
    return (await apiExport(jar)).events.map((event) => String(event['type']));
  }

  it('sends a signed-out browser to sign in, coming back to the page it asked for', async () => {
    for (const path of ['email', 'events?page=2', 'export']) {
      const reply = await send(service.url, 'GET', `/account/${path}`);
      expect(reply.status, path).toBe(303);
      expect(reply.headers.location, path).toBe(`login?${new URLSearchParams({ return_to: `/account/${path}` }).toString()}`);
    }
    for (const path of ['resend', 'language', 'email']) {
      const reply = await send(service.url, 'POST', `/account/${path}`, { form: { form_token: 'x' } });
      expect(reply.status, path).toBe(303);
      expect(reply.headers.location, path).toBe(`login?return_to=%2Faccount%2F${path}`);
    }
    // After signing in, a POST's return_to comes back by GET: the two buttons' routes lead to the account page.
    for (const path of ['resend', 'language']) {
      const back = await send(service.url, 'GET', `/account/${path}`);
      expect(back.status, path).toBe(303);
      expect(back.headers.location, path).toBe('./');
    }
  });

  it('refuses each form without its token with the expired-form page, and changes nothing', async () => {
    const { email, jar } = await signedIn('forged');
    const before = await eventTypes(jar);
    for (const [path, form] of [
      ['resend', {}],
      ['language', { language: 'fr' }],
      ['email', { new_email: uniqueEmail('forged-new'), password: PASSWORD }],
    ] as const) {
      const forged = await jar.send('POST', path, { form });
      expect(forged.status, path).toBe(403);
      expect(headingOf(forged), path).toBe('This form has expired');
      // A token of another form is no better.
      const home = await jar.send('GET', '');
      const other = path === 'language' ? 'resend' : 'language';
      const crossed = await jar.send('POST', path, { form: { ...form, form_token: formTokenFor(home, other) } });
      expect(crossed.status, path).toBe(403);
    }
    expect(await eventTypes(jar)).toEqual(before);
    const exported = await apiExport(jar);
    // Registered without Accept-Language: English, still.
    expect(exported.account).toMatchObject({ email, language: 'en' });
  });

  it('resends the confirmation of the session\'s address while it is unconfirmed, and answers the same once it is', async () => {
    const { email, jar } = await signedIn('resend');
    const home = await jar.send('GET', '');
    expect(home.text).toContain('<form method="post" action="resend">');
    const sent = await jar.send('POST', 'resend', { form: { form_token: formTokenFor(home, 'resend') } });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe('./?done=resend');
    expect((await jar.send('GET', sent.headers.location ?? '')).text).toContain('<p class="notice">If your address still needs confirming, a new message is on its way to it.</p>');
    const link = verifyLinkOf(await mailTo(smtp, email, '/account/verify?token='));
    // The mailed link confirms the address on the verification page.
    const verifyPage = await jar.send('GET', link.path);
    const verified = await jar.send('POST', 'verify', { form: { token: link.token, form_token: formTokenFor(verifyPage, 'verify') } });
    expect(headingOf(verified)).toBe('Your email address is verified');
    const after = await jar.send('GET', '');
    expect(after.text).not.toContain('action="resend"');
    // A stale page's button, posted after the confirmation: the same answer, and no message.
    const again = await jar.send('POST', 'resend', { form: { form_token: formTokenFor(home, 'resend') } });
    expect(again.status).toBe(sent.status);
    expect(again.headers.location).toBe(sent.headers.location);
    const rows = await outboxSettled(service.sesame.storage.kysely);
    expect(rows.filter((row) => row.recipient === email).map((row) => row.kind)).toEqual(['email_verify']);
    expect(smtp.received.filter((mail) => mail.to.includes(email))).toHaveLength(1);
    expect(await eventTypes(jar)).toEqual(['email.verified', 'email.verification_sent', 'login.succeeded', 'account.created']);
  });

  it('counts a resend on the page against the same per-account limit as POST /email/verify/resend', async () => {
    const { email, jar } = await signedIn('resend-limit');
    const home = await jar.send('GET', '');
    // The API names the account in its body (in capitals here: the limiter keys the normalised address).
    for (let i = 0; i < 10; i += 1) expect((await send(service.url, 'POST', '/email/verify/resend', { form: { email: email.toUpperCase() } })).status).toBe(200);
    const refused = await jar.send('POST', 'resend', { form: { form_token: formTokenFor(home, 'resend') } });
    expect(refused.status).toBe(429);
    expect(refused.headers['sesame-error']).toBe('rate_limit.exceeded');
    expect(headingOf(refused)).toBe('Too many tries');
    // Another account from the same client is not held back.
    const other = await signedIn('resend-free');
    const free = await other.jar.send('POST', 'resend', { form: { form_token: formTokenFor(await other.jar.send('GET', ''), 'resend') } });
    expect(free.status).toBe(303);
  });

  it('sets the account\'s language and the pages follow it, over an earlier switch; an unknown language is refused', async () => {
    const { jar } = await signedIn('langue');
    // An earlier switch to English is remembered in the cookie, which outranks the account's language.
    const home = await jar.send('GET', '?lang=en');
    expect(jar.get('sesame_lang')).toBe('en');
    const unknown = await jar.send('POST', 'language', { form: { language: 'de', form_token: formTokenFor(home, 'language') } });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('This language is not offered.');
    expect((await apiExport(jar)).account['language']).toBe('en');
    const chosen = await jar.send('POST', 'language', { form: { language: 'fr', form_token: formTokenFor(home, 'language') } });
    expect(chosen.status).toBe(303);
    expect(chosen.headers.location).toBe('./?done=language');
    expect(chosen.setCookies).toContain('sesame_lang=fr; Max-Age=31536000; HttpOnly; SameSite=Lax');
    const next = await jar.send('GET', chosen.headers.location ?? '', { headers: { 'accept-language': 'en' } });
    expect(next.text).toContain('<html lang="fr">');
    expect(next.text).toContain('<p class="notice">Votre langue est enregistrée.</p>');
    expect(next.text).toContain('<option value="fr" lang="fr" selected>Français</option>');
    expect((await apiExport(jar)).account['language']).toBe('fr');
    expect((await eventTypes(jar))[0]).toBe('email.language_changed');
  });

  it('shows the change-of-address form with its labels, and each refusal beside its field', async () => {
    const { email, jar } = await signedIn('refusals');
    const other = (await signedIn('taken')).email;
    const page = await jar.send('GET', 'email');
    expect(page.status).toBe(200);
    expect(headingOf(page)).toBe('Change your email address');
    expect(page.text).toContain(`<p>Your account uses ${email}.</p>`);
    expect(page.text).toMatch(/<label for="new_email">New email address <span class="req">\(required\)<\/span><\/label><input id="new_email" name="new_email" type="email" autocomplete="email" maxlength="320" required aria-required="true"/);
    expect(page.text).toMatch(/<label for="password">Your current password <span class="req">\(required\)<\/span><\/label><span class="hint" id="password-hint">[^<]+<\/span><input id="password" name="password" type="password" autocomplete="current-password"/);
    expect(page.text).toContain('<a href="./">Back to your account</a>');
    const post = async (form: Record<string, string>): Promise<Reply> => jar.send('POST', 'email', { form: { ...form, form_token: formTokenFor(page, 'email') } });

    const empty = await post({ new_email: '', password: '' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('<li><a href="#new_email">Enter the new email address.</a></li><li><a href="#password">Enter your password.</a></li>');

    const cases: Array<[string, Record<string, string>, number, string, string]> = [
      ['invalid', { new_email: 'not an address', password: PASSWORD }, 400, 'new_email', 'Enter an email address like name@example.com.'],
      ['taken', { new_email: other.toUpperCase(), password: PASSWORD }, 400, 'new_email', 'Another account already uses this address.'],
      ['unchanged', { new_email: email, password: PASSWORD }, 400, 'new_email', 'This is already your address. Enter a different one.'],
      ['wrong password', { new_email: uniqueEmail('unused'), password: 'not the password at all' }, 403, 'password', 'The password is not right.'],
    ];
    for (const [what, form, status, fieldName, message] of cases) {
      const refused = await post(form);
      expect(refused.status, what).toBe(status);
      expect(headingOf(refused), what).toBe('Change your email address');
      expect(refused.text, what).toContain(`<li><a href="#${fieldName}">${message}</a></li>`);
      expect(refused.text, what).toContain(`<span class="field-error" id="${fieldName}-error">${message}</span>`);
      expect(refused.text, what).toMatch(new RegExp(`<input id="${fieldName}" name="${fieldName}"[^>]* aria-invalid="true" aria-describedby="[^"]*${fieldName}-error"`));
      // The address typed is kept; the password never comes back.
      expect(refused.text, what).toContain(`value="${form['new_email'] ?? ''}"`);
      expect(refused.text, what).not.toContain('not the password at all');
    }
    expect((await apiExport(jar)).account['email']).toBe(email);
    expect(await eventTypes(jar)).toEqual(['email.change_failed', 'login.succeeded', 'account.created']);
    expect(smtp.received.some((mail) => mail.to.includes(email))).toBe(false);
  });

  it('changes the address: the confirmation reaches the new one, its link moves the account, the old one is told', async () => {
    const { email, jar } = await signedIn('mover');
    const wanted = uniqueEmail('moved');
    const page = await jar.send('GET', 'email');
    const asked = await jar.send('POST', 'email', { form: { new_email: ` ${wanted.toUpperCase()} `, password: PASSWORD, form_token: formTokenFor(page, 'email') } });
    expect(asked.status).toBe(200);
    expect(headingOf(asked)).toBe('Check your new mailbox');
    expect(asked.text).toContain(`<p class="notice">We sent a confirmation to ${wanted}. Your address stays ${email} until you open the link in it.</p>`);
    expect(asked.text).toContain('<a href="./">Back to your account</a>');
    // Nothing moved yet.
    expect((await apiExport(jar)).account['email']).toBe(email);
    const link = verifyLinkOf(await mailTo(smtp, wanted, '/account/verify?token='));
    await until(() => smtp.received.some((mail) => mail.to.includes(email) && mail.raw.includes('Subject: Your email address is being changed')), `the notice to ${email}`);
    const opened = await jar.send('GET', link.path);
    expect(opened.status).toBe(200);
    const moved = await jar.send('POST', 'verify', { form: { token: link.token, form_token: formTokenFor(opened, 'verify') } });
    expect(moved.status).toBe(200);
    expect(headingOf(moved)).toBe('Your account now uses this email address');
    expect((await apiExport(jar)).account['email']).toBe(wanted);
    expect((await send(service.url, 'POST', '/sessions', { form: { email: wanted, password: PASSWORD } })).status).toBe(200);
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD } })).status).toBe(401);
    const events = await jar.send('GET', 'events');
    expect(eventNames(events).slice(0, 4)).toEqual(['Signed in', 'Email address changed', 'Change of email address requested', 'Signed in']);
  });

  it('refuses a fourth change of address within the hour with the 429 page', async () => {
    const { jar } = await signedIn('limited');
    const page = await jar.send('GET', 'email');
    const change = async (): Promise<Reply> => jar.send('POST', 'email', { form: { new_email: uniqueEmail('next'), password: PASSWORD, form_token: formTokenFor(page, 'email') } });
    for (let i = 0; i < 3; i += 1) expect((await change()).status).toBe(200);
    const refused = await change();
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(refused.headers['sesame-error']).toBe('email.change_limited');
    expect(refused.headers['retry-after']).toBe('3600');
    expect(headingOf(refused)).toBe('Too many tries');
  });

  it('lists the account\'s events, newest first, twenty a page, with newer and older links; a bad page is a 400 page', async () => {
    const hostile = '<script>alert("ua")</script> & "quotes"';
    const { jar } = await signedIn('events', { 'user-agent': hostile });
    const sessionId = jar.get('session_id') ?? '';
    for (let i = 0; i < 20; i += 1) {
      expect((await send(service.url, 'PUT', '/profile/language', { form: { language: i % 2 === 0 ? 'fr' : 'en' }, sessionId })).status).toBe(200);
    }
    const first = await jar.send('GET', 'events', { headers: { 'accept-language': 'en' } });
    expect(first.status).toBe(200);
    expect(headingOf(first)).toBe('Recent security events');
    expect(eventNames(first)).toEqual(Array.from({ length: 20 }, () => 'Language changed'));
    expect(first.text).toContain('<ol class="sessions">');
    expect(first.text).toContain('<nav aria-label="More events"><ul><li><a href="events?page=2" rel="next">Older events</a></li></ul></nav>');
    expect(first.text).not.toContain('Newer events');
    const second = await jar.send('GET', 'events?page=2');
    expect(eventNames(second)).toEqual(['Signed in', 'Account created']);
    expect(second.text).toContain('<nav aria-label="More events"><ul><li><a href="events?page=1" rel="prev">Newer events</a></li></ul></nav>');
    expect(second.text).not.toContain('Older events');
    // The sign-in: when (as a machine-readable instant), from where, and its browser, escaped.
    const signIn = /<li class="session"><p class="device">Signed in<\/p>[\s\S]*?<\/li>/.exec(second.text)?.[0] ?? '';
    expect(signIn).toMatch(/<dt>When<\/dt><dd><time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z">[^<]+ UTC<\/time><\/dd>/);
    expect(signIn).toContain('<dt>IP address</dt><dd>127.0.0.1</dd>');
    expect(signIn).toContain('<dt>Browser</dt><dd>&lt;script&gt;alert(&quot;ua&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;</dd>');
    expect(second.text).not.toContain('<script>');
    // Only what the owner's API shows, and not all of it: no request id, no detail.
    const api = (await send(service.url, 'GET', '/profile/events?limit=100', { sessionId })).json as { events: Array<{ request_id: string; detail: unknown }> };
    for (const event of api.events) expect(first.text + second.text).not.toContain(event.request_id);
    expect(first.text).not.toMatch(/"language"|detail/);
    const past = await jar.send('GET', 'events?page=3');
    expect(past.status).toBe(200);
    expect(past.text).toContain('<p>No events to show.</p>');
    expect(past.text).toContain('<a href="events?page=2" rel="prev">Newer events</a>');
    for (const bad of ['0', '-1', 'abc', '01', '1.5', '2e3', '99999999', '']) {
      const refused = await jar.send('GET', `events?page=${encodeURIComponent(bad)}`);
      expect(refused.status, bad).toBe(400);
      expect(headingOf(refused), bad).toBe('This page of events does not exist');
      expect(refused.text, bad).toContain('<a href="events">Back to the newest events</a>');
    }
  });

  it('names the events in French, and shows the code of a type it has no name for', async () => {
    const { jar } = await signedIn('evenements');
    const exported = await apiExport(jar);
    await service.sesame.storage.kysely
      .insertInto('auth_events')
      .values({ type: 'future.thing', user_id: Number(exported.account['id']), email_pseudonym: null, actor: 'cli:ops', request_id: null, ip: null, user_agent: null, created_at: Date.now(), detail: null })
      .execute();
    const page = await jar.send('GET', 'events?lang=fr');
    expect(headingOf(page)).toBe('Événements de sécurité récents');
    expect(eventNames(page)).toEqual(['future.thing ', 'Connexion', 'Compte créé']);
    expect(page.text).toContain('<span class="tag warn">Par l’exploitant du service</span>');
    expect(page.text).toContain('<dt>Adresse IP</dt><dd>inconnu</dd><dt>Navigateur</dt><dd>inconnu</dd>');
    // Every type the audit log stores has a name in both languages.
    for (const type of AUDITED_EVENT_TYPES) {
      const key = `account.events.type.${type}`;
      expect(Object.hasOwn(en, key), type).toBe(true);
      expect((fr as Record<string, string>)[key], type).toMatch(/\S/);
    }
  });

  it('downloads the same JSON as GET /profile/export, as an attachment nothing caches', async () => {
    const { jar } = await signedIn('export');
    const before = new Date().toISOString().slice(0, 10);
    const download = await jar.send('GET', 'export');
    const after = new Date().toISOString().slice(0, 10);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(download.headers['cache-control']).toBe('no-store');
    const api = await apiExport(jar);
    const id = Number(api.account['id']);
    expect(id).toBeGreaterThan(0);
    expect([`attachment; filename="sesame-account-${id}-${before}.json"`, `attachment; filename="sesame-account-${id}-${after}.json"`]).toContain(download.headers['content-disposition']);
    expect(download.json).toEqual(api);
    expect(api.events.map((event) => event['type'])).toEqual(['login.succeeded', 'account.created']);
  });
});
