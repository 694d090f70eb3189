/**
 * What the hosted pages' browser suites share: Sesame in-process on SQLite with real SMTP delivery to a receiver of
 * the suite's own, Debian's Chromium, and the few ways a test reads or drives a page (its heading, a mailed link, a
 * submission awaited by its page load, a keyboard walk through the tab order). Waits are for events (a message, a
 * load) under generous bounds, never for time.
 * @module
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.js';
import { send, uniqueEmail } from './http.js';
import { startService, type Service } from './in-process.js';
import { mailTo } from './mail-doubles.js';
import { mailedCode, startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from './smtp.js';

/** A password the policy of {@link startPagesService} accepts. */
export const GOOD_PASSWORD = 'copper lantern orchard';

/** The service and its mailbox. */
export interface PagesService {
  readonly service: Service;
  readonly smtp: SmtpReceiver;
  /** Stops the service, then the receiver. */
  stop(): Promise<void>;
}

/**
 * Starts Sesame on a fresh SQLite file, mailing through a new receiver, holding sign-in until the address is verified,
 * with the production profile's 15-character password minimum (so a short password is a refusal the pages must show,
 * and the advice reads as deployed), under `env`.
 */
export async function startPagesService(env: Readonly<Record<string, string>> = {}): Promise<PagesService> {
  const smtp = await startSmtpReceiver();
  let service: Service;
  try {
    service = await startService({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Sesame <auth@example.com>',
      REQUIRE_EMAIL_VERIFICATION: 'true',
      PASSWORD_MIN_LENGTH: '15',
      ...env,
    });
  } catch (error) {
    await smtp.stop();
    throw error;
  }
  return {
    service,
    smtp,
    async stop() {
      await service.stop();
      await smtp.stop();
    },
  };
}

/**
 * A unique address as long as a real one can be and with no hyphen to break a line at: a page that shows it must
 * still reflow at 320 px.
 */
export function longEmail(): string {
  return `margaretha.vanderwoude.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}@example.org`;
}

/** An account registered and verified through the JSON API (for what starts after sign-up); returns its address. */
export async function verifiedAccount(pages: PagesService, label: string, email = uniqueEmail(label)): Promise<string> {
  const registered = await send(pages.service.url, 'POST', '/users', { form: { email, password: GOOD_PASSWORD } });
  if (registered.status !== 200) throw new Error(`registering ${email} answered ${registered.status}: ${registered.text}`);
  const { token } = await mailedLink(pages.smtp, email, 'verify');
  const verified = await send(pages.service.url, 'POST', '/email/verify', { form: { token } });
  if (verified.status !== 200) throw new Error(`verifying ${email} answered ${verified.status}: ${verified.text}`);
  return email;
}

/** Launches Debian's Chromium with the harness's flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}

/** A mailed link to a page: its path and query (to open on the test server's origin, see below), token and code. */
export interface MailedLink {
  readonly path: string;
  readonly token: string;
  readonly code: string;
}

/**
 * The `/account/...` link of a message, with its token and its code. Links name the configured host and port (port 0
 * in tests), so a test opens the link's path and query on the server's own origin.
 */
export function linkOf(mail: ReceivedMail): MailedLink {
  const link = /https?:\/\/[^\s/]+(\/account\/(?:verify|reset)\?token=([A-Za-z0-9_%-]+))/.exec(mail.text);
  const code = mailedCode(mail.text);
  if (link?.[1] === undefined || link[2] === undefined || code === undefined) throw new Error(`no link or code in ${mail.text}`);
  return { path: link[1], token: decodeURIComponent(link[2]), code };
}

/** Waits for the newest message to `address` holding a link to `page` (`verify` or `reset`) and returns the link. */
export async function mailedLink(smtp: SmtpReceiver, address: string, page: 'verify' | 'reset'): Promise<MailedLink> {
  return linkOf(await mailTo(smtp, address, `/account/${page}?token=`));
}

/** The page's one heading as rendered (or the body's text, to say why, when there is none). */
export async function heading(page: Page): Promise<string> {
  if ((await page.locator('h1').count()) === 0) return `no heading in: ${(await page.locator('body').textContent()) ?? ''}`;
  return ((await page.locator('h1').textContent()) ?? '').trim();
}

/**
 * Runs `act` (a click, an Enter) and waits for the document it leads to to load: every page is server-rendered, so
 * each submission or link is one navigation, and a POST that answers on the same URL is caught as well.
 */
export async function loaded(page: Page, act: () => Promise<unknown>): Promise<void> {
  await Promise.all([page.waitForEvent('load'), act()]);
}

/**
 * What the focused element is, as a keyboard user meets it: `input "Email address"` or `select "Language"` (its label without the
 * "(required)" marker), `button "Create account"`, `link "Sign in"`, or `body` when nothing is focused.
 */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (element === null || element === document.body) return 'body';
    const text = (node: Node | null): string => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
    if (element instanceof HTMLInputElement || element instanceof HTMLSelectElement) {
      const label = element.labels?.[0];
      const own = label === undefined ? '' : [...label.childNodes].filter((node) => !(node instanceof HTMLElement && node.classList.contains('req'))).map(text).join(' ').trim();
      return `${element.tagName.toLowerCase()} "${own}"`;
    }
    if (element instanceof HTMLButtonElement) return `button "${text(element)}"`;
    if (element instanceof HTMLAnchorElement) return `link "${text(element)}"`;
    return `${element.tagName.toLowerCase()} "${text(element).slice(0, 40)}"`;
  });
}

/** The longest walk {@link tabTo} and {@link tabOrder} take: more stops than any page has. */
const MAX_TAB_STOPS = 30;

/**
 * Presses Tab until `target` (as {@link focused} names it) has the focus, and returns the stops on the way, target
 * included; throws with the walk when it is not reached. Only the keyboard moves the focus.
 */
export async function tabTo(page: Page, target: string): Promise<string[]> {
  const walk: string[] = [];
  for (let i = 0; i < MAX_TAB_STOPS; i += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    walk.push(now);
    if (now === target) return walk;
  }
  throw new Error(`Tab never reached ${target}; the walk was: ${walk.join(' → ')}`);
}

/** One stop of a keyboard walk: what has the focus, and how wide the outline drawn round it is, in CSS px. */
export interface TabStop {
  readonly name: string;
  readonly outline: number;
}

/**
 * The page's tab order as a keyboard user meets it just after it loaded: from where the page put the focus (the top,
 * or an error summary that took it) to the last stop, before the focus leaves the document; with each stop's focus
 * outline, so a test can tell the focus is visible (WCAG 2.4.7).
 */
export async function tabOrder(page: Page): Promise<TabStop[]> {
  const stops: TabStop[] = [];
  for (let i = 0; i < MAX_TAB_STOPS; i += 1) {
    await page.keyboard.press('Tab');
    const name = await focused(page);
    if (name === 'body' || name === stops[0]?.name) return stops;
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement as Element);
      return style.outlineStyle === 'none' ? 0 : Number.parseFloat(style.outlineWidth);
    });
    stops.push({ name, outline });
  }
  return stops;
}
