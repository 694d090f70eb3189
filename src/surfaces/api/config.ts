/**
 * The JSON API surface's settings: which origins may send state-changing requests.
 * @module
 */
import { z } from 'zod';
import { ConfigError } from '../../kernel/config/compose.js';
import { defineConfig } from '../../kernel/config/fragment.js';
import { boolean } from '../../kernel/config/fields.js';

/** Where clients reach Sesame, from `PUBLIC_URL`. */
export interface PublicUrl {
  /** The whole URL, without a trailing slash (`https://example.com/auth`). */
  readonly href: string;
  /** Its origin (`https://example.com`): what browsers send in `Origin` from Sesame's own pages. */
  readonly origin: string;
}

/** What the API surface is configured with. */
export interface ApiConfig {
  /** Where clients reach Sesame, when configured; the cross-site check compares `Origin` with it. */
  readonly publicUrl: PublicUrl | undefined;
  /** Refuse cross-site state-changing requests. */
  readonly csrfProtection: boolean;
  /** Origins allowed to send state-changing requests besides the service's own, which is always allowed. */
  readonly trustedOrigins: readonly string[];
}

/** `CSRF_PROTECTION` and `TRUSTED_ORIGINS`. */
export const apiConfig = defineConfig({
  env: {
    PUBLIC_URL: z
      .string()
      .optional()
      .transform((text, ctx): PublicUrl | undefined => {
        if (text === undefined) return undefined;
        let url: URL;
        try {
          url = new URL(text);
        } catch {
          url = new URL('invalid:');
        }
        if (!['http:', 'https:'].includes(url.protocol) || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
          ctx.addIssue({ code: 'custom', message: `PUBLIC_URL must be the http(s) URL clients reach Sesame at, like https://example.com/auth (no query, fragment or credentials), got ${text}` });
          return z.NEVER;
        }
        return { href: url.href.replace(/\/+$/, ''), origin: url.origin };
      }),
    CSRF_PROTECTION: boolean('CSRF_PROTECTION'),
    TRUSTED_ORIGINS: z
      .string()
      .default('')
      .transform((text, ctx) => {
        const origins = text.split(',').map((o) => o.trim()).filter((o) => o !== '');
        for (const origin of origins) {
          if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
            ctx.addIssue({ code: 'custom', message: `TRUSTED_ORIGINS entries must look like https://app.example.com (no path), got ${origin}` });
          }
        }
        return origins;
      }),
  },
  defaults: { development: { CSRF_PROTECTION: 'true' }, production: { CSRF_PROTECTION: 'true' } },
  build: (env): ApiConfig => ({ publicUrl: env.PUBLIC_URL, csrfProtection: env.CSRF_PROTECTION, trustedOrigins: env.TRUSTED_ORIGINS }),
  refuseInProduction(api) {
    const problems: string[] = [];
    if (!api.csrfProtection) problems.push('set CSRF_PROTECTION=true: without it another site can log a browser in or out');
    if (api.publicUrl === undefined) {
      problems.push(
        'set PUBLIC_URL to where clients reach Sesame (https://example.com/auth): without it the cross-site check trusts the Host header, which a DNS-rebinding page controls',
      );
    } else if (!api.publicUrl.href.startsWith('https://')) {
      problems.push('set PUBLIC_URL to an https:// URL: the session cookie is Secure, so browsers only send it over HTTPS');
    }
    return problems;
  },
});

/** A mount prefix as Fastify applies it: a leading slash, no trailing one, `''` at the root. */
export function normalizedPrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/\/+$/, '');
  return trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/**
 * Where mailed links point, so that `/account/reset` and `/account/verify` after it reach Sesame's pages. `PUBLIC_URL`
 * names where clients reach the application; a host that mounts Sesame under a prefix (`/auth`) gives either the
 * origin alone, and the prefix is appended, or the origin with the prefix as its path. Any other path is refused: the
 * links would point to pages that do not exist (404), and nobody could finish signing up or resetting. At the root
 * (the standalone server), the path is taken as it is, since a proxy may map it to Sesame's `/`. Without `PUBLIC_URL`
 * the links use `fallback` (the standalone server's own address).
 */
export function mailLinkBase(publicUrl: PublicUrl | undefined, mountPrefix: string | undefined, fallback: string): string {
  const prefix = normalizedPrefix(mountPrefix);
  if (publicUrl === undefined) return fallback;
  const path = publicUrl.href.slice(publicUrl.origin.length);
  if (path === '') return `${publicUrl.href}${prefix}`;
  if (prefix === '' || path === prefix) return publicUrl.href;
  throw new ConfigError([
    `PUBLIC_URL ${publicUrl.href} has the path ${path}, but Sesame is mounted at ${prefix}: set PUBLIC_URL to ${publicUrl.origin} (the prefix is appended) ` +
      `or ${publicUrl.origin}${prefix}, so that mailed links reach its pages`,
  ]);
}
