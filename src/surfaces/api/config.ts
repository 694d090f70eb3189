/**
 * The JSON API surface's settings: which origins may send state-changing requests.
 * @module
 */
import { z } from 'zod';
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
