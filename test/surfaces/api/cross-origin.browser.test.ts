/**
 * A real browser (Debian's Chromium driven by playwright-core) proves what the header-level CORS tests cannot: that a
 * single-page application on another site, listed in TRUSTED_ORIGINS, really can register, log in, read /profile with
 * the SameSite=None; Secure session cookie and log out with `fetch(..., { credentials: 'include' })`, and that a page
 * on an unlisted origin gets no reply to read and changes nothing, even with requests that need no preflight.
 * Sesame runs at http://localhost:A and the pages at http://127.0.0.1:B and :C: another host name is another site, and
 * browsers treat http://localhost as a secure context, so the Secure cookie works without TLS. Chromium blocks
 * third-party cookies by default (the cookie is refused with reason `UserPreferences`), so the cross-site case runs in a
 * profile whose preferences allow them, as a user's browser must; a same-site application (http://localhost:D) works
 * in a default profile with the default SameSite=Lax cookie, which is why README recommends that layout.
 * Skipped with the reason when /usr/bin/chromium is missing; under CI=true that fails instead (`.ci/run` installs it).
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, describeBrowser } from '../../support/browser.js';
import { uniqueEmail } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';
import { makeTempDir, type TempDir } from '../../support/temp.js';

const PASSWORD = 'correct horse battery';
const TITLE = 'a browser application on another site';

/**
 * A browser profile that accepts third-party cookies. Chromium's default (`cookie_controls_mode` blocking them) would
 * drop the SameSite=None session cookie of a cross-site Sesame before any of Sesame's settings matter.
 */
function profileAllowingThirdPartyCookies(): TempDir {
  const dir = makeTempDir('chromium');
  mkdirSync(join(dir.path, 'Default'));
  writeFileSync(join(dir.path, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }));
  return dir;
}

/** A static page server on 127.0.0.1: the SPA's (or an attacker's) origin, serving one empty page. */
async function pageServer(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>page</title><p>page</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** What the page saw of one fetch: its status, type and body, or that the browser rejected it (no CORS grant). */
type Seen = { status: number; type: string; body: string } | { rejected: string };

/** Runs `fetch(api + path, { credentials: 'include', ... })` inside the page and reports what the page could see. */
function fetchFromPage(page: Page, api: string, path: string, init: { method?: string; json?: unknown; form?: Record<string, string>; mode?: 'cors' | 'no-cors'; redirect?: 'follow' | 'manual' } = {}): Promise<Seen> {
  return page.evaluate(
    async ({ url, init }) => {
      const headers: Record<string, string> = {};
      let body: string | undefined;
      if (init.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(init.json);
      } else if (init.form !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(init.form).toString();
      }
      try {
        const response = await fetch(url, { method: init.method ?? 'GET', headers, body, credentials: 'include', mode: init.mode ?? 'cors', redirect: init.redirect ?? 'follow' });
        return { status: response.status, type: response.type, body: await response.text() };
      } catch (error) {
        return { rejected: String(error) };
      }
    },
    { url: api + path, init },
  );
}

describeBrowser(TITLE, () => {
  let context: BrowserContext;
  let profile: TempDir;
  let service: Service;
  let api: string;
  let listed: { origin: string; server: Server };
  let unlisted: { origin: string; server: Server };

  beforeAll(async () => {
    listed = await pageServer();
    unlisted = await pageServer();
    service = await startService({ TRUSTED_ORIGINS: listed.origin, COOKIE_SAMESITE: 'none', COOKIE_SECURE: 'true' });
    // The service listens on 127.0.0.1; the browser reaches it as localhost, another site than the pages' 127.0.0.1.
    api = service.url.replace('127.0.0.1', 'localhost');
    profile = profileAllowingThirdPartyCookies();
    context = await chromium.launchPersistentContext(profile.path, { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    profile?.remove();
    await service?.stop();
    for (const page of [listed, unlisted]) await new Promise((resolve) => page?.server.close(resolve));
  });

  it('the listed origin registers, logs in, reads /profile with the cookie, and logs out', async () => {
    const page = await context.newPage();
    await page.goto(listed.origin);
    const email = uniqueEmail('browser');
    // JSON bodies are not CORS-safelisted: each of these went through a preflight first.
    expect(await fetchFromPage(page, api, '/users', { method: 'POST', json: { email, password: PASSWORD } })).toMatchObject({ status: 200 });
    expect(await fetchFromPage(page, api, '/sessions', { method: 'POST', json: { email, password: PASSWORD } })).toMatchObject({ status: 200 });
    const cookies = await context.cookies(api);
    expect(cookies.map((c) => [c.name, c.sameSite, c.secure, c.httpOnly])).toEqual([['session_id', 'None', true, true]]);
    // 200 with the email: the browser sent the cookie on a cross-site request.
    expect(await fetchFromPage(page, api, '/profile')).toMatchObject({ status: 200, body: JSON.stringify({ email }) });
    // Logout answers the seed's 302 to /. A followed 302 keeps the DELETE (only POST turns into GET), and DELETE / is a
    // 404 from outside the API's scope, without a grant; so an SPA logs out with redirect: 'manual'.
    expect(await fetchFromPage(page, api, '/sessions', { method: 'DELETE', redirect: 'manual' })).toMatchObject({ status: 0, type: 'opaqueredirect' });
    expect(await context.cookies(api)).toEqual([]);
    expect(await fetchFromPage(page, api, '/profile')).toMatchObject({ status: 403 });
    await page.close();
  }, 60_000);

  it('an unlisted origin gets nothing to read and changes nothing, preflighted or not', async () => {
    // A live session in the same browser, so the unlisted page's requests do carry the SameSite=None cookie.
    const app = await context.newPage();
    await app.goto(listed.origin);
    const owner = uniqueEmail('browser-owner');
    expect(await fetchFromPage(app, api, '/users', { method: 'POST', json: { email: owner, password: PASSWORD } })).toMatchObject({ status: 200 });
    expect(await fetchFromPage(app, api, '/sessions', { method: 'POST', json: { email: owner, password: PASSWORD } })).toMatchObject({ status: 200 });

    const page = await context.newPage();
    await page.goto(unlisted.origin);
    const victim = uniqueEmail('browser-evil');
    // Preflighted: the preflight gets no grant, so the POST is never sent.
    expect(await fetchFromPage(page, api, '/users', { method: 'POST', json: { email: victim, password: PASSWORD } })).toHaveProperty('rejected');
    // Not preflighted (a form body): sent, refused by the cross-site guard, and unreadable to the page.
    expect(await fetchFromPage(page, api, '/users', { method: 'POST', form: { email: victim, password: PASSWORD } })).toHaveProperty('rejected');
    // no-cors: sent likewise and refused; the reply is withheld even as an opaque one (helmet's
    // Cross-Origin-Resource-Policy: same-origin), so the page learns nothing.
    expect(await fetchFromPage(page, api, '/users', { method: 'POST', form: { email: victim, password: PASSWORD }, mode: 'no-cors' })).toHaveProperty('rejected');
    // Reading the logged-in user's profile with their cookie: no grant, nothing to read.
    expect(await fetchFromPage(page, api, '/profile')).toHaveProperty('rejected');
    // Logging them out: DELETE needs a preflight, which gets no grant.
    expect(await fetchFromPage(page, api, '/sessions', { method: 'DELETE' })).toHaveProperty('rejected');

    expect(await service.sesame.users.findByEmail(victim)).toBeUndefined();
    // The owner's session survived all of it.
    expect(await fetchFromPage(app, api, '/profile')).toMatchObject({ status: 200, body: JSON.stringify({ email: owner }) });
    await page.close();
    await app.close();
  }, 60_000);

  it('a listed origin on the same site works in a default profile with the default SameSite=Lax cookie', async () => {
    const page = await pageServer();
    // Another port of localhost: another origin, the same site, so no cookie is third-party.
    const sameSite = page.origin.replace('127.0.0.1', 'localhost');
    const laxService = await startService({ TRUSTED_ORIGINS: sameSite });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
    try {
      const lax = laxService.url.replace('127.0.0.1', 'localhost');
      const tab = await (await browser.newContext()).newPage();
      await tab.goto(sameSite);
      const email = uniqueEmail('browser-lax');
      expect(await fetchFromPage(tab, lax, '/users', { method: 'POST', json: { email, password: PASSWORD } })).toMatchObject({ status: 200 });
      expect(await fetchFromPage(tab, lax, '/sessions', { method: 'POST', json: { email, password: PASSWORD } })).toMatchObject({ status: 200 });
      expect(await fetchFromPage(tab, lax, '/profile')).toMatchObject({ status: 200, body: JSON.stringify({ email }) });
      expect(await fetchFromPage(tab, lax, '/sessions', { method: 'DELETE', redirect: 'manual' })).toMatchObject({ type: 'opaqueredirect' });
      expect(await fetchFromPage(tab, lax, '/profile')).toMatchObject({ status: 403 });
    } finally {
      await browser.close();
      await laxService.stop();
      await new Promise((resolve) => page.server.close(resolve));
    }
  }, 60_000);
});
