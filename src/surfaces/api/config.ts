/**
 * The JSON API surface's settings: which origins may send state-changing requests.
 * @module
 */
import { z } from 'zod';
import { defineConfig } from '../../kernel/config/fragment.js';
import { boolean } from '../../kernel/config/fields.js';

/** What the API surface is configured with. */
export interface ApiConfig {
  /** Refuse cross-site state-changing requests. */
  readonly csrfProtection: boolean;
  /** Origins allowed to send state-changing requests; empty means only the service's own origin. */
  readonly trustedOrigins: readonly string[];
}

/** `CSRF_PROTECTION` and `TRUSTED_ORIGINS`. */
export const apiConfig = defineConfig({
  env: {
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
  build: (env): ApiConfig => ({ csrfProtection: env.CSRF_PROTECTION, trustedOrigins: env.TRUSTED_ORIGINS }),
  refuseInProduction: (api) => (api.csrfProtection ? [] : ['set CSRF_PROTECTION=true: without it another site can log a browser in or out']),
});
