/**
 * The account page itself (`/account/`) over real HTTP (SQLite): what it shows of the address, the language and the
 * sessions, which forms and links it offers and when, the notices another page sends the browser back with, and that
 * every value it shows is escaped. The pages behind its links are tested in account-security.test.ts and
 * account-details.test.ts; the page in a browser in account.browser.test.ts.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, send, uniqueEmail, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

const PASSWORD = 'correct horse battery staple';

/** The heading of a page. */
function headingOf(page: Reply): string {
  return /<h1>([^<]*)<\/h1>/.exec(page.text)?.[1] ?? '';
}

/** The text of the section whose heading has `id`. */
function section(page: Reply, id: string): string {
  const match = new RegExp(`<section aria-labelledby="${id}">([\\s\\S]*?)</section>`).exec(page.text);
  if (match?.[1] === undefined) throw new Error(`no section ${id} in ${page.text}`);
  return match[1];
}

/** The session entries of the account page, in order. */
function sessionItems(page: Reply): string[] {
  return [...section(page, 'sessions-title').matchAll(/<li class="session">([\s\S]*?)<\/li>/g)].map((match) => match[1] ?? '');
}

describe('the account page', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({});
  });
  afterAll(async () => {
    await service.stop();
  });

  /** A registered account, signed in from a browser-like jar with `agent` as its User-Agent. */
  async function signedIn(label: string, agent = 'Laptop/1.0'): Promise<{ email: string; jar: CookieJar }> {
    const email = uniqueEmail(label);
    expect((await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD } })).status).toBe(200);
    const jar = new CookieJar(`${service.url}/account/`);
    const page = await jar.send('GET', 'login');
    const token = /name="form_token" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const done = await jar.send('POST', 'login', { form: { email, password: PASSWORD, form_token: token }, headers: { 'user-agent': agent } });
    expect(done.status).toBe(303);
    return { email, jar };
  }

  /** The account page as `jar` sees it, sent with `agent`. */
  function home(jar: CookieJar, query = '', agent = 'Laptop/1.0'): Promise<Reply> {
    return jar.send('GET', `./${query}`, { headers: { 'user-agent': agent, 'accept-language': 'en' } });
  }

  it('sends a signed-out visit to sign in and back, keeping what it asked for', async () => {
    const jar = new CookieJar(`${service.url}/account/`);
    const page = await jar.send('GET', './?done=language');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('login?return_to=%2Faccount%2F%3Fdone%3Dlanguage');
    const bare = await send(service.url, 'GET', '/account');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('account/');
  });

  it('shows the address, unconfirmed, with the resend form and the link to change it', async () => {
    const { email, jar } = await signedIn('home-unconfirmed');
    const page = await home(jar);
    expect(page.status).toBe(200);
    expect(headingOf(page)).toBe('Your account');
    expect(page.text).toContain(`<p>You are signed in as ${email}.</p>`);
    // Each section is named by its heading, which landmarks and headings navigation read out.
    expect([...page.text.matchAll(/<section aria-labelledby="([a-z-]+)"><h2 id="([a-z-]+)">([^<]+)<\/h2>/g)].map((match) => [match[1], match[2], match[3]])).toEqual([
      ['address-title', 'address-title', 'Email address'],
      ['language-title', 'language-title', 'Language'],
      ['sessions-title', 'sessions-title', 'Where you are signed in'],
      ['security-title', 'security-title', 'Security and data'],
    ]);
    expect(page.text).not.toContain('class="notice"');
    const address = section(page, 'address-title');
    expect(address).toContain(`<p class="address"><span>${email}</span> <span class="tag warn">Not confirmed yet</span></p>`);
    expect(address).toMatch(/<form method="post" action="resend"><input type="hidden" name="form_token" value="[^"]+"><button type="submit" class="secondary">Send the confirmation message again<\/button><\/form>/);
    expect(address).toContain('<a href="email">Change email address</a>');
  });

  it('shows a confirmed address without the resend form', async () => {
    const { email, jar } = await signedIn('home-confirmed');
    await service.sesame.storage.kysely.updateTable('users').set({ email_verified_at: Date.now() }).where('email', '=', email).execute();
    const address = section(await home(jar), 'address-title');
    expect(address).toContain('<span class="tag">Confirmed</span>');
    expect(address).not.toContain('action="resend"');
  });

  it('offers the account\'s languages with its own selected, in a labelled form', async () => {
    const { jar } = await signedIn('home-language');
    const language = section(await home(jar), 'language-title');
    expect(language).toMatch(/<form method="post" action="language"><input type="hidden" name="form_token" value="[^"]+"><div class="field"><label for="language">Language of pages and messages<\/label><select id="language" name="language">/);
    expect(language).toContain('<option value="en" lang="en" selected>English</option><option value="fr" lang="fr">Français</option>');
    expect(language).toContain('<button type="submit" class="secondary">Save language</button>');
  });

  it('lists every live session newest first: this one marked with no link, the other with its way out and times in UTC', async () => {
    const { email, jar } = await signedIn('home-sessions', 'Laptop/1.0');
    const phone = await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD }, headers: { 'user-agent': 'Phone/2.0' } });
    expect(phone.status).toBe(200);
    const page = await home(jar);
    const [newest, older, ...rest] = sessionItems(page);
    expect(rest).toEqual([]);
    expect(newest).toContain('<p class="device" id="session-0">Phone/2.0</p>');
    expect(newest).toMatch(/<dt>IP address<\/dt><dd>127\.0\.0\.1<\/dd><dt>Signed in<\/dt><dd><time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z">\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC<\/time><\/dd><dt>Last active<\/dt><dd><time datetime="[^"]+">[^<]+ UTC<\/time><\/dd>/);
    const handles = (await send(service.url, 'GET', '/sessions', { sessionId: phone.sessionId ?? '' })).json as { sessions: Array<{ id: string; current: boolean }> };
    const phoneHandle = handles.sessions.find((session) => session.current)?.id ?? '';
    expect(newest).toContain(`<p><a href="sessions?session=${phoneHandle}" aria-describedby="session-0">Sign out this session</a></p>`);
    expect(older).toContain('<p class="device" id="session-1">Laptop/1.0 <span class="tag">This device</span></p>');
    expect(older).not.toContain('<a ');
    expect(section(page, 'sessions-title')).toContain('<p><a href="sessions?session=others">Sign out all other sessions</a></p>');
  });

  it('offers no "sign out all others" when this is the only session', async () => {
    const { jar } = await signedIn('home-alone');
    const page = await jar.send('GET', './', { headers: { 'accept-language': 'en' } });
    const sessions = section(page, 'sessions-title');
    expect(sessions).not.toContain('session=others');
    expect(sessionItems(page)).toHaveLength(1);
  });

  it('links to the pages that change the password, show the events, download the data and delete the account, then to sign out', async () => {
    const { jar } = await signedIn('home-links');
    const page = await home(jar);
    expect(section(page, 'security-title')).toContain(
      '<ul class="links"><li><a href="password">Change password</a></li><li><a href="events">Recent security events</a></li><li><a href="export" download>Download my data</a></li><li><a href="delete">Delete my account</a></li></ul>',
    );
    expect(page.text).toMatch(/<\/section><p><a href="logout">Sign out<\/a><\/p><\/div>/);
  });

  it('shows the notice another page sent it back with, and none for anything else', async () => {
    const { jar } = await signedIn('home-notices');
    expect((await home(jar, '?done=language')).text).toContain('<p class="notice">Your language is saved.</p>');
    expect((await home(jar, '?done=resend')).text).toContain('<p class="notice">If your address still needs confirming, a new message is on its way to it.</p>');
    for (const done of ['', 'other', '<script>', 'account.done.language']) {
      const page = await home(jar, `?done=${encodeURIComponent(done)}`);
      expect(page.status, done).toBe(200);
      expect(page.text, done).not.toContain('class="notice"');
    }
  });

  it('escapes a hostile browser name and speaks the account\'s language', async () => {
    const { email, jar } = await signedIn('home-hostile', '<img src=x onerror=alert(1)>');
    const page = await jar.send('GET', './');
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.text).not.toContain('<img src=x');
    await service.sesame.storage.kysely.updateTable('users').set({ language: 'fr' }).where('email', '=', email).execute();
    const french = await jar.send('GET', './');
    expect(headingOf(french)).toBe('Votre compte');
    expect(french.text).toMatch(/<time datetime="[^"]+">\d{1,2} [a-zéû.]+ \d{4}[^<]* UTC<\/time>/);
  });
});
