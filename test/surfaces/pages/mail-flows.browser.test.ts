/**
 * The mailed-link flows end to end, as a person lives them: Sesame runs in-process with real SMTP delivery to a real
 * receiver, Debian's Chromium (driven by playwright-core) opens the links from the messages, reads the pages and
 * presses their buttons. It proves what the HTTP suites cannot: that a real browser sends the form cookie and the
 * hidden form token back, that its same-origin POST passes the cross-site guard under the pages' referrer policy,
 * that the stylesheet is allowed by the pages' CSP, and that a mail scanner's plain GET spends nothing.
 * Links in the messages name the configured host and port (port 0 here), so each test opens the link's path and
 * query on the test server's own origin.
 * Skipped with the reason when /usr/bin/chromium is missing; under CI=true that fails instead.
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../../src/bin/app.js';
import { loadConfig } from '../../../src/config.js';
import { createSesame, type Sesame } from '../../../src/sesame.js';
import { CHROMIUM, CHROMIUM_ARGS, describeBrowser } from '../../support/browser.js';
import { send, sleep, uniqueEmail, type Reply } from '../../support/http.js';
import { mailedCode, type ReceivedMail, type SmtpReceiver, startSmtpReceiver } from '../../support/smtp.js';
import { makeTempDir, type TempDir } from '../../support/temp.js';

const PASSWORD = 'first long password';

/** What a test sees of the running service. */
interface Running {
  readonly url: string;
  readonly sesame: Sesame;
  readonly app: FastifyInstance;
  readonly dir: TempDir;
}

/** Starts the standalone server on a fresh SQLite file, mailing through `smtp` and holding logins until the address is verified. */
async function startMailService(smtp: SmtpReceiver): Promise<Running> {
  const dir = makeTempDir('pages');
  const config = loadConfig({
    BCRYPT_COST: '4',
    LOG_LEVEL: 'silent',
    MAX_EVENT_LOOP_DELAY: '0',
    DATABASE_URL: `sqlite:${join(dir.path, 'sesame.db')}`,
    RESET_TOKEN_DELIVERY: 'email',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Sesame <auth@example.com>',
    REQUIRE_EMAIL_VERIFICATION: 'true',
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const sesame = await createSesame(config, { sweeper: false, mail: { dispatch: { pollMs: 50, backoffMs: [250] } } });
  const app = await buildServer(sesame);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, sesame, app, dir };
}

/**
 * A stand-in for a webmail on another site (`localhost` is another site than `127.0.0.1`): `/?link=URL` shows the
 * message's link, so the browser reaches the page by a cross-site navigation, as from a real mailbox.
 */
async function webmail(): Promise<{ origin: string; server: Server }> {
  const server = createServer((request, response) => {
    const link = new URL(request.url ?? '/', 'http://localhost').searchParams.get('link') ?? '';
    const safe = link.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>Inbox</title><p>Confirm your email address</p><p><a id="link" href="${safe}">Confirm my address</a></p>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://localhost:${(server.address() as AddressInfo).port}`, server };
}

/** Waits for the newest message to `address` whose text contains `needle`. */
async function mailTo(smtp: SmtpReceiver, address: string, needle: string): Promise<ReceivedMail> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = smtp.received.filter((mail) => mail.to.includes(address) && mail.text.includes(needle)).at(-1);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no message to ${address} containing ${needle}`);
    await sleep(20);
  }
}

/** The path and query of a message's `/account/...` link, its token, and its code. */
function linkOf(mail: ReceivedMail): { path: string; token: string; code: string } {
  const link = /https?:\/\/[^\s/]+(\/account\/(?:verify|reset)\?token=([A-Za-z0-9_%-]+))/.exec(mail.text);
  const code = mailedCode(mail.text);
  if (link?.[1] === undefined || link[2] === undefined || code === undefined) throw new Error(`no link or code in ${mail.text}`);
  return { path: link[1], token: decodeURIComponent(link[2]), code };
}

describeBrowser('mailed links opened in a real browser', () => {
  let smtp: SmtpReceiver;
  let service: Running;
  let browser: Browser;
  let mailbox: { origin: string; server: Server };
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    service = await startMailService(smtp);
    mailbox = await webmail();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
  }, 60_000);
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => mailbox?.server.close(resolve));
    await service?.app.close();
    service?.dir.remove();
    await smtp?.stop();
  });

  /** A fresh browser profile's tab, recording what the console says (a CSP refusal is reported there). */
  async function tab(): Promise<{ page: Page; console: string[] }> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const console: string[] = [];
    page.on('console', (message) => console.push(message.text()));
    return { page, console };
  }

  /** What a login answers now. */
  function login(email: string, password = PASSWORD): Promise<Reply> {
    return send(service.url, 'POST', '/sessions', { form: { email, password } });
  }

  /** Registers over HTTP and returns the account's verification link (path, token, code). */
  async function register(label: string): Promise<{ email: string; path: string; token: string; code: string }> {
    const email = uniqueEmail(label);
    expect((await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD } })).status).toBe(200);
    return { email, ...linkOf(await mailTo(smtp, email, '/account/verify?token=')) };
  }

  /** Registers and verifies over the JSON API: an account that can log in. */
  async function verifiedAccount(label: string): Promise<string> {
    const { email, token } = await register(label);
    expect((await send(service.url, 'POST', '/email/verify', { form: { token } })).json).toEqual({ email, message: 'email verified' });
    expect((await login(email)).status).toBe(200);
    return email;
  }

  /** The page's heading as the browser renders it (a refusal in JSON has none: then the whole body, to say why). */
  async function heading(page: Page): Promise<string> {
    if ((await page.locator('h1').count()) === 0) return `no heading in: ${(await page.locator('body').textContent()) ?? ''}`;
    return (await page.locator('h1').textContent()) ?? '';
  }

  it('verification: a scanner\'s GET spends nothing; the person opens the link from the mailbox, presses the button, and can log in', async () => {
    const { email, path } = await register('browser-verify');
    const message = await mailTo(smtp, email, '/account/verify?token=');
    expect(message.raw).toMatch(/^Subject: Confirm your email address$/m);

    // A mail scanner follows the link first.
    const scanned = await fetch(`${service.url}${path}`);
    expect(scanned.status).toBe(200);
    expect(await scanned.text()).toContain('Confirm this email address');
    const held = await login(email);
    expect(held.status).toBe(403);
    expect(held.json).toEqual({ message: 'email not verified' });

    const { page, console } = await tab();
    await page.goto(`${mailbox.origin}/?link=${encodeURIComponent(`${service.url}${path}`)}`);
    await Promise.all([page.waitForURL(`${service.url}${path}`), page.click('#link')]);
    expect(await heading(page)).toBe('Confirm your email address');
    // The stylesheet applied (its same-origin URL passed the CSP): the column is 28rem wide.
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('main') as Element).maxWidth)).toBe('448px');
    const cookies = await page.context().cookies(`${service.url}/account/verify`);
    expect(cookies.map(({ name, path: scope, httpOnly, sameSite, secure }) => ({ name, path: scope, httpOnly, sameSite, secure }))).toEqual([
      { name: 'sesame_form_verify', path: '/account', httpOnly: true, sameSite: 'Strict', secure: false },
    ]);
    // Still nothing spent by the browser's own GET.
    expect((await login(email)).status).toBe(403);

    await Promise.all([page.waitForURL(`${service.url}/account/verify`), page.getByRole('button', { name: 'Confirm this email address' }).click()]);
    expect(await heading(page)).toBe('Your email address is verified');
    expect(await page.locator('main').textContent()).toContain(email);
    expect(console.filter((line) => /Content Security Policy|Refused/i.test(line))).toEqual([]);
    expect((await login(email)).status).toBe(200);
  }, 60_000);

  it('forgotten password: the reset link\'s form takes the email and a new password; the new one logs in, the old one no longer', async () => {
    const email = await verifiedAccount('browser-reset');
    expect((await send(service.url, 'POST', '/reset_password', { form: { email } })).status).toBe(200);
    const message = await mailTo(smtp, email, '/account/reset?token=');
    expect(message.raw).toMatch(/^Subject: Reset your password$/m);
    const { path } = linkOf(message);

    const { page } = await tab();
    await page.goto(`${service.url}${path}`);
    expect(await heading(page)).toBe('Choose a new password');
    await page.getByLabel('Your email').fill(email);
    await page.getByLabel('New password').fill('second long password');
    await Promise.all([page.waitForURL(`${service.url}/account/reset`), page.getByRole('button', { name: 'Set the new password' }).click()]);
    expect(await heading(page)).toBe('Your password was changed');
    expect(await page.locator('main').textContent()).toContain('Sign in with your new password');
    expect((await login(email, 'second long password')).status).toBe(200);
    expect((await login(email, PASSWORD)).status).toBe(401);
  }, 60_000);

  it('the code instead of the link: the person types the address and the code from the message', async () => {
    const { email, code } = await register('browser-code');
    expect(code).toMatch(/^\d{4}-\d{4}$/);
    expect((await login(email)).status).toBe(403);

    const { page } = await tab();
    await page.goto(`${service.url}/account/verify`);
    expect(await heading(page)).toBe('Confirm your email address');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Code').fill(code);
    await Promise.all([page.waitForURL(`${service.url}/account/verify`), page.getByRole('button', { name: 'Confirm this email address' }).click()]);
    expect(await heading(page)).toBe('Your email address is verified');
    expect((await login(email)).status).toBe(200);
  }, 60_000);

  it('change of address: the new mailbox gets the confirmation, the old one a notice; confirming moves the account', async () => {
    const email = await verifiedAccount('browser-old');
    const session = (await login(email)).sessionId ?? '';
    expect(session).not.toBe('');
    const account = await service.sesame.accounts.find(email);
    const next = uniqueEmail('browser-new');
    const asked = await send(service.url, 'PUT', '/email', { form: { password: PASSWORD, new_email: next }, sessionId: session });
    expect(asked.status).toBe(200);
    expect(asked.json).toEqual({ email, message: 'confirmation sent to the new address' });

    const confirmation = await mailTo(smtp, next, '/account/verify?token=');
    expect(confirmation.raw).toMatch(/^Subject: Confirm your new email address$/m);
    const notice = await mailTo(smtp, email, 'is being changed');
    expect(notice.text).not.toContain('/account/verify?token=');
    expect((await login(email)).status).toBe(200);

    const { page } = await tab();
    await page.goto(`${service.url}${linkOf(confirmation).path}`);
    expect(await heading(page)).toBe('Confirm your email address');
    await Promise.all([page.waitForURL(`${service.url}/account/verify`), page.getByRole('button', { name: 'Confirm this email address' }).click()]);
    expect(await heading(page)).toBe('Your account now uses this email address');
    expect(await page.locator('main').textContent()).toContain(`Sign in with ${next} from now on.`);
    expect((await login(next)).status).toBe(200);
    expect((await login(email)).status).toBe(401);
    expect((await service.sesame.accounts.find(next))?.id).toBe(account?.id);
    expect(await service.sesame.accounts.find(email)).toBeUndefined();
  }, 60_000);
});
