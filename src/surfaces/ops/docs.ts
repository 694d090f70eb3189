/**
 * `GET /docs`: a page that renders the OpenAPI document with Swagger UI, for people exploring the API. The page and
 * its scripts, styles and icons are all served by Sesame (the assets @fastify/swagger-ui ships in its `static`
 * directory), so it works offline and trusts no CDN. The plugin itself is not registered: it would need
 * @fastify/swagger loaded at start (which the lazy document avoids) and Fastify cannot add it after start. The assets are
 * read on the page's first request and kept, so a server nobody asks for the page never touches them.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { OPENAPI_PATH } from './openapi.js';

/** Where the page is served; its assets are under `/docs/`. */
export const DOCS_PATH = '/docs';

/**
 * The page's own Content-Security-Policy, in place of the API's `default-src 'none'`: scripts, styles, fonts and the
 * document only from this origin (no inline script, no eval), images also as `data:` URLs (Swagger UI's icons), and,
 * as for every reply, no framing, no plugins, no `<base>` and no form posts.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The assets the page loads, by the name it asks for them: the file in @fastify/swagger-ui's `static` directory and its type. */
const ASSETS: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  'swagger-ui.css': { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
  'favicon-32x32.png': { file: 'favicon-32x32.png', type: 'image/png' },
  'favicon-16x16.png': { file: 'favicon-16x16.png', type: 'image/png' },
};

/**
 * Starts Swagger UI on the document named by the page's `data-openapi` attribute. A file, not an inline script, so
 * the page's CSP can stay `script-src 'self'`; the URL is resolved against the page, so it holds behind a path prefix.
 * The base layout, without the standalone top bar: the bar's only uses are a box to load another site's document
 * (which `connect-src 'self'` forbids anyway) and a logo whose inline `<style>` `style-src 'self'` would block.
 */
const INIT_SCRIPT = `'use strict';
window.addEventListener('load', function () {
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: new URL(root.getAttribute('data-openapi'), document.baseURI).href,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null
  });
});
`;

/** The page: relative URLs throughout (`docs/...` from `/docs`), so it works wherever a proxy mounts Sesame. */
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Sesame API</title>
    <link rel="stylesheet" href="docs/swagger-ui.css">
    <link rel="icon" type="image/png" href="docs/favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="docs/favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui" data-openapi="${OPENAPI_PATH.slice(1)}"></div>
    <script src="docs/swagger-ui-bundle.js"></script>
    <script src="docs/init.js"></script>
  </body>
</html>
`;

/** Reads one of @fastify/swagger-ui's bundled assets; the package is located, not imported, so none of its code runs. */
async function readAsset(file: string): Promise<Buffer> {
  const main = createRequire(import.meta.url).resolve('@fastify/swagger-ui');
  return readFile(join(dirname(main), 'static', file));
}

/** Registers `GET /docs` and its assets (hidden from the document they display). */
export function registerDocs(app: FastifyInstance): void {
  const cache = new Map<string, Promise<Buffer>>();
  app.get(DOCS_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply.header('content-security-policy', DOCS_CSP).type('text/html; charset=utf-8').send(PAGE),
  );
  app.get(`${DOCS_PATH}/init.js`, { schema: { hide: true } }, async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(INIT_SCRIPT));
  app.get<{ Params: { asset: string } }>(`${DOCS_PATH}/:asset`, { schema: { hide: true } }, async (request, reply) => {
    // Only the listed files: the name never reaches the file system, so no path can be walked out of the directory.
    const asset = Object.hasOwn(ASSETS, request.params.asset) ? ASSETS[request.params.asset] : undefined;
    if (asset === undefined) return reply.callNotFound();
    let content = cache.get(asset.file);
    if (content === undefined) {
      content = readAsset(asset.file);
      cache.set(asset.file, content);
      // A failed read is answered as one (500) and tried again on the next request.
      content.catch(() => cache.delete(asset.file));
    }
    return reply.type(asset.type).send(await content);
  });
}
