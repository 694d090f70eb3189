/**
 * The breach filter as the password policy uses it: a file built by `sesame breach-filter build` (or a filter built in
 * memory from the shipped lists), asked whether a new password appears in known breaches.
 * @module
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { BinaryFuse16, HEADER_BYTES, readHeader } from './binary-fuse16.js';
import { passwordKeys, sha1Key } from './keys.js';

export { BinaryFuse16, sortUniqueKeys } from './binary-fuse16.js';
export { buildBreachFilter, BreachInputError, type BuildOptions, type BuildResult, type LineFormat, type LineSource } from './build.js';
export { passwordKeys, sha1Key, KeyBuffer, type Key64 } from './keys.js';

/**
 * Why the file at `path` cannot serve as a breach filter (unreadable, not one, truncated), or undefined when its header
 * and length are right; reads 32 bytes, so `sesame config check` can say so without loading a file of gigabytes.
 */
export function breachFilterProblem(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return `PASSWORD_BREACH_FILTER: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`;
  }
  try {
    const header = new Uint8Array(HEADER_BYTES);
    const read = readSync(fd, header, 0, HEADER_BYTES, 0);
    readHeader(header.subarray(0, read), fstatSync(fd).size);
    return undefined;
  } catch (error) {
    return `PASSWORD_BREACH_FILTER: ${path}: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    closeSync(fd);
  }
}

/** A set of breached passwords by the first 64 bits of their SHA-1; a yes is wrong for about 1 in 65,536 others. */
export class BreachFilter {
  readonly #filter: BinaryFuse16;

  /** Wraps a built or loaded filter. */
  constructor(filter: BinaryFuse16) {
    this.#filter = filter;
  }

  /** Entries (distinct keys) in the filter. */
  get size(): number {
    return this.#filter.size;
  }

  /** Bytes the fingerprints take in memory. */
  get bytes(): number {
    return this.#filter.fingerprints.byteLength;
  }

  /**
   * Reads a filter file in one read into one buffer, refusing a file that is not one (bad magic, truncated, another
   * version) with a message naming the path, so a wrong `PASSWORD_BREACH_FILTER` stops the start instead of checking nothing.
   */
  static fromFile(path: string): BreachFilter {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new Error(`PASSWORD_BREACH_FILTER: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      return new BreachFilter(BinaryFuse16.load(bytes));
    } catch (error) {
      throw new Error(`PASSWORD_BREACH_FILTER: ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Whether `password` (as received, or its NFKC form) is in the filter: the keys of {@link passwordKeys}. */
  hasPassword(password: string): boolean {
    return passwordKeys(password).some(([hi, lo]) => this.#filter.has(hi, lo));
  }

  /** Whether some exact text is in the filter, with no normalisation (for filters built from normalised entries). */
  hasExact(text: string): boolean {
    const [hi, lo] = sha1Key(text);
    return this.#filter.has(hi, lo);
  }
}
