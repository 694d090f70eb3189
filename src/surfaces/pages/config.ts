/**
 * The hosted pages' settings: whether they are served at all, and the branding a team gives them without forking
 * (product name, accent colour, logo, and any text per language). Files named here are read and checked at start-up,
 * so a typo in a key or a logo too large stops the service with the setting named, not a broken page later.
 * @module
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { z } from 'zod';
import { defineConfig } from '../../kernel/config/fragment.js';
import { boolean } from '../../kernel/config/fields.js';
import { accentProblem, DEFAULT_ACCENT } from './accent.js';
import { parseTextOverrides, type TextOverrides } from './texts/overrides.js';

/** A logo as the pages serve it: the bytes and their type (served same-origin), or a `data:` URI used as is. */
export type PagesLogo = { readonly kind: 'file'; readonly bytes: Buffer; readonly contentType: string } | { readonly kind: 'data'; readonly uri: string };

/** What the pages are configured with. */
export interface PagesConfig {
  /** Serve the pages under `/account/` (sign up, sign in, sign out, forgot, reset, verify). */
  readonly enabled: boolean;
  /** The name the pages show in titles and headings. */
  readonly productName: string;
  /** The accent colour (`#rrggbb`) of buttons, links and focus, checked for contrast with white text. */
  readonly accentColor: string;
  /** The logo above every page, if any. */
  readonly logo: PagesLogo | undefined;
  /** Texts replacing the defaults, per language and key. */
  readonly texts: TextOverrides;
}

/** The logo file types a browser shows in `<img>` and their content types. */
const LOGO_TYPES: Readonly<Record<string, string>> = { '.png': 'image/png', '.svg': 'image/svg+xml', '.webp': 'image/webp', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif' };

/** A logo larger than this would make every page heavy; a logo is a few kilobytes. */
export const LOGO_MAX_BYTES = 100 * 1024;

/** A `data:` URI of an image, base64 or not. */
const DATA_IMAGE_URI = /^data:image\/(png|svg\+xml|webp|jpeg|gif)(;base64)?,[A-Za-z0-9+/=%._~-]+$/;

/** Reads `PAGES_LOGO`: a `data:` URI is kept, a path is read once; anything else is an issue naming the setting. */
function readLogo(text: string | undefined, ctx: z.RefinementCtx): PagesLogo | undefined {
  if (text === undefined || text === '') return undefined;
  if (text.startsWith('data:')) {
    if (DATA_IMAGE_URI.test(text) && text.length <= LOGO_MAX_BYTES * 2) return { kind: 'data', uri: text };
    ctx.addIssue({ code: 'custom', message: 'PAGES_LOGO as a data: URI must be an image (png, svg+xml, webp, jpeg or gif) of at most 100 KiB' });
    return undefined;
  }
  const contentType = LOGO_TYPES[extname(text).toLowerCase()];
  if (contentType === undefined) {
    ctx.addIssue({ code: 'custom', message: `PAGES_LOGO must be a .png, .svg, .webp, .jpg or .gif file, or a data: URI, got ${text}` });
    return undefined;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `PAGES_LOGO ${text} cannot be read: ${(error as Error).message}` });
    return undefined;
  }
  if (bytes.length > LOGO_MAX_BYTES) {
    ctx.addIssue({ code: 'custom', message: `PAGES_LOGO ${text} is ${bytes.length} bytes: keep it under 100 KiB, it is sent with every page` });
    return undefined;
  }
  return { kind: 'file', bytes, contentType };
}

/** Reads `PAGES_TEXTS`, a JSON file of texts per language; unknown languages and keys are issues naming them. */
function readTexts(path: string | undefined, ctx: z.RefinementCtx): TextOverrides {
  if (path === undefined || path === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `PAGES_TEXTS ${path} cannot be read as JSON: ${(error as Error).message}` });
    return {};
  }
  const { overrides, problems } = parseTextOverrides(parsed);
  for (const problem of problems) ctx.addIssue({ code: 'custom', message: `PAGES_TEXTS ${path}: ${problem}` });
  return overrides;
}

/** `PAGES_ENABLED`, `PAGES_PRODUCT_NAME`, `PAGES_ACCENT_COLOR`, `PAGES_LOGO` and `PAGES_TEXTS`. */
export const pagesConfig = defineConfig({
  env: {
    PAGES_ENABLED: boolean('PAGES_ENABLED'),
    PAGES_PRODUCT_NAME: z
      .string()
      .default('Sesame')
      .refine((name) => name.trim() !== '' && name.length <= 60, { message: 'PAGES_PRODUCT_NAME must be 1 to 60 characters' }),
    PAGES_ACCENT_COLOR: z
      .string()
      .default(DEFAULT_ACCENT)
      .superRefine((colour, ctx) => {
        const problem = accentProblem(colour);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `PAGES_ACCENT_COLOR ${problem}` });
      }),
    PAGES_LOGO: z.string().optional().transform(readLogo),
    PAGES_TEXTS: z.string().optional().transform(readTexts),
  },
  defaults: { development: { PAGES_ENABLED: 'true' }, production: { PAGES_ENABLED: 'true' } },
  build: (env): PagesConfig => ({
    enabled: env.PAGES_ENABLED,
    productName: env.PAGES_PRODUCT_NAME.trim(),
    accentColor: env.PAGES_ACCENT_COLOR.toLowerCase(),
    logo: env.PAGES_LOGO,
    texts: env.PAGES_TEXTS,
  }),
});
