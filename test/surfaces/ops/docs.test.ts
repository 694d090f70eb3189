// GET /docs: a Swagger UI page on /openapi.json whose every script, style and icon Sesame serves itself (no CDN),
// under a CSP of its own that allows only same-origin scripts; off with the document when OPENAPI_ENABLED is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_CSP } from '../../../src/surfaces/ops/docs.js';
import { startService, type Service } from '../../support/in-process.js';

let app: Service;
let page: Response;
let html: string;
beforeAll(async () => {
  app = await startService();
  page = await fetch(`${app.url}/docs`);
  html = await page.text();
});
afterAll(async () => {
  await app.stop();
});

/** Every URL the page loads (`src` and `href`), resolved against the page. */
function loadedUrls(): URL[] {
  return [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => new URL(match[1] ?? '', `${app.url}/docs`));
}

describe('GET /docs', () => {
  it('answers an HTML page under its own same-origin CSP', () => {
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(DOCS_CSP);
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toEqual(["'self'"]);
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-|https?:|\*/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('loads its scripts, styles and icons from Sesame itself, and no inline script', async () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    const urls = loadedUrls();
    expect(urls.length).toBeGreaterThanOrEqual(4);
    expect(urls.map((u) => u.pathname)).toEqual(expect.arrayContaining(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/init.js']));
    for (const url of urls) {
      expect(url.origin, url.href).toBe(app.url);
      const response = await fetch(url);
      expect(response.status, url.href).toBe(200);
      const type = response.headers.get('content-type') ?? '';
      if (url.pathname.endsWith('.js')) expect(type, url.href).toMatch(/^text\/javascript/);
      if (url.pathname.endsWith('.css')) expect(type, url.href).toMatch(/^text\/css/);
      if (url.pathname.endsWith('.png')) expect(type, url.href).toBe('image/png');
      expect((await response.arrayBuffer()).byteLength, url.href).toBeGreaterThan(100);
    }
    const bundle = await (await fetch(`${app.url}/docs/swagger-ui-bundle.js`)).text();
    expect(bundle).toContain('SwaggerUIBundle');
  });

  it('renders /openapi.json, with no call to an outside validator', async () => {
    const source = /data-openapi="([^"]+)"/.exec(html)?.[1];
    expect(new URL(source ?? '', `${app.url}/docs`).href).toBe(`${app.url}/openapi.json`);
    const init = await (await fetch(`${app.url}/docs/init.js`)).text();
    expect(init).toContain("getAttribute('data-openapi')");
    expect(init).toContain('validatorUrl: null');
  });

  it('serves only its listed assets', async () => {
    for (const path of ['/docs/index.html', '/docs/..%2Fpackage.json', '/docs/%2e%2e%2f%2e%2e%2fpackage.json', '/docs/oauth2-redirect.html', '/docs/constructor']) {
      expect((await fetch(`${app.url}${path}`)).status, path).toBe(404);
    }
  });

  it('is not in the document it renders', async () => {
    const document = (await (await fetch(`${app.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/docs'))).toEqual([]);
  });
});

describe('OPENAPI_ENABLED=false', () => {
  it('serves neither the page, its assets nor the document', async () => {
    const service = await startService({ OPENAPI_ENABLED: 'false' });
    try {
      for (const path of ['/docs', '/docs/swagger-ui-bundle.js', '/docs/init.js', '/openapi.json']) {
        expect((await fetch(`${service.url}${path}`)).status, path).toBe(404);
      }
    } finally {
      await service.stop();
    }
  });
});
