/**
 * The account pages as a person uses them (issue 28), in Debian's Chromium against Sesame in-process on SQLite with
 * real SMTP delivery: sign in from two browsers and sign the second out from the first's account page; change the
 * password (the other browser is signed out, this one stays); change the address through the new mailbox; see what
 * happened in the security events and in the downloaded export; delete the account and fail to sign in; and once
 * with the keyboard only, in French. The services beneath are tested on both engines elsewhere, and each page's
 * refusals over HTTP in account-security.test.ts and account-details.test.ts; what only a browser shows is tested
 * here: that the links, forms, cookies and redirects work together and that no resource is refused by the CSP.
 * Skipped with the reason when /usr/bin/chromium is missing; under CI=true that fails instead.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeBrowser } from '../../support/browser.js';
import { send, uniqueEmail } from '../../support/http.js';
import { mailTo } from '../../support/mail-doubles.js';
import { focused, GOOD_PASSWORD, heading, launchChromium, loaded, mailedLink, startPagesService, tabTo, verifiedAccount, type PagesService } from '../../support/pages-browser.js';

const NEW_PASSWORD = 'walnut harbour semaphore';

describeBrowser('the account pages: journeys in a real browser with real mail', () => {
  let pages: PagesService;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** Console lines of every tab of the current test: a CSP refusal is reported there. */
  let consoleLines: string[] = [];

  beforeAll(async () => {
    pages = await startPagesService();
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

  /** The service's base URL. */
  const url = (path: string): string => `${pages.service.url}${path}`;

  /** A fresh browser profile's tab, its console recorded; `userAgent` tells two devices apart on the sessions list. */
  async function tab(options: { locale?: string; userAgent?: string } = {}): Promise<Page> {
    const context = await browser.newContext({ locale: options.locale ?? 'en-GB', ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }), acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (message) => consoleLines.push(message.text()));
    return page;
  }

  /** Signs `page` in through the sign-in page (in English) and lands on the account page. */
  async function signIn(page: Page, email: string, password = GOOD_PASSWORD): Promise<void> {
    await page.goto(url('/account/login?lang=en'));
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await loaded(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect(page.url()).toBe(url('/account/'));
  }

  /** What a sign-in through the JSON API answers now. */
  async function apiLogin(email: string, password: string): Promise<number> {
    return (await send(pages.service.url, 'POST', '/sessions', { form: { email, password } })).status;
  }

  /** Whether `page`'s browser is still signed in: the account page answers it, or sends it to sign in. */
  async function signedIn(page: Page): Promise<boolean> {
    await page.goto(url('/account/'));
    return page.url() === url('/account/');
  }

  it('signs the other browser out from this one\'s account page; the other\'s next request is signed out', async () => {
    const email = await verifiedAccount(pages, 'account-two-browsers');
    const laptop = await tab({ userAgent: 'Laptop browser (test)' });
    const phone = await tab({ userAgent: 'Phone browser (test)' });
    await signIn(laptop, email);
    await signIn(phone, email);

    await laptop.reload();
    const sessions = laptop.getByRole('region', { name: 'Where you are signed in' }).locator('li');
    expect(await sessions.count()).toBe(2);
    // Newest first: the phone signed in last; this device is marked, and only the other has a way out here.
    expect(await sessions.nth(0).textContent()).toContain('Phone browser (test)');
    expect(await sessions.nth(1).textContent()).toContain('Laptop browser (test) This device');
    expect(await sessions.nth(1).getByRole('link').count()).toBe(0);

    await loaded(laptop, () => sessions.nth(0).getByRole('link', { name: 'Sign out this session' }).click());
    expect(await heading(laptop)).toBe('Sign out a session');
    expect(await laptop.locator('main').textContent()).toContain('Phone browser (test)');
    await laptop.getByLabel('Your password').fill(GOOD_PASSWORD);
    await loaded(laptop, () => laptop.getByRole('button', { name: 'Sign out this session' }).click());
    expect(await heading(laptop)).toBe('Sessions signed out');

    expect(await signedIn(phone)).toBe(false);
    expect(phone.url()).toBe(url('/account/login?return_to=%2Faccount%2F'));
    expect(await signedIn(laptop)).toBe(true);
    expect(await laptop.getByRole('region', { name: 'Where you are signed in' }).locator('li').count()).toBe(1);
  });

  it('changes the password: the other browser is signed out, this one stays, the new password signs in', async () => {
    const email = await verifiedAccount(pages, 'account-password');
    const page = await tab();
    const other = await tab();
    await signIn(page, email);
    await signIn(other, email);

    await loaded(page, () => page.getByRole('link', { name: 'Change password' }).click());
    expect(await heading(page)).toBe('Change your password');
    // A wrong current password is refused on its field, and changes nothing.
    await page.getByLabel('Current password').fill('not the password at all');
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Change password' }).click());
    expect(await page.getByRole('alert').textContent()).toContain('The current password is not right.');
    expect(await apiLogin(email, GOOD_PASSWORD)).toBe(200);

    await page.getByLabel('Current password').fill(GOOD_PASSWORD);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Change password' }).click());
    expect(await heading(page)).toBe('Your password is changed');

    expect(await signedIn(other)).toBe(false);
    expect(await signedIn(page)).toBe(true);
    expect(await apiLogin(email, NEW_PASSWORD)).toBe(200);
    expect(await apiLogin(email, GOOD_PASSWORD)).toBe(401);
  });

  it('changes the address through the new mailbox; the events and the downloaded export show what happened', async () => {
    const email = await verifiedAccount(pages, 'account-email');
    const newEmail = uniqueEmail('account-email-new');
    const page = await tab();
    await signIn(page, email);

    await loaded(page, () => page.getByRole('link', { name: 'Change email address' }).click());
    expect(await heading(page)).toBe('Change your email address');
    await page.getByLabel('New email address').fill(newEmail);
    await page.getByLabel('Your current password').fill(GOOD_PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Send the confirmation' }).click());
    expect(await heading(page)).toBe('Check your new mailbox');
    // Until the new mailbox answers, the account keeps its address.
    expect(await apiLogin(email, GOOD_PASSWORD)).toBe(200);
    // The old address hears of it.
    expect((await mailTo(pages.smtp, email, 'asked to change the email address')).text).not.toContain(newEmail);

    const link = await mailedLink(pages.smtp, newEmail, 'verify');
    await page.goto(url(link.path));
    await loaded(page, () => page.getByRole('button', { name: 'Confirm this email address' }).click());
    expect(await page.locator('main').textContent()).toContain(newEmail);
    expect(await apiLogin(newEmail, GOOD_PASSWORD)).toBe(200);
    expect(await apiLogin(email, GOOD_PASSWORD)).toBe(401);

    await page.goto(url('/account/'));
    expect(await page.getByRole('region', { name: 'Email address' }).textContent()).toContain(newEmail);
    await loaded(page, () => page.getByRole('link', { name: 'Recent security events' }).click());
    expect(await heading(page)).toBe('Recent security events');
    const events = (await page.locator('main').textContent()) ?? '';
    expect(events).toContain('Email address changed');
    expect(events).toContain('Change of email address requested');
    expect(events).toContain('Signed in');

    await page.goto(url('/account/'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download my data' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^sesame-account-\d+-\d{4}-\d{2}-\d{2}\.json$/);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as { account: { email: string }; events: Array<{ type: string }> };
    expect(exported.account.email).toBe(newEmail);
    expect(exported.events.map((event) => event.type)).toEqual(expect.arrayContaining(['email.changed', 'email.change_requested', 'login.succeeded']));
  });

  it('saves the language: the account page, and the account\'s mail, speak it', async () => {
    const email = await verifiedAccount(pages, 'account-language');
    const page = await tab();
    await signIn(page, email);
    await page.getByLabel('Language of pages and messages').selectOption('fr');
    await loaded(page, () => page.getByRole('button', { name: 'Save language' }).click());
    expect(page.url()).toBe(url('/account/?done=language'));
    expect(await heading(page)).toBe('Votre compte');
    expect(await page.locator('.notice').textContent()).toBe('Votre langue est enregistrée.');
    const sessionId = (await page.context().cookies(url('/'))).find((cookie) => cookie.name === 'session_id')?.value;
    const exported = (await send(pages.service.url, 'GET', '/profile/export', sessionId === undefined ? {} : { sessionId })).json as { account: { language: string } } | undefined;
    expect(exported?.account.language).toBe('fr');
  });

  it('deletes the account after the confirmation step; signing in then fails', async () => {
    const email = await verifiedAccount(pages, 'account-delete');
    const page = await tab();
    await signIn(page, email);
    await loaded(page, () => page.getByRole('link', { name: 'Delete my account' }).click());
    expect(await heading(page)).toBe('Delete your account');
    expect(await page.locator('main').textContent()).toContain('This cannot be undone.');
    await page.getByLabel('Your password').fill(GOOD_PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Delete my account for good' }).click());
    expect(await heading(page)).toBe('Your account is deleted');
    expect((await page.context().cookies(url('/'))).some((cookie) => cookie.name === 'session_id')).toBe(false);

    await page.goto(url('/account/login'));
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect(await page.getByRole('alert').textContent()).toContain('The email address or the password is not right.');
    expect(await apiLogin(email, GOOD_PASSWORD)).toBe(401);
  });

  it('keyboard only, in French: signs the other sessions out from the account page', async () => {
    const email = await verifiedAccount(pages, 'account-keys-fr');
    const other = await tab({ locale: 'fr-FR' });
    await signIn(other, email);
    const page = await tab({ locale: 'fr-FR' });
    // The language switch's choice (a cookie) rules over the account's language (English, as it was registered).
    await page.goto(url('/account/login?lang=fr'));
    expect(await heading(page)).toBe('Se connecter');
    await tabTo(page, 'input "Adresse e-mail"');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(GOOD_PASSWORD);
    await loaded(page, () => page.keyboard.press('Enter'));
    expect(await heading(page)).toBe('Votre compte');

    await tabTo(page, 'link "Déconnecter toutes les autres sessions"');
    await loaded(page, () => page.keyboard.press('Enter'));
    expect(await heading(page)).toBe('Déconnecter vos autres sessions');
    await tabTo(page, 'input "Votre mot de passe"');
    await page.keyboard.type(GOOD_PASSWORD);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button "Déconnecter les autres sessions"');
    await loaded(page, () => page.keyboard.press('Enter'));
    expect(await heading(page)).toBe('Sessions déconnectées');
    expect(await page.locator('main').textContent()).toContain('Une session a été déconnectée.');
    expect(await signedIn(other)).toBe(false);
    expect(await signedIn(page)).toBe(true);
  });
});

