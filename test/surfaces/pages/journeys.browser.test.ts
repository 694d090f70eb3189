/**
 * The hosted pages' journeys as a person lives them (issue 26), in Debian's Chromium against Sesame in-process on
 * SQLite with real SMTP delivery: sign up, open the mailed link, verify, sign in, sign out; forgot, reset from the
 * mail, sign in with the new password; both again with the keyboard only (Tab, typing, Enter: never a click); once
 * in French through the language switch; and a sign-in whose `return_to` names another site landing on the account
 * page. The services beneath are tested on both engines elsewhere; what only a browser shows is tested here: that the
 * forms, cookies, redirects and links work together, and that no page's resource is refused by its CSP.
 * Skipped with the reason when /usr/bin/chromium is missing; under CI=true that fails instead.
 * @module
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeBrowser } from '../../support/browser.js';
import { send, uniqueEmail } from '../../support/http.js';
import { mailTo } from '../../support/mail-doubles.js';
import { focused, GOOD_PASSWORD, heading, launchChromium, loaded, mailedLink, startPagesService, tabTo, verifiedAccount, type PagesService } from '../../support/pages-browser.js';

const NEW_PASSWORD = 'walnut harbour semaphore';

describeBrowser('hosted pages: the journeys, in a real browser with real mail', () => {
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

  /** A fresh profile's tab (an English-speaking browser unless told), its console recorded. */
  async function tab(locale = 'en-GB'): Promise<Page> {
    const context = await browser.newContext({ locale });
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (message) => consoleLines.push(message.text()));
    return page;
  }

  /** What a sign-in through the JSON API answers now (the check beside the browser's view). */
  async function apiLogin(email: string, password: string): Promise<number> {
    return (await send(pages.service.url, 'POST', '/sessions', { form: { email, password } })).status;
  }

  /** Whether the browser holds a session cookie for the service. */
  async function hasSession(page: Page): Promise<boolean> {
    return (await page.context().cookies(url('/'))).some((cookie) => cookie.name === 'session_id');
  }

  it('sign up, open the mailed link, verify, sign in, sign out', async () => {
    const email = uniqueEmail('journey-signup');
    const page = await tab();
    await page.goto(url('/account/signup'));
    expect(await heading(page)).toBe('Create your account');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Create account' }).click());
    expect(await heading(page)).toBe('Check your mail');
    expect(await page.locator('main').textContent()).toContain(email);

    // Signing in before confirming says what to do, and starts no session.
    await page.goto(url('/account/login'));
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect(await heading(page)).toBe('Sign in');
    expect(await page.getByRole('alert').textContent()).toContain('Confirm your email address first');
    expect(await hasSession(page)).toBe(false);

    const link = await mailedLink(pages.smtp, email, 'verify');
    await page.goto(url(link.path));
    expect(await heading(page)).toBe('Confirm your email address');
    await loaded(page, () => page.getByRole('button', { name: 'Confirm this email address' }).click());
    expect(await heading(page)).toBe('Your email address is verified');
    expect(await page.locator('main').textContent()).toContain(email);

    await loaded(page, () => page.getByRole('link', { name: 'Sign in' }).click());
    expect(page.url()).toBe(url('/account/login'));
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect(page.url()).toBe(url('/account/'));
    expect(await heading(page)).toBe('Your account');
    expect(await page.locator('main').textContent()).toContain(`You are signed in as ${email}.`);
    expect(await hasSession(page)).toBe(true);

    await loaded(page, () => page.getByRole('link', { name: 'Sign out' }).click());
    expect(await heading(page)).toBe('Sign out');
    await loaded(page, () => page.getByRole('button', { name: 'Sign out' }).click());
    expect(await heading(page)).toBe('You are signed out');
    expect(await hasSession(page)).toBe(false);
    // The account page now sends the person to sign in.
    await page.goto(url('/account/'));
    expect(page.url()).toBe(url('/account/login?return_to=%2Faccount%2F'));
  });

  it('forgot, reset from the mail, sign in with the new password', async () => {
    const email = await verifiedAccount(pages, 'journey-forgot');
    const page = await tab();
    await page.goto(url('/account/login'));
    await loaded(page, () => page.getByRole('link', { name: 'Forgot your password?' }).click());
    expect(await heading(page)).toBe('Forgot your password');
    await page.getByLabel('Email address').fill(email);
    await loaded(page, () => page.getByRole('button', { name: 'Send the link' }).click());
    expect(await heading(page)).toBe('Check your mail');
    expect(await page.locator('main').textContent()).toContain(email);

    const link = await mailedLink(pages.smtp, email, 'reset');
    await page.goto(url(link.path));
    expect(await heading(page)).toBe('Choose a new password');
    await page.getByLabel('Your email address').fill(email);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Set the new password' }).click());
    expect(await heading(page)).toBe('Your password was changed');

    await loaded(page, () => page.getByRole('link', { name: 'Sign in' }).click());
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect(page.url()).toBe(url('/account/'));
    expect(await page.locator('main').textContent()).toContain(`You are signed in as ${email}.`);
    expect(await apiLogin(email, GOOD_PASSWORD)).toBe(401);
  });

  it('keyboard only: sign up, open the mailed link, verify, sign in, sign out', async () => {
    const email = uniqueEmail('journey-keys-signup');
    const page = await tab();
    await page.goto(url('/account/signup'));
    await tabTo(page, 'input "Email address"');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('input "Password"');
    await page.keyboard.type(GOOD_PASSWORD);
    // Enter in a field sends its form, as it does for a sighted keyboard user.
    await loaded(page, () => page.keyboard.press('Enter'));
    expect(await heading(page)).toBe('Check your mail');

    const link = await mailedLink(pages.smtp, email, 'verify');
    await page.goto(url(link.path));
    await tabTo(page, 'button "Confirm this email address"');
    await loaded(page, () => page.keyboard.press('Enter'));
    expect(await heading(page)).toBe('Your email address is verified');

    await tabTo(page, 'link "Sign in"');
    await loaded(page, () => page.keyboard.press('Enter'));
    expect(await heading(page)).toBe('Sign in');
    await tabTo(page, 'input "Email address"');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(GOOD_PASSWORD);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button "Sign in"');
    await loaded(page, () => page.keyboard.press('Enter'));
    expect(page.url()).toBe(url('/account/'));
    expect(await page.locator('main').textContent()).toContain(`You are signed in as ${email}.`);

    await tabTo(page, 'link "Sign out"');
    await loaded(page, () => page.keyboard.press('Enter'));
    await tabTo(page, 'button "Sign out"');
    // Space presses a button too.
    await loaded(page, () => page.keyboard.press('Space'));
    expect(await heading(page)).toBe('You are signed out');
    expect(await hasSession(page)).toBe(false);
  });

  it('keyboard only: forgot, reset from the mail, sign in with the new password', async () => {
    const email = await verifiedAccount(pages, 'journey-keys-forgot');
    const page = await tab();
    await page.goto(url('/account/login'));
    await tabTo(page, 'link "Forgot your password?"');
    await loaded(page, () => page.keyboard.press('Enter'));
    expect(await heading(page)).toBe('Forgot your password');
    await tabTo(page, 'input "Email address"');
    await page.keyboard.type(email);
    await loaded(page, () => page.keyboard.press('Enter'));
    expect(await heading(page)).toBe('Check your mail');

    const link = await mailedLink(pages.smtp, email, 'reset');
    await page.goto(url(link.path));
    await tabTo(page, 'input "Your email address"');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('input "New password"');
    await page.keyboard.type(NEW_PASSWORD);
    await loaded(page, () => page.keyboard.press('Enter'));
    expect(await heading(page)).toBe('Your password was changed');

    await tabTo(page, 'link "Sign in"');
    await loaded(page, () => page.keyboard.press('Enter'));
    await tabTo(page, 'input "Email address"');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(NEW_PASSWORD);
    await loaded(page, () => page.keyboard.press('Enter'));
    expect(page.url()).toBe(url('/account/'));
    expect(await page.locator('main').textContent()).toContain(`You are signed in as ${email}.`);
    expect(await apiLogin(email, GOOD_PASSWORD)).toBe(401);
  });

  it('in French through the language switch: the pages, the message and the account speak French from then on', async () => {
    const email = uniqueEmail('journey-fr');
    const page = await tab();
    await page.goto(url('/account/signup'));
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await loaded(page, () => page.getByRole('link', { name: 'Français' }).click());
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await heading(page)).toBe('Créer votre compte');
    expect(await page.getByRole('link', { name: 'Français' }).getAttribute('aria-current')).toBe('true');
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill(GOOD_PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Créer le compte' }).click());
    expect(await heading(page)).toBe('Consultez vos messages');

    // The account's language is the page's: its message is French.
    expect((await mailTo(pages.smtp, email, '/account/verify?token=')).text).toContain(`Merci de confirmer que ${email} est bien votre adresse e-mail.`);
    const link = await mailedLink(pages.smtp, email, 'verify');
    // The switch's choice is remembered: the mailed link opens in French.
    await page.goto(url(link.path));
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await heading(page)).toBe('Confirmer votre adresse e-mail');
    await loaded(page, () => page.getByRole('button', { name: 'Confirmer cette adresse e-mail' }).click());
    expect(await heading(page)).toBe('Votre adresse e-mail est confirmée');

    await loaded(page, () => page.getByRole('link', { name: 'Se connecter' }).click());
    expect(await heading(page)).toBe('Se connecter');
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill(GOOD_PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Se connecter' }).click());
    expect(page.url()).toBe(url('/account/'));
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await heading(page)).toBe('Votre compte');
    expect(await page.locator('main').textContent()).toContain(`Vous êtes connecté en tant que ${email}.`);

    await loaded(page, () => page.getByRole('link', { name: 'Se déconnecter' }).click());
    await loaded(page, () => page.getByRole('button', { name: 'Se déconnecter' }).click());
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await heading(page)).toBe('Vous êtes déconnecté');
    expect(await hasSession(page)).toBe(false);
  });

  it('a sign-in with return_to=//evil.example lands on the account page, and the browser never asks evil.example for anything', async () => {
    const email = await verifiedAccount(pages, 'journey-redirect');
    const page = await tab();
    const elsewhere: string[] = [];
    await page.context().route((target) => target.hostname === 'evil.example', async (route) => {
      elsewhere.push(route.request().url());
      await route.abort();
    });
    await page.goto(url('/account/login?return_to=//evil.example'));
    expect(await page.locator('input[name="return_to"]').count()).toBe(0);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect(page.url()).toBe(url('/account/'));
    expect(await heading(page)).toBe('Your account');
    expect(elsewhere).toEqual([]);
  });
});
