/**
 * What the pages load besides themselves: the stylesheet, the sign-up page's script and, when branded with a file,
 * the logo. All are served
 * same-origin under URLs carrying a hash of their content, so they can be cached for a year (`immutable`) while a
 * change of colour or logo is a new URL; everything else the pages answer stays `no-store`.
 * @module
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { PagesConfig } from './config.js';
import { SIGNUP_SCRIPT } from './signup-script.js';
import { stylesheet } from './stylesheet.js';

/** One served file. */
interface Asset {
  /** The path under `/account/assets/`, hash included. */
  readonly name: string;
  readonly body: Buffer;
  readonly contentType: string;
}

/** The pages' files and the URLs a page refers to them by (relative to `/account/...`, so any mount prefix works). */
export interface PageAssets {
  /** The stylesheet's href, relative to a page under `/account/`. */
  readonly stylesheetHref: string;
  /** The sign-up page's script (the challenge solver), relative to a page under `/account/`. */
  readonly signupScriptSrc: string;
  /** The logo's `src`: a relative URL, a `data:` URI, or undefined without a logo. */
  readonly logoSrc: string | undefined;
  /** The files, by name. */
  readonly files: ReadonlyMap<string, Asset>;
}

/** The cache policy of a hashed asset: a year, and never revalidated (its URL changes with its content). */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** The first 16 hex digits of SHA-256: enough to tell versions apart, short in a URL. */
function hashOf(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}

/** Builds the assets of a configuration once, at start-up. */
export function buildAssets(config: Pick<PagesConfig, 'accentColor' | 'logo'>): PageAssets {
  const files = new Map<string, Asset>();
  const css = Buffer.from(stylesheet(config.accentColor), 'utf8');
  const cssName = `sesame.${hashOf(css)}.css`;
  files.set(cssName, { name: cssName, body: css, contentType: 'text/css; charset=utf-8' });
  const script = Buffer.from(SIGNUP_SCRIPT, 'utf8');
  const scriptName = `signup.${hashOf(script)}.js`;
  files.set(scriptName, { name: scriptName, body: script, contentType: 'text/javascript; charset=utf-8' });
  let logoSrc: string | undefined;
  if (config.logo?.kind === 'file') {
    const extension = config.logo.contentType.replace('image/', '').replace('+xml', '').replace('jpeg', 'jpg');
    const logoName = `logo.${hashOf(config.logo.bytes)}.${extension}`;
    files.set(logoName, { name: logoName, body: config.logo.bytes, contentType: config.logo.contentType });
    logoSrc = `assets/${logoName}`;
  } else if (config.logo?.kind === 'data') {
    logoSrc = config.logo.uri;
  }
  return { stylesheetHref: `assets/${cssName}`, signupScriptSrc: `assets/${scriptName}`, logoSrc, files };
}

/** Registers `GET /account/assets/:name`: a known file with a year's cache, anything else 404. */
export function assetRoutes(app: FastifyInstance, assets: PageAssets): void {
  app.get<{ Params: { name: string } }>(
    '/account/assets/:name',
    { schema: { hide: true, params: { type: 'object', properties: { name: { type: 'string', maxLength: 100 } }, required: ['name'] } } },
    async (request, reply) => {
      const asset = assets.files.get(request.params.name);
      if (asset === undefined) return reply.callNotFound();
      // An SVG opened directly is a document that could run script: a policy of its own forbids it anything.
      return reply
        .header('content-type', asset.contentType)
        .header('cache-control', ASSET_CACHE_CONTROL)
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
        .header('x-content-type-options', 'nosniff')
        .send(asset.body);
    },
  );
}
