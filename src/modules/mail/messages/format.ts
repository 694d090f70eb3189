/**
 * How the values a message shows are put into words: dates in the reader's language, durations, the masked form of
 * an address, and the cleaning of text an attacker may have chosen (a User-Agent), so no message can be made to lie
 * about its own layout.
 * @module
 */
import type { Language } from './language.js';

/** Longest cleaned untrusted value, in UTF-16 units: a User-Agent rarely needs more, a forged one must not fill the mail. */
export const MAX_UNTRUSTED_LENGTH = 200;

/**
 * `at` (epoch ms) as a reader in `language` writes a date, always in UTC: the service does not know the reader's
 * time zone, and saying "UTC" beats silently using the server's. `30 November 2026, 07:46 UTC`; French writes the
 * first of the month as an ordinal (`1er décembre 2026, 07:46 UTC`).
 */
export function formatDate(at: number, language: Language): string {
  const parts = new Intl.DateTimeFormat(language, {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  // Assembled from parts rather than a locale's own pattern, so both languages share one layout ("at" and "à" differ).
  const part = Object.fromEntries(parts.map(({ type, value }) => [type, value]));
  const day = language === 'fr' && part.day === '1' ? '1er' : part.day;
  return `${day} ${part.month} ${part.year}, ${part.hour}:${part.minute} UTC`;
}

/**
 * A lifetime of `minutes` in words (`30 minutes`, `1 heure`, `24 hours`): whole hours read as hours, since a day-long
 * link shown as "1440 minutes" makes the reader do arithmetic. Intl supplies the plural rules of each language.
 */
export function formatDuration(minutes: number, language: Language): string {
  const hours = minutes >= 60 && minutes % 60 === 0;
  const words = new Intl.NumberFormat(language, { style: 'unit', unit: hours ? 'hour' : 'minute', unitDisplay: 'long' }).format(
    hours ? minutes / 60 : minutes,
  );
  // ICU puts a no-break space in some French units and not others: one plain space keeps the sentences predictable.
  return words.replace(/\s/gu, ' ');
}

/**
 * `address` with its local part hidden but its first character (`jane.doe@example.org` → `j***@example.org`): enough
 * for the owner to recognise the address, too little for anyone else reading over a shoulder or a forwarded mail to
 * learn it. Without an `@` nothing is worth showing, so all is hidden.
 */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '***';
  // By code point, so an address opening with an emoji or an astral letter is not cut mid-character.
  const [first = ''] = Array.from(address.slice(0, at));
  return `${first}***${address.slice(at)}`;
}

/** Control characters, and the invisible ones that reorder or break text (bidi overrides, line separators). */
const INVISIBLE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;

/**
 * Untrusted text (a User-Agent, an IP address as a proxy reported it) made safe to print in a mail: whitespace runs
 * become one space, control and direction-changing characters go (they could forge lines or reverse what the
 * reader sees), and the rest is cut to {@link MAX_UNTRUSTED_LENGTH} UTF-16 units without splitting a character.
 * Undefined when nothing is left, so the line is left out rather than shown empty. HTML escaping is still the
 * layout's job.
 */
export function cleanUntrusted(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = value.replace(/\s+/gu, ' ').replace(INVISIBLE, '').trim();
  let out = '';
  for (const character of cleaned) {
    if (out.length + character.length > MAX_UNTRUSTED_LENGTH) break;
    out += character;
  }
  out = out.trimEnd();
  return out === '' ? undefined : out;
}

/** The host of `baseUrl`, for naming the service in a sentence; the URL itself when it does not parse. */
export function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}
