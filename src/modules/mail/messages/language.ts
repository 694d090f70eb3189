/**
 * Which language a message is written in: the languages Sesame has wording for, and the choice of one from a
 * browser's `Accept-Language` header, so an account can be given a language at sign-up without asking.
 * @module
 */

/** A language Sesame writes its messages in. */
export type Language = 'en' | 'fr';

/** Every language with wording, the fallback (English) first. */
export const LANGUAGES: readonly Language[] = Object.freeze(['en', 'fr'] as const);

/** Whether `value` names a language Sesame writes in, exactly (`'fr'`, not `'fr-CA'` or `'FR'`). */
export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/** Past this length a header is junk or an attack, and parsing it would only cost time. */
const MAX_HEADER_LENGTH = 1000;

/** A language range (`fr`, `fr-CA`, `zh-Hant-TW`) or `*`, as RFC 4647 spells them. */
const RANGE = /^(?:\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*)$/;

/** An RFC 9110 weight: `q=` and a value from 0 to 1 with at most three decimals. */
const WEIGHT = /^q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** How much the reader wants one of our languages, and where in the header they said so (earlier wins a tie). */
interface Preference {
  readonly q: number;
  readonly position: number;
}

/** One usable entry of the header. */
interface Entry {
  readonly range: string;
  readonly q: number;
  readonly position: number;
}

/** The usable entries of the header; a malformed one is skipped, as if the client had not sent it. */
function entries(header: string): Entry[] {
  const out: Entry[] = [];
  header.split(',').forEach((part, position) => {
    // `split` always returns at least one piece: the range.
    const [range, ...params] = part.split(';').map((piece) => piece.trim().toLowerCase()) as [string, ...string[]];
    if (!RANGE.test(range)) return;
    let q = 1;
    for (const param of params) {
      const weight = WEIGHT.exec(param.replace(/\s/g, ''));
      if (weight === null) {
        // A range with a broken weight has no known weight: dropping it beats guessing "fully wanted".
        if (/^q\s*=/.test(param)) return;
        continue;
      }
      q = Number(weight[1]);
    }
    out.push({ range, q, position });
  });
  return out;
}

/**
 * How much the header wants `language`. The bare tag (`fr`) says it best; failing that the best of its regional
 * ranges (`fr-CA`), since French wording suits a Canadian reader better than English; failing that `*`.
 */
function preferenceFor(language: Language, list: readonly Entry[]): Preference | undefined {
  const exact = list.find((entry) => entry.range === language);
  if (exact !== undefined) return exact;
  let best: Entry | undefined;
  for (const entry of list) {
    if (entry.range.startsWith(`${language}-`) && (best === undefined || entry.q > best.q)) best = entry;
  }
  return best ?? list.find((entry) => entry.range === '*');
}

/**
 * The language to write to a reader whose browser sent `acceptLanguage` (RFC 9110 §12.5.4): the most wanted of ours,
 * the earlier-listed on a tie; `q=0` refuses a language. Anything unusable (absent, junk, over 1000 characters, only
 * languages we lack, only refusals) gives English. Never throws: the header is whatever a client chose to send.
 */
export function negotiateLanguage(acceptLanguage: string | undefined): Language {
  if (acceptLanguage === undefined || acceptLanguage.length > MAX_HEADER_LENGTH) return 'en';
  const list = entries(acceptLanguage);
  let chosen: Language = 'en';
  let best: Preference | undefined;
  for (const language of LANGUAGES) {
    const preference = preferenceFor(language, list);
    if (preference === undefined || preference.q <= 0) continue;
    if (best === undefined || preference.q > best.q || (preference.q === best.q && preference.position < best.position)) {
      chosen = language;
      best = preference;
    }
  }
  return chosen;
}
