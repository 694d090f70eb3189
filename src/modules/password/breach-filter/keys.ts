/**
 * What a breach filter is keyed on: the first 64 bits of a password's SHA-1, the form Have I Been Pwned publishes its
 * corpus in (`SHA1:count` lines), so a filter is built from that download without ever seeing a password. SHA-1 is
 * the corpus's lookup key here, nothing more: it protects no stored secret (ASVS V11.4.1; SECURITY.md section 3.6).
 * @module
 */
import { hash } from 'node:crypto';

/** A 64-bit key as its two unsigned 32-bit halves. */
export type Key64 = readonly [hi: number, lo: number];

/** The key of some bytes: the first 8 bytes of their SHA-1, big-endian, as HIBP's hex prints them. */
export function sha1Key(data: string | Uint8Array): Key64 {
  // The one-shot hash to hex is the cheapest route measured (a Hash object, or a Buffer result, costs twice as much);
  // 16 hex digits are the 64 bits, read as two 32-bit halves.
  const hex = hash('sha1', data, 'hex');
  return [Number.parseInt(hex.slice(0, 8), 16), Number.parseInt(hex.slice(8, 16), 16)];
}

/**
 * The keys a password is looked up under: its UTF-8 bytes as received (HIBP hashed the passwords as the breached
 * sites stored them), and its NFKC form when that differs (Sesame stores and compares passwords in NFKC, so a
 * compatibility variant of a breached password is the same password here). No case folding: the corpus is exact.
 */
export function passwordKeys(password: string): Key64[] {
  const normalised = password.normalize('NFKC');
  return normalised === password ? [sha1Key(password)] : [sha1Key(password), sha1Key(normalised)];
}

/** Value of each ASCII byte as a hex digit, 255 for anything else, so lines are parsed from bytes without strings. */
const HEX = new Uint8Array(256).fill(255);
for (let i = 0; i < 10; i += 1) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i += 1) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}

/** A parsed `SHA1[:count]` line: the key, and the count (1 when the line has none). */
export interface HashLine {
  readonly hi: number;
  readonly lo: number;
  readonly count: number;
}

/**
 * Parses `bytes[start, end)` as a `SHA1:count` line (40 hex digits, optionally `:` and a decimal count; a trailing CR
 * is ignored), or returns undefined when the line has another shape. Only the first 16 digits make the key, but all
 * 40 are checked so a plain password that merely starts with hex is never taken for a hash.
 */
export function parseHashLine(bytes: Uint8Array, start: number, end: number): HashLine | undefined {
  if (end > start && bytes[end - 1] === 0x0d) end -= 1;
  if (end - start < 40) return undefined;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 40; i += 1) {
    const digit = HEX[bytes[start + i] as number] as number;
    if (digit === 255) return undefined;
    if (i < 8) hi = hi * 16 + digit;
    else if (i < 16) lo = lo * 16 + digit;
  }
  let count = 1;
  if (end - start > 40) {
    if (bytes[start + 40] !== 0x3a || end - start === 41) return undefined;
    count = 0;
    for (let i = start + 41; i < end; i += 1) {
      const digit = (bytes[i] as number) - 0x30;
      if (digit < 0 || digit > 9) return undefined;
      count = count * 10 + digit;
    }
  }
  return { hi, lo, count };
}

/**
 * A growable array of 64-bit keys as `[hi, lo]` pairs: 8 bytes a key (plus slack while growing), so a build's memory
 * follows the entries it keeps, never the size of the file they came from.
 */
export class KeyBuffer {
  #keys: Uint32Array;
  #length = 0;

  /** Starts with room for `capacity` keys (the `--top` count when there is one, so it never grows). */
  constructor(capacity = 1024) {
    this.#keys = new Uint32Array(2 * Math.max(1, capacity));
  }

  /** Keys added so far, duplicates included. */
  get length(): number {
    return this.#length;
  }

  /** Appends one key, doubling the storage (up to half as much again past 64 million keys) when full. */
  push(hi: number, lo: number): void {
    if (2 * this.#length === this.#keys.length) {
      const grown = new Uint32Array(this.#keys.length + Math.max(2, this.#length > 64_000_000 ? this.#keys.length >>> 1 : this.#keys.length));
      grown.set(this.#keys);
      this.#keys = grown;
    }
    this.#keys[2 * this.#length] = hi;
    this.#keys[2 * this.#length + 1] = lo;
    this.#length += 1;
  }

  /** The keys in use, as a view of the storage (`[hi, lo]` pairs). */
  pairs(): Uint32Array {
    return this.#keys.subarray(0, 2 * this.#length);
  }
}
