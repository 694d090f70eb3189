/**
 * Builds a breach filter from a stream of lines: Have I Been Pwned's `SHA1:count` lines (any order), or a plain list
 * of passwords, hashed on the way. The file is streamed, never held: memory is 8 bytes per key kept plus the
 * construction's scratch (about 27 bytes a key, freed once built), whatever the size of the input (about 40 GB of
 * text for the whole corpus), so `--top` decides what a build costs.
 * @module
 */
import { BinaryFuse16, sortUniqueKeys } from './binary-fuse16.js';
import { KeyBuffer, parseHashLine, sha1Key } from './keys.js';

/** What the lines are: hashes with counts (HIBP's form) or passwords; told from the first non-empty line. */
export type LineFormat = 'sha1' | 'passwords';

/** Something that can be read from the start more than once (the `--top` build reads it twice). */
export type LineSource = () => AsyncIterable<Uint8Array>;

/** Options of {@link buildBreachFilter}. */
export interface BuildOptions {
  /** Keep only the N most frequent entries by their count (two passes: a histogram, then the selection); `SHA1:count` input only. */
  readonly top?: number;
}

/** A built filter and what went into it, for the command's report. */
export interface BuildResult {
  readonly filter: BinaryFuse16;
  /** The shape the input was read as. */
  readonly format: LineFormat;
  /** Non-empty lines read (in the selecting pass). */
  readonly lines: number;
  /** Keys kept before duplicates were removed. */
  readonly selected: number;
  /** Milliseconds from the first byte read to the filter built. */
  readonly ms: number;
}

/** Raised for input the builder cannot read: a line of the wrong shape, `--top` on a plain list. */
export class BreachInputError extends Error {}

/**
 * Calls `line(bytes, start, end)` for each line of the stream (without its LF), joining lines split across chunks;
 * the bytes are only valid during the call.
 */
async function eachLine(chunks: AsyncIterable<Uint8Array>, line: (bytes: Uint8Array, start: number, end: number) => void): Promise<void> {
  let carry: Uint8Array | undefined;
  for await (const chunk of chunks) {
    let start = 0;
    let newline = chunk.indexOf(0x0a);
    if (carry !== undefined) {
      if (newline === -1) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      const joined = Buffer.concat([carry, chunk.subarray(0, newline)]);
      carry = undefined;
      line(joined, 0, joined.length);
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    while (newline !== -1) {
      line(chunk, start, newline);
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) carry = Uint8Array.prototype.slice.call(chunk, start);
  }
  if (carry !== undefined) line(carry, 0, carry.length);
}

/** Whether `bytes[start, end)` is empty once a trailing CR is dropped. */
function blank(bytes: Uint8Array, start: number, end: number): boolean {
  return end === start || (end === start + 1 && bytes[start] === 0x0d);
}

/** Whether every byte of the range is ASCII, whose NFKC form is itself (so the common case skips decoding). */
function ascii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) if ((bytes[i] as number) >= 0x80) return false;
  return true;
}

/** Pushes the SHA-1 key of `data` into `keys`. */
function pushSha1(keys: KeyBuffer, data: Uint8Array | string): void {
  const [hi, lo] = sha1Key(data);
  keys.push(hi, lo);
}

/**
 * The count an entry needs to be among the `top` most frequent, and how many entries of exactly that count still
 * fit, from a histogram of counts: entries above the threshold are all kept, ties at it are kept in the order met.
 */
function threshold(histogram: Map<number, number>, top: number): { count: number; ties: number } {
  const counts = [...histogram.keys()].sort((a, b) => b - a);
  let above = 0;
  for (const count of counts) {
    const here = histogram.get(count) ?? 0;
    if (above + here >= top) return { count, ties: top - above };
    above += here;
  }
  return { count: 0, ties: 0 };
}

/**
 * Reads `source` and builds the filter. The format is told from the first non-empty line: `SHA1[:count]` lines
 * (every other line must then have that shape too, or the build stops naming the line), or passwords, whose UTF-8
 * bytes are hashed as they are and, when it differs, in their NFKC form too (the policy looks both up).
 */
export async function buildBreachFilter(source: LineSource, options: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const top = options.top;
  let format: LineFormat | undefined;
  let selection: { count: number; ties: number } | undefined;
  if (top !== undefined) {
    // Pass 1: how many entries have each count, so pass 2 can keep the most frequent whatever order the lines are in.
    const histogram = new Map<number, number>();
    let lineNumber = 0;
    await eachLine(source(), (bytes, start, end) => {
      lineNumber += 1;
      if (blank(bytes, start, end)) return;
      const parsed = parseHashLine(bytes, start, end);
      if (parsed === undefined) {
        if (format === undefined) throw new BreachInputError('--top needs SHA1:count lines (a plain list of passwords has no counts to rank by)');
        throw new BreachInputError(`line ${lineNumber} is not a SHA1:count line`);
      }
      format = 'sha1';
      histogram.set(parsed.count, (histogram.get(parsed.count) ?? 0) + 1);
    });
    selection = threshold(histogram, top);
    format = undefined;
  }
  const keys = new KeyBuffer(top === undefined ? 1 << 16 : top);
  let lines = 0;
  let lineNumber = 0;
  await eachLine(source(), (bytes, start, end) => {
    lineNumber += 1;
    if (blank(bytes, start, end)) return;
    lines += 1;
    if (format === undefined) format = parseHashLine(bytes, start, end) === undefined ? 'passwords' : 'sha1';
    if (format === 'sha1') {
      const parsed = parseHashLine(bytes, start, end);
      if (parsed === undefined) throw new BreachInputError(`line ${lineNumber} is not a SHA1:count line (the first line was one)`);
      if (selection !== undefined) {
        if (parsed.count < selection.count) return;
        if (parsed.count === selection.count) {
          if (selection.ties === 0) return;
          selection.ties -= 1;
        }
      }
      keys.push(parsed.hi, parsed.lo);
      return;
    }
    const stop = bytes[end - 1] === 0x0d ? end - 1 : end;
    const password = bytes.subarray(start, stop);
    pushSha1(keys, password);
    if (!ascii(bytes, start, stop)) {
      const text = Buffer.from(password.buffer, password.byteOffset, password.byteLength).toString('utf8');
      const normalised = text.normalize('NFKC');
      if (normalised !== text) pushSha1(keys, normalised);
    }
  });
  const selected = keys.length;
  const filter = BinaryFuse16.build(sortUniqueKeys(keys.pairs()));
  return { filter, format: format ?? 'sha1', lines, selected, ms: performance.now() - started };
}
