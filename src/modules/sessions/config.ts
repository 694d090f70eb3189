/**
 * The sessions module's settings: lifetimes and the cookie. The options built here are the very options the session
 * service and the session cookie take.
 * @module
 */
import { z } from 'zod';
import { defineConfig } from '../../kernel/config/fragment.js';
import { boolean, duration } from '../../kernel/config/fields.js';
import { parseDuration } from '../../kernel/config/duration.js';
import type { SessionCookieSettings } from './http/cookie.js';

/** What the session service and cookie need to know. */
export interface SessionsConfig {
  /** How long a session lives after login, in ms; also the cookie's Max-Age. */
  readonly ttlMs: number;
  /** A session unused this long ends (ASVS V7.3.1); 0: only the absolute lifetime applies. */
  readonly idleTimeoutMs: number;
  /** The cookie's name, whether it is `Secure`, and its `SameSite` when not the default `lax`. */
  readonly cookie: Omit<SessionCookieSettings, 'ttlMs'>;
}

/** `SESSION_TTL`, `SESSION_IDLE_TIMEOUT`, `COOKIE_SECURE`, `COOKIE_NAME`, `COOKIE_SAMESITE`. */
export const sessionsConfig = defineConfig({
  env: {
    SESSION_TTL: duration('SESSION_TTL', '7d'),
    SESSION_IDLE_TIMEOUT: z
      .string()
      .default('off')
      .transform((text, ctx) => {
        if (['off', '0'].includes(text.trim().toLowerCase())) return 0;
        const ms = parseDuration(text);
        if (ms === null || ms < 60_000) {
          ctx.addIssue({ code: 'custom', message: 'SESSION_IDLE_TIMEOUT must be off or a duration of at least 1m, like 30m or 1h' });
          return z.NEVER;
        }
        return ms;
      }),
    COOKIE_SECURE: boolean('COOKIE_SECURE'),
    COOKIE_NAME: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'COOKIE_NAME may hold letters, digits, _ . and - only'),
    // Unset stays unset (lax): a single-page application on another site is the one reason to loosen it.
    COOKIE_SAMESITE: z
      .string()
      .optional()
      .transform((text, ctx): 'lax' | 'strict' | 'none' | undefined => {
        if (text === undefined || text.trim() === '') return undefined;
        const value = text.trim().toLowerCase();
        if (value === 'lax' || value === 'strict' || value === 'none') return value;
        ctx.addIssue({ code: 'custom', message: `COOKIE_SAMESITE must be lax, strict or none, got ${text}` });
        return z.NEVER;
      }),
  },
  defaults: {
    development: { COOKIE_SECURE: 'false', COOKIE_NAME: 'session_id' },
    production: { COOKIE_SECURE: 'true', COOKIE_NAME: '__Host-session_id' },
  },
  build: (env): SessionsConfig => ({
    ttlMs: env.SESSION_TTL,
    idleTimeoutMs: env.SESSION_IDLE_TIMEOUT,
    cookie: { name: env.COOKIE_NAME, secure: env.COOKIE_SECURE, ...(env.COOKIE_SAMESITE === undefined ? {} : { sameSite: env.COOKIE_SAMESITE }) },
  }),
  check(sessions) {
    const problems: string[] = [];
    if (sessions.idleTimeoutMs >= sessions.ttlMs) problems.push('SESSION_IDLE_TIMEOUT must be shorter than SESSION_TTL (or off)');
    const { name, secure, sameSite } = sessions.cookie;
    if ((name.startsWith('__Host-') || name.startsWith('__Secure-')) && !secure) {
      problems.push(`COOKIE_NAME=${name} needs COOKIE_SECURE=true: browsers drop a prefixed cookie that is not Secure`);
    }
    if (sameSite === 'none' && !secure) {
      problems.push('COOKIE_SAMESITE=none needs COOKIE_SECURE=true: browsers drop a SameSite=None cookie that is not Secure');
    }
    return problems;
  },
  refuseInProduction: (sessions) =>
    sessions.cookie.secure ? [] : ['set COOKIE_SECURE=true: without it the session cookie travels over plain HTTP'],
});
