/**
 * The hosted pages' audit, shared by the browser suites that check pages (the sign-in pages, the account pages):
 * reach a state in a fresh tab, then axe-core (through `@axe-core/playwright`, WCAG 2.0, 2.1 and 2.2 A and AA rules)
 * must find no serious or critical violation at 320 CSS px; what axe cannot judge is measured: an error summary has
 * the focus on arrival, the tab order follows the reading order from there, every stop draws a visible outline, the
 * page reflows at 320 px (WCAG 1.4.10), and every control is at least 24 by 24 CSS px or spaced as WCAG 2.5.8
 * allows. Each state is photographed at 320, 375 and 1280 px into `screenshots/` (git-ignored); `DOCS_SCREENSHOTS=1`
 * also writes the widths a state names into `docs/screenshots/`.
 * @module
 */
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page, Response } from 'playwright-core';
import { expect } from 'vitest';
import { focused, heading, tabOrder, type TabStop } from './pages-browser.js';

/** The rule sets checked: WCAG 2.0, 2.1 and 2.2 at levels A and AA (best practices are run and reported, not enforced). */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** The widths photographed; the narrowest is WCAG's reflow width. */
const WIDTHS = [320, 375, 1280] as const;

/** A short viewport: a full-page screenshot then holds the page and little empty space below it. */
export const VIEWPORT_HEIGHT = 600;

/** Where every run's screenshots and report go (git-ignored). */
export const SCREENSHOTS = join(process.cwd(), 'screenshots');

/** Where `DOCS_SCREENSHOTS=1` writes the few README shows (committed). */
export const DOCS_SCREENSHOTS = join(process.cwd(), 'docs', 'screenshots');

/** WCAG 2.5.8's minimum target size, in CSS px. */
const MIN_TARGET = 24;

/** One state of one page, and how a fresh tab reaches it. */
export interface PageState {
  /** File name stem of its screenshots. */
  readonly slug: string;
  /** What the test is called. */
  readonly name: string;
  /** The status the page is served with. */
  readonly status: number;
  /** Its heading, to be sure the state reached is the one meant. */
  readonly heading: string;
  /** Widths also written into docs/screenshots/ under DOCS_SCREENSHOTS=1. */
  readonly docs?: readonly number[];
  readonly reach: (page: Page) => Promise<void>;
}

/**
 * axe runs at the narrowest width only: the wider layouts are the same markup and colours with more padding, and 320 px
 * is where target spacing and reflow are tightest. (A run takes seconds on a busy machine; 36 states are enough.)
 */
const AXE_WIDTH = 320;

/** The width of the focus outline the stylesheet draws, in CSS px (WCAG 2.4.7 asks that focus be visible). */
const FOCUS_OUTLINE = 3;

/** One axe finding, as the report lists it. */
interface Finding {
  readonly id: string;
  readonly impact: string;
  readonly targets: string;
  readonly wcag: boolean;
}

/** What one axe run found. */
interface AxeRun {
  readonly violations: readonly Finding[];
  /** Rules axe could not decide alone ("needs review"). */
  readonly incomplete: readonly Finding[];
  readonly passes: number;
}

/** A link or button smaller than 24 × 24, and whether WCAG's spacing or inline exception covers it. */
interface SmallTarget {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** Its 24 px circle touches no other target nor another small target's circle. */
  readonly spaced: boolean;
  /** It sits in a sentence of other text. */
  readonly inline: boolean;
}

/** What the report says about one state. */
export interface Measured {
  readonly state: PageState;
  readonly htmlBytes: number;
  readonly cssBytes: number;
  readonly axe: AxeRun;
  readonly arrival: string;
  readonly tabOrder: readonly TabStop[];
  readonly small: readonly SmallTarget[];
  readonly scrollWidth: number;
}


/** Reaches `state` in `page`, then checks, measures and photographs it. */
export async function auditPage(page: Page, state: PageState): Promise<Measured> {
  let served: Response | undefined;
  let css: Response | undefined;
  page.on('response', (response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) served = response;
    if (response.request().resourceType() === 'stylesheet') css = response;
  });
  await state.reach(page);
  expect(served?.status()).toBe(state.status);
  expect(await heading(page)).toBe(state.heading);
  const htmlBytes = (await (served as Response).body()).length;
  const cssBytes = css === undefined ? 0 : (await css.body()).length;
  expect(cssBytes).toBeGreaterThan(0);

  // An error summary takes the focus on arrival (`autofocus`, no script), so it is read first.
  const arrival = await focused(page);
  expect(await page.evaluate(() => document.querySelector('[autofocus]') === document.activeElement || document.querySelector('[autofocus]') === null)).toBe(true);

  let run: AxeRun | undefined;
  let small: SmallTarget[] = [];
  let scrollWidth = 0;
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: VIEWPORT_HEIGHT });
    await page.screenshot({ path: join(SCREENSHOTS, `${state.slug}-${width}.png`), fullPage: true });
    if (process.env['DOCS_SCREENSHOTS'] === '1' && state.docs?.includes(width) === true) {
      await page.screenshot({ path: join(DOCS_SCREENSHOTS, `${state.slug}-${width}.png`), fullPage: true });
    }
    if (width === AXE_WIDTH) {
      run = await axe(page);
      scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      small = await smallTargets(page);
    }
  }
  const order = await tabOrder(page);
  const expected = await readingOrder(page);

  expect(run?.passes).toBeGreaterThan(0);
  const blocking = (run?.violations ?? []).filter((finding) => finding.wcag && (finding.impact === 'serious' || finding.impact === 'critical'));
  expect(blocking).toEqual([]);
  // Reflow (WCAG 1.4.10): at 320 CSS px nothing needs a horizontal scroll.
  expect(scrollWidth).toBeLessThanOrEqual(320);
  // Target size (WCAG 2.5.8): 24 × 24 CSS px, or spaced, or a link within a sentence.
  expect(small.filter((target) => !target.spaced && !target.inline)).toEqual([]);
  // Focus order (WCAG 2.4.3): Tab visits the controls in reading order from where the page put the focus ...
  expect(order.map((stop) => stop.name)).toEqual(expected);
  // ... and each stop is outlined (WCAG 2.4.7).
  expect(order.filter((stop) => stop.outline < FOCUS_OUTLINE)).toEqual([]);
  return { state, htmlBytes, cssBytes, axe: run as AxeRun, arrival, tabOrder: order, small, scrollWidth };
}

/** Runs axe on the page as it is (the WCAG rules, and best practices for the report). */
async function axe(page: Page): Promise<AxeRun> {
  const results = await new AxeBuilder({ page }).withTags([...WCAG_TAGS, 'best-practice']).analyze();
  const findings = (list: typeof results.violations): Finding[] =>
    list.map((rule) => ({
      id: rule.id,
      impact: rule.impact ?? 'none',
      targets: rule.nodes.map((node) => node.target.join(' ')).join(', '),
      wcag: rule.tags.some((tag) => WCAG_TAGS.includes(tag)),
    }));
  return { violations: findings(results.violations), incomplete: findings(results.incomplete), passes: results.passes.length };
}

/**
 * The page's focusable controls in document order, named as `focused` names them, from the one after the element
 * that holds the focus on arrival (an error summary takes it) or from the top: what Tab should visit.
 */
function readingOrder(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const text = (node: Node | null): string => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
    const name = (element: Element): string => {
      if (element instanceof HTMLInputElement || element instanceof HTMLSelectElement) {
        const label = element.labels?.[0];
        const own = label === undefined ? '' : [...label.childNodes].filter((node) => !(node instanceof HTMLElement && node.classList.contains('req'))).map(text).join(' ').trim();
        return `${element.tagName.toLowerCase()} "${own}"`;
      }
      if (element instanceof HTMLButtonElement) return `button "${text(element)}"`;
      return `link "${text(element)}"`;
    };
    const controls = [...document.querySelectorAll('a[href], button, input:not([type="hidden"]), select, [autofocus]')];
    const start = controls.findIndex((element) => element.hasAttribute('autofocus'));
    return controls
      .slice(start + 1)
      .filter((element) => !element.hasAttribute('autofocus'))
      .map(name);
  });
}

/**
 * The links and buttons under 24 × 24 CSS px, each with whether WCAG 2.5.8's exceptions cover it: spacing (a 24 px
 * circle on its centre meets no other target and no other small target's circle) or inline (a link in a sentence).
 */
function smallTargets(page: Page): Promise<SmallTarget[]> {
  return page.evaluate((min) => {
    const targets = [...document.querySelectorAll('a[href], button, input:not([type="hidden"]), select')].map((element) => ({ element, box: element.getBoundingClientRect() }));
    const isSmall = (box: DOMRect): boolean => box.width < min || box.height < min;
    const centre = (box: DOMRect): [number, number] => [box.left + box.width / 2, box.top + box.height / 2];
    const distanceToBox = ([x, y]: [number, number], box: DOMRect): number => Math.hypot(Math.max(box.left - x, 0, x - box.right), Math.max(box.top - y, 0, y - box.bottom));
    return targets
      .filter(({ box }) => isSmall(box))
      .map(({ element, box }) => {
        const c = centre(box);
        const spaced = targets.every(({ element: other, box: otherBox }) => {
          if (other === element) return true;
          if (distanceToBox(c, otherBox) < min / 2) return false;
          if (!isSmall(otherBox)) return true;
          const [ox, oy] = centre(otherBox);
          return Math.hypot(ox - c[0], oy - c[1]) >= min;
        });
        const block = element.closest('p, li');
        const inline = block !== null && (block.textContent ?? '').trim().length > (element.textContent ?? '').trim().length;
        return { name: `${element.tagName.toLowerCase()} "${(element.textContent ?? '').trim()}"`, width: Math.round(box.width * 10) / 10, height: Math.round(box.height * 10) / 10, spaced, inline };
      });
  }, MIN_TARGET);
}

/** The report (`title` names the suite): per state its weight, axe findings of every impact, tab order and small targets. */
export function auditReport(title: string, all: readonly Measured[]): string {
  const lines = [
    `# ${title}: accessibility and weight report`,
    '',
    `axe-core at ${AXE_WIDTH} px, rules tagged ${WCAG_TAGS.join(', ')} (enforced: no serious or critical violation) and best-practice (reported).`,
    'Bytes are as served (no compression): the page\'s HTML and its one stylesheet.',
    '',
    '| State | Status | HTML bytes | CSS bytes | Total | axe violations (WCAG) | axe violations (best practice) | axe needs review | scrollWidth at 320 |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const list = (findings: readonly Finding[]): string => (findings.length === 0 ? 'none' : findings.map((finding) => `${finding.id} (${finding.impact})`).join('; '));
  for (const { state, htmlBytes, cssBytes, axe: run, scrollWidth } of all) {
    lines.push(
      `| ${state.slug} | ${state.status} | ${htmlBytes} | ${cssBytes} | ${htmlBytes + cssBytes} | ${list(run.violations.filter((f) => f.wcag))} | ${list(run.violations.filter((f) => !f.wcag))} | ${list(run.incomplete)} | ${scrollWidth} |`,
    );
  }
  lines.push('', '## Focus on arrival, then the tab order (each stop\'s outline in px)', '');
  for (const { state, arrival, tabOrder: order } of all) lines.push(`- ${state.slug}: [${arrival}] ${order.map((stop) => `${stop.name} (${stop.outline})`).join(' → ')}`);
  lines.push('', '## Targets under 24 × 24 CSS px at 320 px', '');
  for (const { state, small } of all) {
    for (const target of small) lines.push(`- ${state.slug}: ${target.name} ${target.width} × ${target.height}${target.spaced ? ', spaced' : ''}${target.inline ? ', inline' : ''}`);
  }
  lines.push('', '## axe findings in detail', '');
  for (const { state, axe: run } of all) {
    for (const finding of run.violations) lines.push(`- ${state.slug}: violation ${finding.id} (${finding.impact}) on ${finding.targets}`);
    for (const finding of run.incomplete) lines.push(`- ${state.slug}: needs review ${finding.id} (${finding.impact}) on ${finding.targets}`);
  }
  return `${lines.join('\n')}\n`;
}
