/**
 * The browser harness: Debian's Chromium driven by playwright-core (which downloads no browser of its own), with the
 * flags every browser test uses, and a `describe` that skips with the reason where Chromium is missing and fails under
 * CI=true instead, so a CI machine without it cannot pass by skipping.
 * @module
 */
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';
import { isCi } from './engines.js';

/** Debian's package (`apt-get install -y chromium`; .ci/run installs it where missing). */
export const CHROMIUM = '/usr/bin/chromium';

/** No sandbox because CI runs as root in a container; the rest keeps a headless start quiet and quick. */
export const CHROMIUM_ARGS: readonly string[] = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Defines a browser suite: skipped with the reason where Chromium is missing, except under CI, where it then fails. */
export function describeBrowser(title: string, body: () => void): void {
  const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium)`;
  if (missing !== undefined && !isCi) {
    console.warn(`[browser] skipping ${title}: ${missing}`);
    describe.skip(`${title} (skipped: ${missing})`, () => {
      it('needs Chromium', () => undefined);
    });
    return;
  }
  describe(title, body);
}
