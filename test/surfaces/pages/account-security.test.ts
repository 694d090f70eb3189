/**
 * The account pages that test the current password, over real HTTP (SQLite; the services beneath are tested on both
 * engines): signing sessions out (`/account/sessions`), changing the password (`/account/password`) and deleting the
 * account (`/account/delete`). Each is checked to do what its API route does, to change nothing on a refusal (an
 * expired form, an empty field, a wrong password), to count on the API's rate-limit counters, and to escape what a
 * session recorded.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, send, uniqueEmail, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase for this';
const WRONG = 'not the password at all';

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

/** The error summary of a page, or '' without one. */
function summaryOf(page: Reply): string {
  return /<div class="summary"[\s\S]*?<\/div>/.exec(page.text)?.[0] ?? '';
}

/** A browser-like client of the pages of a service. */
function pagesOf(service: Service): CookieJar {
  return new CookieJar(`${service.url}/account/`);
}

/** Creates an account on the API (in French when asked). */
async function register(service: Service, email: string, language: 'en' | 'fr' = 'en'): Promise<void> {
  const created = await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD }, headers: { 'accept-language': language } });
  expect(created.status).toBe(200);
}

/** Signs a jar in through the sign-in page; the session id it was given. */
async function signIn(jar: CookieJar, email: string, password = PASSWORD): Promise<string> {
  const page = await jar.send('GET', 'login');
  const done = await jar.send('POST', 'login', { form: { email, password, form_token: formToken(page) } });
  expect(done.status).toBe(303);
  return done.sessionId ?? '';
}

/** Whether a session id is still live on the API. */
async function live(service: Service, sessionId: string): Promise<boolean> {
  const profile = await send(service.url, 'GET', '/profile', { sessionId });
  if (profile.status !== 200 && profile.status !== 403) throw new Error(`GET /profile answered ${profile.status}`);
  return profile.status === 200;
}

/** Whether a password signs the account in on the API (a new session each time it does). */
async function signsIn(service: Service, email: string, password: string): Promise<boolean> {
  const login = await send(service.url, 'POST', '/sessions', { form: { email, password } });
  if (login.status !== 200 && login.status !== 401) throw new Error(`POST /sessions answered ${login.status}`);
  return login.status === 200;
}

/** The handle (`GET /sessions` id) of a session, looked up from another session of the same account. */
async function handleOf(service: Service, lookingFrom: string, wanted: (session: { current: boolean; user_agent: string | null }) => boolean): Promise<string> {
  const listed = (await send(service.url, 'GET', '/sessions', { sessionId: lookingFrom })).json as { sessions: Array<{ id: string; current: boolean; user_agent: string | null }> };
  const found = listed.sessions.find(wanted);
  if (found === undefined) throw new Error('no such session');
  return found.id;
}

/** An account signed in from two browsers: `jar` (acting) and `other` (the session to end). */
async function twoBrowsers(service: Service, label: string, language: 'en' | 'fr' = 'en') {
  const email = uniqueEmail(label);
  await register(service, email, language);
  const jar = pagesOf(service);
  const mine = await signIn(jar, email);
  const other = pagesOf(service);
  const theirs = await signIn(other, email);
  return { email, jar, mine, other, theirs, handle: await handleOf(service, mine, (session) => !session.current) };
}

describe('the account security pages', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({ PASSWORD_MIN_LENGTH: '12' });
  });
  afterAll(async () => {
    await service.stop();
  });

  it('sends a signed-out visit of every page to sign-in, coming back to the page (a POST to its form, without the query)', async () => {
    for (const [method, path, back] of [
      ['GET', '/account/sessions?session=others', '/account/sessions?session=others'],
      ['POST', '/account/sessions?x=1', '/account/sessions'],
      ['GET', '/account/password', '/account/password'],
      ['POST', '/account/password', '/account/password'],
      ['GET', '/account/delete', '/account/delete'],
      ['POST', '/account/delete', '/account/delete'],
    ] as const) {
      const answer = await send(service.url, method, path, method === 'POST' ? { form: { password: WRONG } } : {});
      expect(answer.status, `${method} ${path}`).toBe(303);
      expect(answer.headers.location, `${method} ${path}`).toBe(`login?${new URLSearchParams({ return_to: back }).toString()}`);
    }
    // A session that has ended is signed out too.
    const { jar, mine } = await twoBrowsers(service, 'ended');
    await send(service.url, 'DELETE', '/sessions', { sessionId: mine });
    expect((await jar.send('GET', 'password')).status).toBe(303);
  });

  it('confirms ending another session by naming its browser, IP address and last activity, with the password asked again', async () => {
    const { jar, handle } = await twoBrowsers(service, 'confirm');
    const page = await jar.send('GET', `sessions?session=${handle}`);
    expect(page.status).toBe(200);
    expect(headingOf(page)).toBe('Sign out a session');
    expect(page.text).toContain('This session will be signed out');
    expect(page.text).toMatch(/<li class="session"><p class="device">node<\/p><dl><dt>IP address<\/dt><dd>127\.0\.0\.1<\/dd><dt>Last active<\/dt><dd><time datetime="[^"]+">[^<]+ UTC<\/time><\/dd><\/dl><\/li>/);
    expect(page.text).toContain('<form method="post" action="sessions" novalidate>');
    expect(page.text).toContain(`<input type="hidden" name="session" value="${handle}">`);
    expect(page.text).toMatch(/<label for="password">Your password <span class="req">\(required\)<\/span><\/label><input id="password" name="password" type="password" autocomplete="current-password" maxlength="1024" required aria-required="true">/);
    expect(page.text).toContain('<button type="submit">Sign out this session</button>');
    expect(page.text).toContain('<a href="./">Back to your account</a>');
    expect(page.text).not.toMatch(/<script|style="|class="summary"/);
  });

  it('answers a handle that is not among the account\'s with a 404 and the way back, and sends this session\'s own to sign-out', async () => {
    const { jar, mine } = await twoBrowsers(service, 'unknown');
    const stranger = await twoBrowsers(service, 'stranger');
    for (const handle of ['0123456789abcdef', stranger.handle, '<b>', '']) {
      const page = await jar.send('GET', `sessions?session=${encodeURIComponent(handle)}`);
      expect(page.status, handle).toBe(404);
      expect(headingOf(page)).toBe('Session not found');
      expect(page.text).toContain('This session is not among yours');
      expect(page.text).toContain('<a href="./">Back to your account</a>');
      expect(page.text).not.toContain('<b>');
    }
    const own = await handleOf(service, mine, (session) => session.current);
    const current = await jar.send('GET', `sessions?session=${own}`);
    expect(current.status).toBe(303);
    expect(current.headers.location).toBe('logout');
    // The other account's session is untouched by a POST naming it, even with the right password.
    const page = await jar.send('GET', 'sessions?session=others');
    const posted = await jar.send('POST', 'sessions', { form: { session: stranger.handle, password: PASSWORD, form_token: formToken(page) } });
    expect(posted.status).toBe(404);
    expect(await live(service, stranger.theirs)).toBe(true);
    const ownPosted = await jar.send('POST', 'sessions', { form: { session: own, password: PASSWORD, form_token: formToken(page) } });
    expect(ownPosted.status).toBe(303);
    expect(ownPosted.headers.location).toBe('logout');
    expect(await live(service, mine)).toBe(true);
  });

  it('ends nothing for an expired form, an empty password or a wrong one, each saying so', async () => {
    const { jar, other, theirs, handle } = await twoBrowsers(service, 'refused-end');
    const page = await jar.send('GET', `sessions?session=${handle}`);
    const forged = await jar.send('POST', 'sessions', { form: { session: handle, password: PASSWORD } });
    expect(forged.status).toBe(403);
    expect(headingOf(forged)).toBe('This form has expired');
    const foreign = await jar.send('POST', 'sessions', { form: { session: handle, password: PASSWORD, form_token: formToken(await other.send('GET', `sessions?session=others`)) } });
    expect(foreign.status).toBe(403);
    expect(headingOf(foreign)).toBe('This form has expired');
    expect(await live(service, theirs)).toBe(true);
    const empty = await jar.send('POST', 'sessions', { form: { session: handle, password: '', form_token: formToken(page) } });
    expect(empty.status).toBe(400);
    expect(summaryOf(empty)).toContain('<li><a href="#password">Enter your password.</a></li>');
    expect(empty.text).toContain('<span class="field-error" id="password-error">Enter your password.</span>');
    expect(empty.text).toMatch(/<input id="password" name="password" type="password"[^>]* aria-invalid="true" aria-describedby="password-error">/);
    expect(empty.text).toContain(`<input type="hidden" name="session" value="${handle}">`);
    const wrong = await jar.send('POST', 'sessions', { form: { session: handle, password: WRONG, form_token: formToken(empty) } });
    expect(wrong.status).toBe(403);
    expect(wrong.headers['sesame-error']).toBe('session.wrong_password');
    expect(headingOf(wrong)).toBe('Sign out a session');
    expect(summaryOf(wrong)).toContain('<a href="#password">The password is not right.</a>');
    expect(wrong.text).not.toContain(WRONG);
    expect(await live(service, theirs)).toBe(true);
    expect((await other.send('GET', '')).status).toBe(200);
  });

  it('signs the other session out with the password: its next request is signed out, this one stays', async () => {
    const { jar, mine, other, theirs, handle } = await twoBrowsers(service, 'end-one');
    const page = await jar.send('GET', `sessions?session=${handle}`);
    const done = await jar.send('POST', 'sessions', { form: { session: handle, password: PASSWORD, form_token: formToken(page) } });
    expect(done.status).toBe(200);
    expect(headingOf(done)).toBe('Sessions signed out');
    expect(done.text).toContain('<p>1 session signed out. Whoever used it will have to sign in again.</p>');
    expect(done.text).toContain('<a href="./">Back to your account</a>');
    expect(done.setCookies.some((line) => line.startsWith('session_id='))).toBe(false);
    const next = await other.send('GET', '');
    expect(next.status).toBe(303);
    expect(next.headers.location).toBe('login?return_to=%2Faccount%2F');
    expect(await live(service, theirs)).toBe(false);
    expect(await live(service, mine)).toBe(true);
    expect((await jar.send('GET', '')).status).toBe(200);
    // The handle is gone from the account: asking again is a 404.
    expect((await jar.send('GET', `sessions?session=${handle}`)).status).toBe(404);
  });

  it('signs every other session out, listing them first, and says how many ended', async () => {
    const { email, jar, mine, theirs } = await twoBrowsers(service, 'end-others');
    const third = await signIn(pagesOf(service), email);
    const page = await jar.send('GET', 'sessions?session=others');
    expect(page.status).toBe(200);
    expect(headingOf(page)).toBe('Sign out your other sessions');
    expect(page.text.match(/<li class="session">/g)).toHaveLength(2);
    expect(page.text).toContain('<input type="hidden" name="session" value="others">');
    const done = await jar.send('POST', 'sessions', { form: { session: 'others', password: PASSWORD, form_token: formToken(page) } });
    expect(done.status).toBe(200);
    expect(done.text).toContain('<p>2 sessions signed out. Whoever used them will have to sign in again.</p>');
    expect(await live(service, theirs)).toBe(false);
    expect(await live(service, third)).toBe(false);
    expect(await live(service, mine)).toBe(true);
    const none = await jar.send('GET', 'sessions?session=others');
    expect(none.status).toBe(200);
    expect(none.text).toContain('No other session of your account is signed in: there is nothing to sign out.');
    expect(none.text).not.toContain('<form');
  });

  it('escapes a hostile browser name in the confirmation', async () => {
    const email = uniqueEmail('hostile');
    await register(service, email);
    const jar = pagesOf(service);
    const mine = await signIn(jar, email);
    const agent = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD }, headers: { 'user-agent': agent } })).status).toBe(200);
    const handle = await handleOf(service, mine, (session) => session.user_agent === agent);
    for (const path of [`sessions?session=${handle}`, 'sessions?session=others']) {
      const page = await jar.send('GET', path);
      expect(page.status).toBe(200);
      expect(page.text).toContain('<p class="device">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;</p>');
      expect(page.text).not.toContain('<script');
      expect(page.text).not.toContain('<img src=x');
    }
  });

  it('shows the password form with the current password, the new one and the policy\'s advice', async () => {
    const { jar } = await twoBrowsers(service, 'password-form');
    const page = await jar.send('GET', 'password');
    expect(page.status).toBe(200);
    expect(headingOf(page)).toBe('Change your password');
    expect(page.text).toContain('Every other session of your account will end');
    expect(page.text).toContain('<form method="post" action="password" novalidate>');
    expect(page.text).toMatch(/<label for="password">Current password <span class="req">\(required\)<\/span><\/label><input id="password" name="password" type="password" autocomplete="current-password" maxlength="1024" required aria-required="true">/);
    expect(page.text).toMatch(/<label for="new_password">New password <span class="req">\(required\)<\/span><\/label><span class="hint" id="new_password-hint">At least 12 characters\. [^<]+<\/span><input id="new_password" name="new_password" type="password" autocomplete="new-password" maxlength="1024" required aria-required="true" aria-describedby="new_password-hint">/);
    expect(page.text).toContain('<button type="submit">Change password</button>');
    expect(page.text).toContain('<a href="./">Back to your account</a>');
    expect(page.text).not.toMatch(/<script|style="|class="summary"/);
  });

  it('changes no password for an expired form, empty fields, a wrong current password or a weak new one', async () => {
    const { email, jar, theirs } = await twoBrowsers(service, 'password-refused');
    const page = await jar.send('GET', 'password');
    const forged = await jar.send('POST', 'password', { form: { password: PASSWORD, new_password: NEW_PASSWORD } });
    expect(forged.status).toBe(403);
    expect(headingOf(forged)).toBe('This form has expired');
    const empty = await jar.send('POST', 'password', { form: { password: '', new_password: '', form_token: formToken(page) } });
    expect(empty.status).toBe(400);
    expect(summaryOf(empty)).toContain('<ul><li><a href="#password">Enter your password.</a></li><li><a href="#new_password">Enter a new password.</a></li></ul>');
    expect(empty.text).toMatch(/<input id="new_password"[^>]* aria-invalid="true" aria-describedby="new_password-hint new_password-error">/);
    const wrong = await jar.send('POST', 'password', { form: { password: WRONG, new_password: NEW_PASSWORD, form_token: formToken(empty) } });
    expect(wrong.status).toBe(403);
    expect(wrong.headers['sesame-error']).toBe('password.current_wrong');
    expect(summaryOf(wrong)).toContain('<a href="#password">The current password is not right.</a>');
    expect(wrong.text).not.toContain(WRONG);
    expect(wrong.text).not.toContain(NEW_PASSWORD);
    expect(wrong.setCookies.some((line) => line.startsWith('session_id='))).toBe(false);
    const weak = await jar.send('POST', 'password', { form: { password: PASSWORD, new_password: 'short', form_token: formToken(wrong) } });
    expect(weak.status).toBe(400);
    expect(summaryOf(weak)).toMatch(/<a href="#new_password">Choose a stronger password\. Password must be at least 12 characters[^<]*\.<\/a>/);
    expect(await signsIn(service, email, PASSWORD)).toBe(true);
    expect(await signsIn(service, email, NEW_PASSWORD)).toBe(false);
    expect(await live(service, theirs)).toBe(true);
    expect((await jar.send('GET', '')).status).toBe(200);
  });

  it('changes the password as PUT /password does: a fresh cookie here, every other session signed out, the new password signs in', async () => {
    const { email, jar, mine, other, theirs } = await twoBrowsers(service, 'password-changed');
    const page = await jar.send('GET', 'password');
    const done = await jar.send('POST', 'password', { form: { password: PASSWORD, new_password: NEW_PASSWORD, form_token: formToken(page) } });
    expect(done.status).toBe(200);
    expect(headingOf(done)).toBe('Your password is changed');
    expect(done.text).toContain('Every other session of your account has ended. You are still signed in on this device.');
    expect(done.text).toContain('<a href="./">Back to your account</a>');
    const fresh = done.sessionId ?? '';
    expect(fresh).toMatch(/.{20,}/);
    expect(fresh).not.toBe(mine);
    expect(done.setCookies.find((line) => line.startsWith('session_id='))).toMatch(/HttpOnly/i);
    expect(await live(service, mine)).toBe(false);
    expect(await live(service, theirs)).toBe(false);
    expect(await live(service, fresh)).toBe(true);
    expect((await other.send('GET', '')).status).toBe(303);
    const home = await jar.send('GET', '');
    expect(home.status).toBe(200);
    expect(home.text).toContain(`You are signed in as ${email}.`);
    expect(await signsIn(service, email, NEW_PASSWORD)).toBe(true);
    expect(await signsIn(service, email, PASSWORD)).toBe(false);
  });

  it('asks to confirm the deletion, saying what goes and that it is final, with a danger button', async () => {
    const { email, jar } = await twoBrowsers(service, 'delete-form');
    const page = await jar.send('GET', 'delete');
    expect(page.status).toBe(200);
    expect(headingOf(page)).toBe('Delete your account');
    expect(page.text).toContain(`Deleting the account ${email} removes it for good: its address, its password, every session`);
    expect(page.text).toContain('<strong>This cannot be undone.</strong>');
    expect(page.text).toContain('<a href="export" download>Download my data</a>');
    expect(page.text).toContain('<form method="post" action="delete" novalidate>');
    expect(page.text).toMatch(/<input id="password" name="password" type="password" autocomplete="current-password" maxlength="1024" required aria-required="true">/);
    expect(page.text).toContain('<button type="submit" class="danger">Delete my account for good</button>');
    expect(page.text).toContain('<a href="./">Back to your account</a>');
  });

  it('deletes nothing for an expired form, an empty password or a wrong one', async () => {
    const { email, jar, theirs } = await twoBrowsers(service, 'delete-refused');
    const page = await jar.send('GET', 'delete');
    const forged = await jar.send('POST', 'delete', { form: { password: PASSWORD } });
    expect(forged.status).toBe(403);
    expect(headingOf(forged)).toBe('This form has expired');
    const empty = await jar.send('POST', 'delete', { form: { password: '', form_token: formToken(page) } });
    expect(empty.status).toBe(400);
    expect(summaryOf(empty)).toContain('<a href="#password">Enter your password.</a>');
    const wrong = await jar.send('POST', 'delete', { form: { password: WRONG, form_token: formToken(empty) } });
    expect(wrong.status).toBe(403);
    expect(wrong.headers['sesame-error']).toBe('account.password_wrong');
    expect(summaryOf(wrong)).toContain('<a href="#password">The password is not right.</a>');
    expect(wrong.text).toContain('<button type="submit" class="danger">');
    expect(wrong.setCookies.some((line) => line.startsWith('session_id='))).toBe(false);
    expect(await live(service, theirs)).toBe(true);
    expect(await signsIn(service, email, PASSWORD)).toBe(true);
  });

  it('deletes the account as DELETE /profile does: the cookie cleared, every session gone, signing in fails', async () => {
    const { email, jar, mine, theirs } = await twoBrowsers(service, 'deleted');
    const page = await jar.send('GET', 'delete');
    const done = await jar.send('POST', 'delete', { form: { password: PASSWORD, form_token: formToken(page) } });
    expect(done.status).toBe(200);
    expect(headingOf(done)).toBe('Your account is deleted');
    expect(done.text).toContain('<a href="signup">Create a new account</a>');
    expect(done.text).toContain('<a href="login">Sign in with another account</a>');
    expect(done.setCookies.some((line) => /^session_id=;/.test(line))).toBe(true);
    expect(jar.get('session_id')).toBeUndefined();
    expect((await jar.send('GET', '')).status).toBe(303);
    expect(await live(service, mine)).toBe(false);
    expect(await live(service, theirs)).toBe(false);
    expect(await signsIn(service, email, PASSWORD)).toBe(false);
  });

  it('speaks the account\'s language: French confirmations and refusals', async () => {
    const { jar, handle } = await twoBrowsers(service, 'francais', 'fr');
    const page = await jar.send('GET', `sessions?session=${handle}`, { headers: { 'accept-language': 'en' } });
    expect(page.text).toContain('<html lang="fr">');
    expect(headingOf(page)).toBe('Déconnecter une session');
    expect(page.text).toContain('<dt>Adresse IP</dt>');
    expect(page.text).toContain('<button type="submit">Déconnecter cette session</button>');
    const wrong = await jar.send('POST', 'sessions', { form: { session: handle, password: WRONG, form_token: formToken(page) } });
    expect(wrong.status).toBe(403);
    expect(summaryOf(wrong)).toContain('<a href="#password">Ce mot de passe n’est pas le bon.</a>');
    const done = await jar.send('POST', 'sessions', { form: { session: handle, password: PASSWORD, form_token: formToken(wrong) } });
    expect(done.text).toContain('Une session a été déconnectée.');
    expect(headingOf(await jar.send('GET', 'password'))).toBe('Changer de mot de passe');
    const deletion = await jar.send('GET', 'delete');
    expect(headingOf(deletion)).toBe('Supprimer votre compte');
    expect(deletion.text).toContain('<strong>Cette action est irréversible.</strong>');
  });
});

describe('the account security pages past the rate limits', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({ RATE_LIMIT_ACCOUNT_MAX: '3' });
  });
  afterAll(async () => {
    await service.stop();
  });

  it('hands a right password\'s points back after a page sign-in (its 303), so signing in often never locks a person out', async () => {
    const email = uniqueEmail('often');
    await register(service, email);
    // Twice the limit: were each 303 counted as a guess, the fourth would be refused.
    for (let i = 0; i < 6; i += 1) await signIn(pagesOf(service), email);
    // The budget is whole: three wrong passwords still fit before the limit answers.
    const wrong = [];
    for (let i = 0; i < 4; i += 1) wrong.push((await send(service.url, 'POST', '/sessions', { form: { email, password: 'not the password' } })).status);
    expect(wrong).toEqual([401, 401, 401, 429]);
  });

  it('refuses wrong passwords past the account\'s limit with a 429 page, on the counters the API shares', async () => {
    for (const [path, form] of [
      ['sessions?session=others', 'sessions'],
      ['password', 'password'],
      ['delete', 'delete'],
    ] as const) {
      const { email, jar, theirs } = await twoBrowsers(service, `limited-${form}`);
      // The sign-in page's success is a 303, which hands no points back (the hand-back waits for a 2xx): one right
      // password on the API starts the account's budget afresh, so the count below is the pages' alone.
      expect(await signsIn(service, email, PASSWORD)).toBe(true);
      const page = await jar.send('GET', path);
      const fields = { password: WRONG, form_token: formToken(page), ...(form === 'sessions' ? { session: 'others' } : {}), ...(form === 'password' ? { new_password: NEW_PASSWORD } : {}) };
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await jar.send('POST', form, { form: fields })).status);
      expect(statuses, form).toEqual([403, 403, 403, 429]);
      // Even the right password waits now: the guesses were counted, not only refused.
      const limited = await jar.send('POST', form, { form: { ...fields, password: PASSWORD } });
      expect(limited.status, form).toBe(429);
      expect(headingOf(limited)).toBe('Too many tries');
      expect(limited.headers['sesame-error']).toBe('rate_limit.exceeded');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.text).toContain('Nothing was changed.');
      // The API's routes that test the password draw on the same budget.
      expect((await send(service.url, 'PUT', '/password', { sessionId: theirs, form: { password: PASSWORD, new_password: NEW_PASSWORD } })).status, form).toBe(429);
      expect(await live(service, theirs)).toBe(true);
      expect((await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD } })).status, form).toBe(429);
    }
  });
});
