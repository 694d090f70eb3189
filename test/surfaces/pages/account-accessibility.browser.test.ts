/**
 * Every account page (issue 28) and every state it can show, through the same audit as the other hosted pages
 * (test/support/page-audit.ts): no serious or critical axe violation (WCAG 2.0 to 2.2, A and AA) at 320 CSS px, the
 * tab order following the reading order, a visible focus at every stop, reflow at 320 px and 24 px targets; each
 * state photographed at 320, 375 and 1280 px into `screenshots/` (report in `screenshots/account-report.md`), and
 * with `DOCS_SCREENSHOTS=1` the account page README shows into `docs/screenshots/`.
 * Skipped with the reason when /usr/bin/chromium is missing; under CI=true that fails instead.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, it } from 'vitest';
import { describeBrowser } from '../../support/browser.js';
import { send } from '../../support/http.js';
import { auditPage, auditReport, DOCS_SCREENSHOTS, SCREENSHOTS, VIEWPORT_HEIGHT, type Measured, type PageState } from '../../support/page-audit.js';
import { GOOD_PASSWORD, launchChromium, loaded, longEmail, startPagesService, verifiedAccount, type PagesService } from '../../support/pages-browser.js';

describeBrowser('account pages: accessibility of every page and state, reflow, target size, screenshots', () => {
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

  /**
   * A verified account with a long address (every page that repeats it must still reflow), signed in from a second
   * device over the API (so the sessions list has another to sign out) and then in `page` through the sign-in page.
   */
  async function signIn(page: Page, email = longEmail(), language = 'en'): Promise<string> {
    await verifiedAccount(pages, 'a11y-account', email);
    const phone = await send(pages.service.url, 'POST', '/sessions', { form: { email, password: GOOD_PASSWORD }, headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1' } });
    if (phone.status !== 200) throw new Error(`the second sign-in answered ${phone.status}`);
    await page.goto(url(`/account/login?lang=${language}`));
    await fill(page, language === 'fr' ? { 'Adresse e-mail': email, 'Mot de passe': GOOD_PASSWORD } : { 'Email address': email, Password: GOOD_PASSWORD });
    await press(page, language === 'fr' ? 'Se connecter' : 'Sign in');
    return email;
  }

  /** Signs in, then opens an account page. */
  async function open(page: Page, path: string): Promise<void> {
    await signIn(page);
    await page.goto(url(`/account/${path}`));
  }

  const states: readonly PageState[] = [
    {
      slug: 'account-home',
      name: 'the account page, two devices signed in',
      status: 200,
      heading: 'Your account',
      docs: [375, 1280],
      reach: async (page) => {
        await signIn(page, 'ada.lovelace@example.org');
      },
    },
    {
      slug: 'account-home-fr',
      name: 'the account page in French',
      status: 200,
      heading: 'Votre compte',
      reach: async (page) => {
        await signIn(page, longEmail(), 'fr');
      },
    },
    { slug: 'account-sessions-one', name: 'sign one session out: confirm', status: 200, heading: 'Sign out a session', reach: async (page) => {
      await signIn(page);
      await loaded(page, () => page.getByRole('link', { name: 'Sign out this session' }).first().click());
    } },
    { slug: 'account-sessions-others', name: 'sign the other sessions out: confirm', status: 200, heading: 'Sign out your other sessions', reach: (page) => open(page, 'sessions?session=others') },
    {
      slug: 'account-sessions-wrong',
      name: 'sign the other sessions out with a wrong password (403)',
      status: 403,
      heading: 'Sign out your other sessions',
      reach: async (page) => {
        await open(page, 'sessions?session=others');
        await fill(page, { 'Your password': 'not the password at all' });
        await press(page, 'Sign out the other sessions');
      },
    },
    {
      slug: 'account-sessions-done',
      name: 'the other sessions signed out',
      status: 200,
      heading: 'Sessions signed out',
      reach: async (page) => {
        await open(page, 'sessions?session=others');
        await fill(page, { 'Your password': GOOD_PASSWORD });
        await press(page, 'Sign out the other sessions');
      },
    },
    { slug: 'account-sessions-unknown', name: 'a session that is not among yours (404)', status: 404, heading: 'Session not found', reach: (page) => open(page, 'sessions?session=0123456789abcdef') },
    { slug: 'account-password', name: 'change password: the form', status: 200, heading: 'Change your password', reach: (page) => open(page, 'password') },
    {
      slug: 'account-password-empty',
      name: 'change password posted empty (400)',
      status: 400,
      heading: 'Change your password',
      reach: async (page) => {
        await open(page, 'password');
        await press(page, 'Change password');
      },
    },
    {
      slug: 'account-password-weak',
      name: 'change password to a weak one (400)',
      status: 400,
      heading: 'Change your password',
      reach: async (page) => {
        await open(page, 'password');
        await fill(page, { 'Current password': GOOD_PASSWORD, 'New password': 'short' });
        await press(page, 'Change password');
      },
    },
    {
      slug: 'account-password-wrong',
      name: 'change password with a wrong current one (403)',
      status: 403,
      heading: 'Change your password',
      reach: async (page) => {
        await open(page, 'password');
        await fill(page, { 'Current password': 'not the password at all', 'New password': 'walnut harbour semaphore' });
        await press(page, 'Change password');
      },
    },
    {
      slug: 'account-password-done',
      name: 'password changed',
      status: 200,
      heading: 'Your password is changed',
      reach: async (page) => {
        await open(page, 'password');
        await fill(page, { 'Current password': GOOD_PASSWORD, 'New password': 'walnut harbour semaphore' });
        await press(page, 'Change password');
      },
    },
    { slug: 'account-email', name: 'change the address: the form', status: 200, heading: 'Change your email address', reach: (page) => open(page, 'email') },
    {
      slug: 'account-email-empty',
      name: 'change the address posted empty (400)',
      status: 400,
      heading: 'Change your email address',
      reach: async (page) => {
        await open(page, 'email');
        await press(page, 'Send the confirmation');
      },
    },
    {
      slug: 'account-email-taken',
      name: 'change to an address another account uses (400)',
      status: 400,
      heading: 'Change your email address',
      reach: async (page) => {
        const taken = await verifiedAccount(pages, 'a11y-taken');
        await open(page, 'email');
        await fill(page, { 'New email address': taken, 'Your current password': GOOD_PASSWORD });
        await press(page, 'Send the confirmation');
      },
    },
    {
      slug: 'account-email-wrong',
      name: 'change the address with a wrong password (403)',
      status: 403,
      heading: 'Change your email address',
      reach: async (page) => {
        await open(page, 'email');
        await fill(page, { 'New email address': longEmail(), 'Your current password': 'not the password at all' });
        await press(page, 'Send the confirmation');
      },
    },
    {
      slug: 'account-email-sent',
      name: 'change the address: confirmation sent',
      status: 200,
      heading: 'Check your new mailbox',
      reach: async (page) => {
        await open(page, 'email');
        await fill(page, { 'New email address': longEmail(), 'Your current password': GOOD_PASSWORD });
        await press(page, 'Send the confirmation');
      },
    },
    { slug: 'account-events', name: 'recent security events', status: 200, heading: 'Recent security events', docs: [375], reach: (page) => open(page, 'events') },
    { slug: 'account-events-bad-page', name: 'a page of events that does not exist (400)', status: 400, heading: 'This page of events does not exist', reach: (page) => open(page, 'events?page=0') },
    {
      slug: 'account-language-saved',
      name: 'the account page after saving the language (a notice)',
      status: 200,
      heading: 'Your account',
      reach: async (page) => {
        await signIn(page);
        await press(page, 'Save language');
      },
    },
    { slug: 'account-delete', name: 'delete the account: the confirmation step', status: 200, heading: 'Delete your account', reach: (page) => open(page, 'delete') },
    {
      slug: 'account-delete-wrong',
      name: 'delete the account with a wrong password (403)',
      status: 403,
      heading: 'Delete your account',
      reach: async (page) => {
        await open(page, 'delete');
        await fill(page, { 'Your password': 'not the password at all' });
        await press(page, 'Delete my account for good');
      },
    },
    {
      slug: 'account-delete-done',
      name: 'account deleted',
      status: 200,
      heading: 'Your account is deleted',
      reach: async (page) => {
        await open(page, 'delete');
        await fill(page, { 'Your password': GOOD_PASSWORD });
        await press(page, 'Delete my account for good');
      },
    },
  ];

  it('the account page of an unconfirmed address (resend button), then after a resend: same audit', async () => {
    // Only a service that lets an unconfirmed address sign in shows this state.
    const open = await startPagesService({ REQUIRE_EMAIL_VERIFICATION: 'false' });
    try {
      const email = longEmail();
      const reach = async (page: Page): Promise<void> => {
        await send(open.service.url, 'POST', '/users', { form: { email, password: GOOD_PASSWORD } });
        await page.goto(`${open.service.url}/account/login`);
        await fill(page, { 'Email address': email, Password: GOOD_PASSWORD });
        await press(page, 'Sign in');
      };
      for (const state of [
        { slug: 'account-home-unconfirmed', name: 'the account page, address not confirmed', status: 200, heading: 'Your account', reach },
        {
          slug: 'account-resend-done',
          name: 'the account page after a resend (a notice)',
          status: 200,
          heading: 'Your account',
          reach: async (page: Page) => {
            await reach(page);
            await press(page, 'Send the confirmation message again');
          },
        },
      ]) {
        await audit(state);
      }
    } finally {
      await open.stop();
    }
  });

  beforeAll(async () => {
    pages = await startPagesService();
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
    if (process.env['DOCS_SCREENSHOTS'] === '1') mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await pages?.stop();
    if (measured.length > 0) writeFileSync(join(SCREENSHOTS, 'account-report.md'), auditReport('Account pages', measured));
  });

  /** Audits `state` in a fresh browser profile and keeps its measures for the report. */
  async function audit(state: PageState): Promise<void> {
    let context: BrowserContext | undefined;
    try {
      context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: VIEWPORT_HEIGHT } });
      measured.push(await auditPage(await context.newPage(), state));
    } finally {
      await context?.close();
    }
  }

  for (const state of states) {
    it(`${state.name}: no serious or critical axe violation; tab order, reflow at 320 px, target size`, () => audit(state));
  }
});
