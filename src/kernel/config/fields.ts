/**
 * Zod fields for environment settings (durations, whole numbers, booleans, word lists), each refusing a bad value
 * with a message that names the setting and the accepted forms.
 * @module
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';

/** A duration setting (`90s`, `15m`, `7d`; a bare number is seconds), parsed to milliseconds; zero only where it means "none". */
export function duration(name: string, fallback?: string, options: { readonly allowZero?: boolean } = {}) {
  const allowZero = options.allowZero === true;
  return z
    .string()
    .default(fallback ?? '')
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === null || ms < (allowZero ? 0 : 1)) {
        const what = allowZero ? 'a duration (0 for none)' : 'a positive duration';
        ctx.addIssue({ code: 'custom', message: `${name} must be ${what} like 3600, 90s, 15m, 12h or 7d` });
        return z.NEVER;
      }
      return ms;
    });
}

/** A whole number in a range. */
export function integer(name: string, min: number, max: number, fallback?: number) {
  return z
    .string()
    .default(String(fallback ?? ''))
    .transform((text, ctx) => {
      const value = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
      if (!Number.isInteger(value) || value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return value;
    });
}

/** A true/false setting (`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`). */
export function boolean(name: string) {
  return z.string().transform((text, ctx) => {
    const value = text.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    ctx.addIssue({ code: 'custom', message: `${name} must be true or false` });
    return z.NEVER;
  });
}

/** One of a fixed set of words. */
export function oneOf<const T extends readonly [string, ...string[]]>(name: string, values: T) {
  return z.enum(values, { message: `${name} must be one of ${values.join(', ')}` });
}
