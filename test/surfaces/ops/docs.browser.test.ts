/**
 * A real browser (Debian's Chromium driven by playwright-core) proves what the header-level tests of /docs cannot:
 * that Swagger UI really renders every operation under the page's tight CSP, with no violation, no script error and
 * no request leaving Sesame's origin. Skipped with the reason when /usr/bin/chromium is missing; under CI=true that
 * fails instead.
 * @module
 */
import { chromium } from 'playwright-core';
import { expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, describeBrowser } from '../../support/browser.js';
import { startService } from '../../support/in-process.js';

const TITLE = 'the /docs page in a browser';

describeBrowser(TITLE, () => {
  it('renders every operation of /openapi.json, with no CSP violation, no error and nothing fetched from elsewhere', async () => {
    const service = await startService();
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      await page.goto(`${service.url}/docs`);
      await page.waitForSelector('.opblock', { timeout: 20_000 });
      const document = (await (await fetch(`${service.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      const operations = Object.values(document.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
      expect(await page.locator('.opblock').count()).toBe(operations);
      expect(await page.locator('.info .title').first().textContent()).toContain('Sesame');
      expect(problems).toEqual([]);
      expect(requested).toContain(`${service.url}/openapi.json`);
      for (const url of requested) expect(new URL(url).origin, url).toBe(service.url);
    } finally {
      await browser.close();
      await service.stop();
    }
  }, 60_000);
});
