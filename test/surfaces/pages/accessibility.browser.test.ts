/**
 * Every hosted page and every error state it can show, checked in Debian's Chromium (issue 26): axe-core (through
 * `@axe-core/playwright`, WCAG 2.0, 2.1 and 2.2 A and AA rules) finds no serious or critical violation at 320 CSS px;
 * and what axe cannot judge is measured rather than eyeballed: an error summary has the focus on arrival, the tab
 * order follows the reading order from there, every stop draws a visible outline, the page reflows at 320 px without
 * horizontal scrolling (WCAG 1.4.10), and every link and button is at least 24 by 24 CSS px or spaced as WCAG 2.5.8
 * allows.
 *
 * Each state is also photographed at 320, 375 and 1280 px into `screenshots/` (git-ignored), beside `report.md`:
 * the axe findings of every impact (and what it left for a person to review), the tab orders, the undersized targets and each page's weight as served (HTML
 * and stylesheet bytes). `DOCS_SCREENSHOTS=1` also writes the few shown in README into `docs/screenshots/`.
 * Skipped with the reason when /usr/bin/chromium is missing; under CI=true that fails instead.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser } from '../../support/browser.js';
import { send, uniqueEmail } from '../../support/http.js';
import { auditPage, auditReport, DOCS_SCREENSHOTS, SCREENSHOTS, VIEWPORT_HEIGHT, type Measured, type PageState } from '../../support/page-audit.js';
import { GOOD_PASSWORD, launchChromium, loaded, mailedLink, longEmail, startPagesService, verifiedAccount, type PagesService } from '../../support/pages-browser.js';

describeBrowser('hosted pages: accessibility of every page and error state, reflow, target size, screenshots', () => {
  let pages: PagesService;
  let browser: Browser;
  const measured: Measured[] = [];

  /** The service's base URL. */
  const url = (path: string): string => `${pages.service.url}${path}`;

  /** Types into the fields named by their labels. */
  async function fill(page: Page, fields: Readonly<Record<string, string>>): Promise<void> {
    for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: false }).fill(value);
  }

  /** Presses a button and waits for the page it leads to. */
  async function press(page: Page, name: string): Promise<void> {
    await loaded(page, () => page.getByRole('button', { name }).click());
  }

  /** A verified account with a long address, signed in through the sign-in page of `page`. */
  async function signIn(page: Page): Promise<string> {
    const email = await verifiedAccount(pages, 'a11y-signed-in', longEmail());
    await page.goto(url('/account/login'));
    await fill(page, { 'Email address': email, Password: GOOD_PASSWORD });
    await press(page, 'Sign in');
    return email;
  }

  /** A live reset token for a verified account (development answers it in the body of `POST /reset_password`). */
  async function resetToken(): Promise<{ email: string; token: string }> {
    const email = await verifiedAccount(pages, 'a11y-reset');
    const asked = await send(pages.service.url, 'POST', '/reset_password', { form: { email } });
    const token = (asked.json as { reset_token?: string } | undefined)?.reset_token;
    if (token === undefined) throw new Error(`no reset token in ${asked.text}`);
    return { email, token };
  }

  /** A token of the right shape that Sesame never issued. */
  const unknownToken = (): string => `${crypto.randomUUID()}`;

  const states: readonly PageState[] = [
    { slug: 'signup', name: 'sign-up form', status: 200, heading: 'Create your account', docs: [375, 1280], reach: (page) => page.goto(url('/account/signup')).then(() => undefined) },
    {
      slug: 'signup-empty',
      name: 'sign-up posted empty',
      status: 400,
      heading: 'Create your account',
      reach: async (page) => {
        await page.goto(url('/account/signup'));
        await press(page, 'Create account');
      },
    },
    {
      slug: 'signup-invalid-email',
      name: 'sign-up with an address that is not one',
      status: 400,
      heading: 'Create your account',
      reach: async (page) => {
        await page.goto(url('/account/signup'));
        await fill(page, { 'Email address': 'not an address', Password: GOOD_PASSWORD });
        await press(page, 'Create account');
      },
    },
    {
      slug: 'signup-weak-password',
      name: 'sign-up with a weak password',
      status: 400,
      heading: 'Create your account',
      reach: async (page) => {
        await page.goto(url('/account/signup'));
        await fill(page, { 'Email address': uniqueEmail('a11y-weak'), Password: 'short' });
        await press(page, 'Create account');
      },
    },
    {
      slug: 'signup-check-mail',
      name: 'sign-up done: check your mail',
      status: 200,
      heading: 'Check your mail',
      reach: async (page) => {
        await page.goto(url('/account/signup'));
        // The page repeats the address: a long one must still fit in 320 px.
        await fill(page, { 'Email address': longEmail(), Password: GOOD_PASSWORD });
        await press(page, 'Create account');
      },
    },
    {
      slug: 'signup-expired-form',
      name: 'sign-up with an expired form token (403)',
      status: 403,
      heading: 'This form has expired',
      reach: async (page) => {
        await page.goto(url('/account/signup'));
        await page.context().clearCookies({ name: 'sesame_form_signup' });
        await fill(page, { 'Email address': uniqueEmail('a11y-expired'), Password: GOOD_PASSWORD });
        await press(page, 'Create account');
      },
    },
    {
      slug: 'signup-unreadable',
      name: 'sign-up whose form arrives malformed (400 refusal page)',
      status: 400,
      heading: 'This form could not be read',
      reach: async (page) => {
        await page.goto(url('/account/signup'));
        // A browser keeps to `maxlength`; a tampered request does not, and gets the refusal page.
        await page.route(url('/account/signup'), (route) => route.continue({ postData: `${route.request().postData() ?? ''}&email=${'a'.repeat(400)}` }));
        await fill(page, { 'Email address': uniqueEmail('a11y-malformed'), Password: GOOD_PASSWORD });
        await press(page, 'Create account');
      },
    },
    { slug: 'login', name: 'sign-in form', status: 200, heading: 'Sign in', reach: (page) => page.goto(url('/account/login')).then(() => undefined) },
    {
      slug: 'login-empty',
      name: 'sign-in posted empty',
      status: 400,
      heading: 'Sign in',
      reach: async (page) => {
        await page.goto(url('/account/login'));
        await press(page, 'Sign in');
      },
    },
    {
      slug: 'login-wrong-password',
      name: 'sign-in with a wrong password (401)',
      status: 401,
      heading: 'Sign in',
      docs: [375, 1280],
      reach: async (page) => {
        // An address a person might have: this state is shown in README.
        const email = await verifiedAccount(pages, 'a11y-wrong', 'grace.hopper@example.org');
        await page.goto(url('/account/login'));
        await fill(page, { 'Email address': email, Password: 'not the password at all' });
        await press(page, 'Sign in');
      },
    },
    {
      slug: 'login-unverified',
      name: 'sign-in before the address is confirmed (403)',
      status: 403,
      heading: 'Sign in',
      reach: async (page) => {
        const email = uniqueEmail('a11y-unverified');
        expect((await send(pages.service.url, 'POST', '/users', { form: { email, password: GOOD_PASSWORD } })).status).toBe(200);
        await page.goto(url('/account/login'));
        await fill(page, { 'Email address': email, Password: GOOD_PASSWORD });
        await press(page, 'Sign in');
      },
    },
    {
      slug: 'login-too-many',
      name: 'sign-in after too many tries (429)',
      status: 429,
      heading: 'Too many tries',
      reach: async (page) => {
        const email = await verifiedAccount(pages, 'a11y-limited');
        // Wrong passwords over the API until the account's limit answers, then once more in the browser.
        for (let tries = 0; ; tries += 1) {
          const status = (await send(pages.service.url, 'POST', '/sessions', { form: { email, password: 'wrong wrong wrong' } })).status;
          if (status === 429) break;
          expect(status).toBe(401);
          expect(tries).toBeLessThan(100);
        }
        await page.goto(url('/account/login'));
        await fill(page, { 'Email address': email, Password: 'wrong wrong wrong' });
        await press(page, 'Sign in');
      },
    },
    {
      slug: 'login-cross-site',
      name: 'sign-in form posted from another site (403 refusal page)',
      status: 403,
      heading: 'This request was refused',
      reach: async (page) => {
        await page.route('http://elsewhere.example/', (route) =>
          route.fulfill({
            contentType: 'text/html',
            body: `<!doctype html><html lang="en"><title>Elsewhere</title><form method="post" action="${url('/account/login')}"><input name="email" value="a@example.com"><button>Go</button></form></html>`,
          }),
        );
        await page.goto('http://elsewhere.example/');
        await press(page, 'Go');
      },
    },
    {
      slug: 'account',
      name: 'account page, signed in',
      status: 200,
      heading: 'Your account',
      reach: async (page) => {
        await signIn(page);
      },
    },
    {
      slug: 'logout',
      name: 'sign-out page, signed in',
      status: 200,
      heading: 'Sign out',
      reach: async (page) => {
        await signIn(page);
        await page.goto(url('/account/logout'));
      },
    },
    { slug: 'logout-not-signed-in', name: 'sign-out page, not signed in', status: 200, heading: 'Sign out', reach: (page) => page.goto(url('/account/logout')).then(() => undefined) },
    {
      slug: 'logout-done',
      name: 'signed out',
      status: 200,
      heading: 'You are signed out',
      reach: async (page) => {
        await signIn(page);
        await page.goto(url('/account/logout'));
        await press(page, 'Sign out');
      },
    },
    { slug: 'forgot', name: 'forgot-password form', status: 200, heading: 'Forgot your password', reach: (page) => page.goto(url('/account/forgot')).then(() => undefined) },
    {
      slug: 'forgot-empty',
      name: 'forgot-password posted empty',
      status: 400,
      heading: 'Forgot your password',
      reach: async (page) => {
        await page.goto(url('/account/forgot'));
        await press(page, 'Send the link');
      },
    },
    {
      slug: 'forgot-invalid-email',
      name: 'forgot-password with an address that is not one',
      status: 400,
      heading: 'Forgot your password',
      reach: async (page) => {
        await page.goto(url('/account/forgot'));
        await fill(page, { 'Email address': 'not an address' });
        await press(page, 'Send the link');
      },
    },
    {
      slug: 'forgot-sent',
      name: 'forgot-password sent',
      status: 200,
      heading: 'Check your mail',
      docs: [375, 1280],
      reach: async (page) => {
        await page.goto(url('/account/forgot'));
        await fill(page, { 'Email address': 'ada.lovelace@example.org' });
        await press(page, 'Send the link');
      },
    },
    {
      slug: 'reset',
      name: 'reset form from a mailed link',
      status: 200,
      heading: 'Choose a new password',
      reach: async (page) => {
        await page.goto(url(`/account/reset?token=${(await resetToken()).token}`));
      },
    },
    {
      slug: 'reset-empty',
      name: 'reset posted empty',
      status: 400,
      heading: 'Choose a new password',
      reach: async (page) => {
        await page.goto(url(`/account/reset?token=${unknownToken()}`));
        await press(page, 'Set the new password');
      },
    },
    {
      slug: 'reset-weak-password',
      name: 'reset with a weak password',
      status: 400,
      heading: 'Choose a new password',
      reach: async (page) => {
        const { email, token } = await resetToken();
        await page.goto(url(`/account/reset?token=${token}`));
        await fill(page, { 'Your email address': email, 'New password': 'short' });
        await press(page, 'Set the new password');
      },
    },
    { slug: 'reset-invalid-link', name: 'reset link that cannot be one (400)', status: 400, heading: 'This link is not valid', reach: (page) => page.goto(url('/account/reset?token=x')).then(() => undefined) },
    {
      slug: 'reset-used-link',
      name: 'reset link used, expired or unknown (403)',
      status: 403,
      heading: 'This link is not valid any more',
      reach: async (page) => {
        await page.goto(url(`/account/reset?token=${unknownToken()}`));
        await fill(page, { 'Your email address': uniqueEmail('a11y-used'), 'New password': GOOD_PASSWORD });
        await press(page, 'Set the new password');
      },
    },
    {
      slug: 'reset-done',
      name: 'password changed',
      status: 200,
      heading: 'Your password was changed',
      reach: async (page) => {
        const { email, token } = await resetToken();
        await page.goto(url(`/account/reset?token=${token}`));
        await fill(page, { 'Your email address': email, 'New password': 'walnut harbour semaphore' });
        await press(page, 'Set the new password');
      },
    },
    { slug: 'verify-code', name: 'verification by code', status: 200, heading: 'Confirm your email address', reach: (page) => page.goto(url('/account/verify')).then(() => undefined) },
    {
      slug: 'verify-button',
      name: 'verification link: the button',
      status: 200,
      heading: 'Confirm your email address',
      reach: (page) => page.goto(url(`/account/verify?token=${unknownToken()}`)).then(() => undefined),
    },
    { slug: 'verify-invalid-link', name: 'verification link that cannot be one (400)', status: 400, heading: 'This link is not valid', reach: (page) => page.goto(url('/account/verify?token=x')).then(() => undefined) },
    {
      slug: 'verify-empty',
      name: 'verification by code posted empty',
      status: 400,
      heading: 'Confirm your email address',
      reach: async (page) => {
        await page.goto(url('/account/verify'));
        await press(page, 'Confirm this email address');
      },
    },
    {
      slug: 'verify-wrong-code',
      name: 'verification with a wrong code (403)',
      status: 403,
      heading: 'Confirm your email address',
      reach: async (page) => {
        await page.goto(url('/account/verify'));
        await fill(page, { 'Email address': uniqueEmail('a11y-code'), Code: '1234-5678' });
        await press(page, 'Confirm this email address');
      },
    },
    {
      slug: 'verify-used-link',
      name: 'verification link used, expired or unknown (403)',
      status: 403,
      heading: 'This link is not valid any more',
      reach: async (page) => {
        await page.goto(url(`/account/verify?token=${unknownToken()}`));
        await press(page, 'Confirm this email address');
      },
    },
    {
      slug: 'verify-done',
      name: 'address verified',
      status: 200,
      heading: 'Your email address is verified',
      reach: async (page) => {
        const email = longEmail();
        expect((await send(pages.service.url, 'POST', '/users', { form: { email, password: GOOD_PASSWORD } })).status).toBe(200);
        await page.goto(url((await mailedLink(pages.smtp, email, 'verify')).path));
        await press(page, 'Confirm this email address');
      },
    },
    {
      slug: 'signup-fr',
      name: 'sign-up form in French',
      status: 200,
      heading: 'Créer votre compte',
      reach: (page) => page.goto(url('/account/signup?lang=fr')).then(() => undefined),
    },
    {
      slug: 'login-wrong-password-fr',
      name: 'sign-in with a wrong password, in French',
      status: 401,
      heading: 'Se connecter',
      reach: async (page) => {
        const email = await verifiedAccount(pages, 'a11y-wrong-fr');
        await page.goto(url('/account/login?lang=fr'));
        await fill(page, { 'Adresse e-mail': email, 'Mot de passe': 'pas le bon mot de passe' });
        await press(page, 'Se connecter');
      },
    },
  ];

  beforeAll(async () => {
    pages = await startPagesService();
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
    if (process.env['DOCS_SCREENSHOTS'] === '1') mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await pages?.stop();
    if (measured.length > 0) writeFileSync(join(SCREENSHOTS, 'report.md'), auditReport('Hosted pages', measured));
  });

  /** Checks `state` in a fresh browser profile and keeps its measures for the report. */
  async function checkInFreshProfile(state: PageState): Promise<void> {
    let context: BrowserContext | undefined;
    try {
      context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: VIEWPORT_HEIGHT } });
      measured.push(await auditPage(await context.newPage(), state));
    } finally {
      await context?.close();
    }
  }

  for (const state of states) {
    it(`${state.name}: no serious or critical axe violation; tab order, reflow at 320 px, target size`, () => checkInFreshProfile(state));
  }

  it('a branded deployment (a one-word product name of 41 letters, a logo, another accent): the sign-in form still reflows at 320 px', async () => {
    const logo = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><circle cx="20" cy="20" r="18" fill="#0b6e4f"/></svg>').toString('base64')}`;
    const branded = await startPagesService({ PAGES_PRODUCT_NAME: 'Bibliotheksverwaltungsgesellschaftsportal', PAGES_LOGO: logo, PAGES_ACCENT_COLOR: '#0b6e4f' });
    try {
      await checkInFreshProfile({
        slug: 'branded-login',
        name: 'sign-in form, branded',
        status: 200,
        heading: 'Sign in',
        reach: (page) => page.goto(`${branded.service.url}/account/login`).then(() => undefined),
      });
    } finally {
      await branded.stop();
    }
  });
});
