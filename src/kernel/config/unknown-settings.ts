/**
 * Names that are not settings: a misspelt key in a settings object, a `SESAME_*` variable Sesame does not read, or an
 * environment variable one letter away from a setting (`DATABASE_URI`). A typo must not pass silently: the first two
 * stop the start-up, the last is warned about (the environment holds many variables that are none of Sesame's
 * business, so a near miss there may be someone else's).
 * @module
 */

/** The edit distance of two names (insertions, deletions, substitutions and swaps of neighbours), up to `limit`+1. */
export function editDistance(a: string, b: string, limit = 3): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      let best = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = best;
    }
  }
  return Math.min((rows[a.length] as number[])[b.length] as number, limit + 1);
}

/**
 * The setting `name` most likely meant, when one is close enough to be a typo: one edit for names of 6 or 7
 * characters, two from 8; never for shorter names (`HOME` is not a misspelt `HOST`).
 */
export function nearestSetting(name: string, known: readonly string[]): string | undefined {
  const allowed = name.length >= 8 ? 2 : name.length >= 6 ? 1 : 0;
  if (allowed === 0) return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toUpperCase(), candidate, allowed);
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** `unknown setting NAME`, with the likely meant setting when there is one. */
function unknownSetting(name: string, known: readonly string[]): string {
  const meant = nearestSetting(name, known);
  return `unknown setting ${name}${meant === undefined ? '' : ` (did you mean ${meant}?)`}`;
}

/**
 * The names a start-up must refuse: every unknown key of a settings object (`strict`), or, in an environment, the
 * unknown `SESAME_*` variables (Sesame's own prefix: no one else's variable).
 */
export function refusedNames(names: readonly string[], known: readonly string[], strict: boolean): string[] {
  const knownSet = new Set(known);
  return names.filter((name) => !knownSet.has(name) && (strict || name.startsWith('SESAME_'))).map((name) => unknownSetting(name, known));
}

/** Environment variables that look like misspelt settings, as warnings ("did you mean"). */
export function nearMisses(names: readonly string[], known: readonly string[]): string[] {
  const knownSet = new Set(known);
  const warnings: string[] = [];
  for (const name of names) {
    if (knownSet.has(name) || name.startsWith('SESAME_')) continue;
    const meant = nearestSetting(name, known);
    if (meant !== undefined) warnings.push(`${name} is not a Sesame setting: did you mean ${meant}?`);
  }
  return warnings;
}
