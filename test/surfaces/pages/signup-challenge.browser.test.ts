/**
 * The sign-up challenge in Debian's Chromium (issue 35): the page's own script solves the proof of work in the
 * browser while the person types, a submit made before it is done is held and sent once it is, and the account is
 * made; the answer it computed is spent (sent again, to `POST /users`, it is refused); without JavaScript the form says
 * the check needs it and a submit is refused, nothing created. No resource is refused by the page's CSP, which allows
 * its one same-origin script and nothing else. Skipped with the reason when /usr/bin/chromium is missing.
 * @module
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeBrowser } from '../../support/browser.js';
import { send, uniqueEmail } from '../../support/http.js';
import { GOOD_PASSWORD, heading, launchChromium, loaded, startPagesService, type PagesService } from '../../support/pages-browser.js';

describeBrowser('the sign-up challenge, solved by a real browser', () => {
  let pages: PagesService;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let consoleLines: string[] = [];

  beforeAll(async () => {
    // `all`, so the answer the browser computed can be replayed at POST /users and seen refused.
    pages = await startPagesService({ REGISTRATION_CHALLENGE: 'all', REGISTRATION_CHALLENGE_MAX_NUMBER: '50000' });
    browser = await launchChromium();
  }, 120_000);
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    expect(consoleLines.filter((line) => /Content Security Policy|Refused/i.test(line))).toEqual([]);
    consoleLines = [];
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.stop();
  });

  const url = (path: string): string => `${pages.service.url}${path}`;

  /** A fresh profile's tab, its console recorded. */
  async function tab(options: { readonly javaScriptEnabled?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext({ locale: 'en-GB', ...options });
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (message) => consoleLines.push(message.text()));
    return page;
  }

  /** Whether an account exists for `email`, asked the way an operator would. */
  async function exists(email: string): Promise<boolean> {
    return (await pages.service.sesame.users.findByEmail(email)) !== undefined;
  }

  it('solves the puzzle in the page; a submit made at once waits for it, and the account is made', async () => {
    const email = uniqueEmail('challenge-browser');
    const page = await tab();
    await page.goto(url('/account/signup'));
    expect(await heading(page)).toBe('Create your account');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    // Clicked at once: the script holds the submit until the answer is in the hidden field.
    await loaded(page, () => page.getByRole('button', { name: 'Create account' }).click());
    expect(await heading(page)).toBe('Check your mail');
    expect(await exists(email)).toBe(true);
  });

  it('spends the answer it computed: sent again it is refused', async () => {
    const page = await tab();
    await page.goto(url('/account/signup'));
    await page.waitForSelector('form[data-solved="true"]', { timeout: 60_000 });
    const answer = await page.locator('input[name="altcha"]').inputValue();
    expect(answer).not.toBe('');
    const first = uniqueEmail('challenge-first');
    await page.getByLabel('Email address').fill(first);
    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Create account' }).click());
    expect(await heading(page)).toBe('Check your mail');
    const replay = await send(pages.service.url, 'POST', '/users', { json: { email: uniqueEmail('challenge-replay'), password: GOOD_PASSWORD, altcha: answer } });
    expect(replay.status).toBe(403);
    expect(replay.headers['sesame-error']).toBe('signup.challenge_invalid');
  });

  it('without JavaScript says the check needs it, and refuses the form without creating anything', async () => {
    const email = uniqueEmail('challenge-nojs');
    const page = await tab({ javaScriptEnabled: false });
    await page.goto(url('/account/signup'));
    expect(await page.locator('main').textContent()).toContain('turn on JavaScript to sign up');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Create account' }).click());
    expect(await heading(page)).toBe('Create your account');
    expect(await page.getByRole('alert').textContent()).toContain('did not complete or has expired');
    expect(await exists(email)).toBe(false);
  });
});
