/**
 * A binary fuse filter with 16-bit fingerprints (Graf & Lemire, "Binary Fuse Filters: Fast and Smaller Than Xor
 * Filters", 2022; the C reference is FastFilter's `binaryfusefilter.h`), so the breach corpus's hundreds of millions of
 * entries fit in about 18 bits each (a 100-million-entry filter is about 225 MB) with a false-positive rate near
 * 1 in 65,536 and three memory reads a lookup. It has no dependency: no npm package implements binary fuse filters.
 *
 * Keys are 64-bit numbers handled as two unsigned 32-bit halves (`hi`, `lo`): JavaScript has no 64-bit integer but
 * BigInt, whose every operation allocates, which would make both building 100 million keys and each lookup several
 * times slower. Every 64-bit step of the reference (murmur64's finaliser, the 64×32 high product) is done exactly on
 * the halves, so a filter built here follows the reference's layout and hashing step for step.
 * @module
 */

/** Magic bytes at the head of a serialised filter: `SBF16` and a format version byte, so a wrong file fails on load. */
const MAGIC = [0x53, 0x42, 0x46, 0x31, 0x36] as const;

/** Version of the serialised layout; bumped if the header or the hashing ever changes. */
const VERSION = 1;

/** Bytes before the fingerprints: magic (5), version (1), reserved (2), seed (8), segment length, segment count, array length, entry count (4 each). */
export const HEADER_BYTES = 32;

/** Seeds tried before giving up; the reference's bound, at which failure is less likely than memory corruption. */
const MAX_ATTEMPTS = 100;

/** The reference's arity: three positions a key, one in each of three consecutive segments. */
const ARITY = 3;

/** The widest segment the reference allows (2^18); the lookup's xor masks take at most 18 bits of the hash. */
const MAX_SEGMENT_LENGTH = 262_144;

/** The high 32 bits of the 64-bit product of two unsigned 32-bit numbers, exact (two 48-bit partial products in doubles). */
function mulHigh32(a: number, b: number): number {
  const high = (a >>> 16) * b; // < 2^48, exact
  const low = (a & 0xffff) * b; // < 2^48, exact
  const highLow = high % 65_536;
  return (Math.floor(high / 65_536) + Math.floor((highLow * 65_536 + low) / 4_294_967_296)) >>> 0;
}

/** Scratch for the 64-bit results of {@link mix}, so a lookup allocates nothing. */
const mixed = new Uint32Array(2);

/**
 * murmur64's finaliser over `key + seed` (the reference's `binary_fuse_mix_split`), leaving the high half in
 * `mixed[0]` and the low half in `mixed[1]`: it spreads the keys evenly whatever they are, and a new seed reshuffles
 * them when a construction fails.
 */
function mix(keyHi: number, keyLo: number, seedHi: number, seedLo: number): void {
  let lo = (keyLo + seedLo) >>> 0;
  let hi = (keyHi + seedHi + (lo < keyLo ? 1 : 0)) >>> 0;
  // h ^= h >> 33; h *= 0xff51afd7ed558ccd
  lo = (lo ^ (hi >>> 1)) >>> 0;
  let newHi = (mulHigh32(lo, 0xed558ccd) + Math.imul(lo, 0xff51afd7) + Math.imul(hi, 0xed558ccd)) >>> 0;
  lo = Math.imul(lo, 0xed558ccd) >>> 0;
  hi = newHi;
  // h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53
  lo = (lo ^ (hi >>> 1)) >>> 0;
  newHi = (mulHigh32(lo, 0x1a85ec53) + Math.imul(lo, 0xc4ceb9fe) + Math.imul(hi, 0x1a85ec53)) >>> 0;
  lo = Math.imul(lo, 0x1a85ec53) >>> 0;
  hi = newHi;
  // h ^= h >> 33
  mixed[0] = hi;
  mixed[1] = (lo ^ (hi >>> 1)) >>> 0;
}

/** murmur64 of `hi:lo` plus a seed of zero, exported so a test can check the 32-bit halves against BigInt arithmetic. */
export function murmur64(hi: number, lo: number, seedHi = 0, seedLo = 0): [hi: number, lo: number] {
  mix(hi, lo, seedHi, seedLo);
  return [mixed[0] as number, mixed[1] as number];
}

/** The high 64 bits of `hash × n` for `n` below 2^32 (the reference's `binary_fuse_mulhi`): maps a hash onto `[0, n)` without a division. */
function mulHighBy(hashHi: number, hashLo: number, n: number): number {
  const lowHigh = mulHigh32(hashLo, n);
  const highLow = Math.imul(hashHi, n) >>> 0;
  return (mulHigh32(hashHi, n) + (highLow + lowHigh > 0xffffffff ? 1 : 0)) >>> 0;
}

/** The 16-bit fingerprint of a mixed hash, `hash ^ (hash >> 32)` cut to 16 bits as in the reference. */
function fingerprintOf(hashHi: number, hashLo: number): number {
  return (hashHi ^ hashLo) & 0xffff;
}

/** The geometry of a filter of `size` keys, by the reference's formulas (they are tuned: changing one slows construction). */
interface Geometry {
  readonly segmentLength: number;
  readonly segmentCount: number;
  readonly arrayLength: number;
}

/** Segment length, segment count and array length for `size` keys (`binary_fuse16_allocate`). */
function geometryFor(size: number): Geometry {
  let segmentLength = size === 0 ? 4 : 2 ** Math.floor(Math.log(size) / Math.log(3.33) + 2.25);
  if (segmentLength > MAX_SEGMENT_LENGTH) segmentLength = MAX_SEGMENT_LENGTH;
  const sizeFactor = size <= 1 ? 0 : Math.max(1.125, 0.875 + (0.25 * Math.log(1_000_000)) / Math.log(size));
  const capacity = size <= 1 ? 0 : Math.round(size * sizeFactor);
  const initSegmentCount = Math.max(0, Math.floor((capacity + segmentLength - 1) / segmentLength) - (ARITY - 1));
  let arrayLength = (initSegmentCount + ARITY - 1) * segmentLength;
  let segmentCount = Math.floor((arrayLength + segmentLength - 1) / segmentLength);
  segmentCount = segmentCount <= ARITY - 1 ? 1 : segmentCount - (ARITY - 1);
  arrayLength = (segmentCount + ARITY - 1) * segmentLength;
  return { segmentLength, segmentCount, arrayLength };
}

/** splitmix64 over a 64-bit state in halves (the reference's seed generator); returns the next seed as `[hi, lo]`. */
function splitmix64(state: Uint32Array): [hi: number, lo: number] {
  // state += 0x9E3779B97F4A7C15
  const lo0 = (state[1] as number) + 0x7f4a7c15;
  state[1] = lo0 >>> 0;
  state[0] = ((state[0] as number) + 0x9e3779b9 + (lo0 > 0xffffffff ? 1 : 0)) >>> 0;
  let hi = state[0];
  let lo = state[1];
  const times = (c: number, cHi: number, cLo: number): void => {
    lo = (lo ^ ((hi << (32 - c)) | (lo >>> c))) >>> 0;
    hi = (hi ^ (hi >>> c)) >>> 0;
    const newHi = (mulHigh32(lo, cLo) + Math.imul(lo, cHi) + Math.imul(hi, cLo)) >>> 0;
    lo = Math.imul(lo, cLo) >>> 0;
    hi = newHi;
  };
  times(30, 0xbf58476d, 0x1ce4e5b9);
  times(27, 0x94d049bb, 0x133111eb);
  return [(hi ^ (hi >>> 31)) >>> 0, (lo ^ ((hi << 1) | (lo >>> 31))) >>> 0];
}

/**
 * A built or loaded binary fuse filter: answers whether a 64-bit key may be in the set it was built from (always yes
 * for a member; yes for about 1 in 65,536 others), in three reads of one `Uint16Array`.
 */
export class BinaryFuse16 {
  /** Keys the filter was built from, after duplicates were removed. */
  readonly size: number;
  /** The seed the successful construction used, as `[hi, lo]`; part of the file, since every lookup mixes it in. */
  readonly seed: readonly [hi: number, lo: number];
  /** Positions of one segment (a power of two). */
  readonly segmentLength: number;
  /** Segments the first position of a key may fall in. */
  readonly segmentCount: number;
  /** The fingerprints: `(segmentCount + 2) × segmentLength` of them. */
  readonly fingerprints: Uint16Array;
  readonly #mask: number;
  readonly #segmentCountLength: number;

  /** Wraps fingerprints built or loaded elsewhere; use {@link BinaryFuse16.build} or {@link BinaryFuse16.load}. */
  private constructor(size: number, seed: readonly [number, number], segmentLength: number, segmentCount: number, fingerprints: Uint16Array) {
    this.size = size;
    this.seed = seed;
    this.segmentLength = segmentLength;
    this.segmentCount = segmentCount;
    this.fingerprints = fingerprints;
    this.#mask = segmentLength - 1;
    this.#segmentCountLength = segmentCount * segmentLength;
  }

  /**
   * Builds a filter of the 64-bit keys in `keys` (pairs: `keys[2i]` the high half, `keys[2i + 1]` the low half),
   * which must hold no duplicate (see `sortUniqueKeys`): two equal keys make every seed fail. Retries with the next
   * seed whenever a slot overflows or peeling leaves keys behind, as the reference does.
   */
  static build(keys: Uint32Array): BinaryFuse16 {
    const size = keys.length >>> 1;
    const { segmentLength, segmentCount, arrayLength } = geometryFor(size);
    const fingerprints = new Uint16Array(arrayLength);
    const rng = new Uint32Array([0x726b2b9d, 0x438b9d4d]);
    if (size === 0) return new BinaryFuse16(0, splitmix64(rng), segmentLength, segmentCount, fingerprints);
    const mask = segmentLength - 1;
    const segmentCountLength = segmentCount * segmentLength;
    // Per slot: how many keys touch it (times 4) with, in the low 2 bits, the xor of which of their 3 positions it is;
    // and the xor of those keys' hashes, so a slot touched once names its key.
    const count = new Uint8Array(arrayLength);
    const xorHi = new Uint32Array(arrayLength);
    const xorLo = new Uint32Array(arrayLength);
    // The keys' hashes, ordered by the block of their first position so the slot arrays are walked nearly in order
    // (the reference's cache trick, which matters at 100 million keys); reused as the peeling stack.
    const orderHi = new Uint32Array(size);
    const orderLo = new Uint32Array(size);
    // One more than the keys: the last is always taken, so probing past the last block wraps round instead of running off.
    const filled = new Uint8Array(size + 1);
    const stackFound = new Uint8Array(size);
    const alone = new Uint32Array(arrayLength);
    let blockBits = 1;
    while (1 << blockBits < segmentCount) blockBits += 1;
    const blocks = 1 << blockBits;
    const start = new Uint32Array(blocks);
    const positions = new Uint32Array(3);

    const place = (hashHi: number, hashLo: number): void => {
      const h0 = mulHighBy(hashHi, hashLo, segmentCountLength);
      positions[0] = h0;
      positions[1] = (h0 + segmentLength) ^ (((hashLo >>> 18) | (hashHi << 14)) & mask);
      positions[2] = (h0 + 2 * segmentLength) ^ (hashLo & mask);
    };

    for (let attempt = 1; ; attempt += 1) {
      if (attempt > MAX_ATTEMPTS) throw new Error(`binary fuse construction failed after ${MAX_ATTEMPTS} seeds: are there duplicate keys?`);
      const [seedHi, seedLo] = splitmix64(rng);
      count.fill(0);
      xorHi.fill(0);
      xorLo.fill(0);
      filled.fill(0);
      filled[size] = 1;
      for (let block = 0; block < blocks; block += 1) start[block] = Math.floor((block * size) / blocks);
      for (let i = 0; i < size; i += 1) {
        mix(keys[2 * i] as number, keys[2 * i + 1] as number, seedHi, seedLo);
        let block = (mixed[0] as number) >>> (32 - blockBits);
        while (filled[start[block] as number] === 1) block = (block + 1) & (blocks - 1);
        const at = start[block] as number;
        orderHi[at] = mixed[0] as number;
        orderLo[at] = mixed[1] as number;
        filled[at] = 1;
        start[block] = at + 1;
      }
      let overflow = false;
      for (let i = 0; i < size; i += 1) {
        const hashHi = orderHi[i] as number;
        const hashLo = orderLo[i] as number;
        place(hashHi, hashLo);
        for (let which = 0; which < 3; which += 1) {
          const slot = positions[which] as number;
          const next = (((count[slot] as number) + 4) & 0xff) ^ which;
          count[slot] = next;
          xorHi[slot] = (xorHi[slot] as number) ^ hashHi;
          xorLo[slot] = (xorLo[slot] as number) ^ hashLo;
          // More than 63 keys on one slot wrap the 8-bit counter: the reference's signal to try another seed.
          if (next < 4) overflow = true;
        }
      }
      if (overflow) continue;

      // Peeling: a slot touched by exactly one key is that key's to set last; removing the key may free others.
      let queued = 0;
      for (let slot = 0; slot < arrayLength; slot += 1) {
        alone[queued] = slot;
        if ((count[slot] as number) >> 2 === 1) queued += 1;
      }
      let stacked = 0;
      while (queued > 0) {
        queued -= 1;
        const slot = alone[queued] as number;
        if ((count[slot] as number) >> 2 !== 1) continue;
        const hashHi = xorHi[slot] as number;
        const hashLo = xorLo[slot] as number;
        const found = (count[slot] as number) & 3;
        orderHi[stacked] = hashHi;
        orderLo[stacked] = hashLo;
        stackFound[stacked] = found;
        stacked += 1;
        place(hashHi, hashLo);
        for (let which = 0; which < 3; which += 1) {
          if (which === found) continue;
          const other = positions[which] as number;
          alone[queued] = other;
          if ((count[other] as number) >> 2 === 2) queued += 1;
          count[other] = ((count[other] as number) - 4) ^ which;
          xorHi[other] = (xorHi[other] as number) ^ hashHi;
          xorLo[other] = (xorLo[other] as number) ^ hashLo;
        }
        // The slot itself is now empty: its one key has been taken off.
        count[slot] = 0;
      }
      if (stacked !== size) continue;

      // Assign in reverse peeling order: each key's free slot gets the value that makes its three slots xor to its fingerprint.
      for (let i = size - 1; i >= 0; i -= 1) {
        const hashHi = orderHi[i] as number;
        const hashLo = orderLo[i] as number;
        place(hashHi, hashLo);
        const found = stackFound[i] as number;
        const a = positions[(found + 1) % 3] as number;
        const b = positions[(found + 2) % 3] as number;
        fingerprints[positions[found] as number] = fingerprintOf(hashHi, hashLo) ^ (fingerprints[a] as number) ^ (fingerprints[b] as number);
      }
      return new BinaryFuse16(size, [seedHi, seedLo], segmentLength, segmentCount, fingerprints);
    }
  }

  /** Whether the key `hi:lo` may be a member: true for every key the filter was built from, false for most others. */
  has(hi: number, lo: number): boolean {
    // An empty filter's fingerprints are all zero, which would match the 1 in 65,536 hashes whose fingerprint is zero.
    if (this.size === 0) return false;
    mix(hi, lo, this.seed[0], this.seed[1]);
    const hashHi = mixed[0] as number;
    const hashLo = mixed[1] as number;
    const h0 = mulHighBy(hashHi, hashLo, this.#segmentCountLength);
    const h1 = (h0 + this.segmentLength) ^ (((hashLo >>> 18) | (hashHi << 14)) & this.#mask);
    const h2 = (h0 + 2 * this.segmentLength) ^ (hashLo & this.#mask);
    const f = this.fingerprints;
    return (fingerprintOf(hashHi, hashLo) ^ (f[h0] as number) ^ (f[h1] as number) ^ (f[h2] as number)) === 0;
  }

  /** Bytes of the serialised form: the header, then the fingerprints little-endian. */
  get byteLength(): number {
    return HEADER_BYTES + this.fingerprints.length * 2;
  }

  /** The header alone, so a writer can stream the fingerprints after it without copying them into one buffer. */
  header(): Uint8Array {
    const header = new Uint8Array(HEADER_BYTES);
    const view = new DataView(header.buffer);
    header.set(MAGIC, 0);
    header[5] = VERSION;
    view.setUint32(8, this.seed[0], true);
    view.setUint32(12, this.seed[1], true);
    view.setUint32(16, this.segmentLength, true);
    view.setUint32(20, this.segmentCount, true);
    view.setUint32(24, this.fingerprints.length, true);
    view.setUint32(28, this.size, true);
    return header;
  }

  /** The fingerprints as little-endian bytes (a view, no copy, on little-endian machines). */
  body(): Uint8Array {
    if (LITTLE_ENDIAN) return new Uint8Array(this.fingerprints.buffer, this.fingerprints.byteOffset, this.fingerprints.byteLength);
    const bytes = new Uint8Array(this.fingerprints.length * 2);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < this.fingerprints.length; i += 1) view.setUint16(2 * i, this.fingerprints[i] as number, true);
    return bytes;
  }

  /** The whole file in one buffer. */
  serialize(): Uint8Array {
    const bytes = new Uint8Array(this.byteLength);
    bytes.set(this.header(), 0);
    bytes.set(this.body(), HEADER_BYTES);
    return bytes;
  }

  /**
   * Reads a filter from the bytes of a file made by {@link BinaryFuse16.serialize}, checking the magic, the version
   * and that the sizes agree, so a truncated or foreign file is refused instead of answering wrongly. On
   * little-endian machines the fingerprints are a view of `bytes` when it is 2-byte aligned (no copy).
   */
  static load(bytes: Uint8Array): BinaryFuse16 {
    const { seed, segmentLength, segmentCount, arrayLength, size } = readHeader(bytes, bytes.length);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let fingerprints: Uint16Array;
    const offset = bytes.byteOffset + HEADER_BYTES;
    if (LITTLE_ENDIAN && offset % 2 === 0) {
      fingerprints = new Uint16Array(bytes.buffer, offset, arrayLength);
    } else {
      fingerprints = new Uint16Array(arrayLength);
      for (let i = 0; i < arrayLength; i += 1) fingerprints[i] = view.getUint16(HEADER_BYTES + 2 * i, true);
    }
    return new BinaryFuse16(size, seed, segmentLength, segmentCount, fingerprints);
  }
}

/** What a filter file's header says. */
export interface FilterHeader {
  readonly seed: [hi: number, lo: number];
  readonly segmentLength: number;
  readonly segmentCount: number;
  readonly arrayLength: number;
  /** Entries the filter was built from. */
  readonly size: number;
}

/**
 * Reads and checks a filter file's header (`bytes` holds at least its first {@link HEADER_BYTES}) against the file's
 * whole length: the magic, the version, segment sizes that follow from the entry count, and a length that fits them,
 * so a truncated or foreign file is refused before anything answers from it. Throws with the reason.
 */
export function readHeader(bytes: Uint8Array, fileLength: number): FilterHeader {
  if (bytes.length < HEADER_BYTES || MAGIC.some((byte, i) => bytes[i] !== byte)) throw new Error('not a Sesame breach filter (bad magic bytes)');
  if (bytes[5] !== VERSION) throw new Error(`unsupported breach filter version ${String(bytes[5])} (this Sesame reads version ${VERSION})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const seed: [number, number] = [view.getUint32(8, true), view.getUint32(12, true)];
  const segmentLength = view.getUint32(16, true);
  const segmentCount = view.getUint32(20, true);
  const arrayLength = view.getUint32(24, true);
  const size = view.getUint32(28, true);
  const expected = geometryFor(size);
  if (segmentLength !== expected.segmentLength || segmentCount !== expected.segmentCount || arrayLength !== expected.arrayLength) {
    throw new Error('breach filter header is inconsistent (segment sizes do not match the entry count)');
  }
  if (fileLength !== HEADER_BYTES + arrayLength * 2) {
    throw new Error(`breach filter is ${fileLength} bytes, its header says ${HEADER_BYTES + arrayLength * 2}: truncated or corrupt`);
  }
  return { seed, segmentLength, segmentCount, arrayLength, size };
}

/** Whether this machine stores numbers little-endian, the file's byte order (then loading is a view, not a copy). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Sorts 64-bit keys given as `[hi, lo]` pairs and drops repeats, in place; returns the pairs in use (a view of the
 * same memory). Duplicates must go before construction: equal keys share all three slots and no seed can peel them.
 */
export function sortUniqueKeys(keys: Uint32Array): Uint32Array {
  const pairs = keys.length >>> 1;
  // As 64-bit numbers the pair is lo then hi in memory on little-endian machines; swap into that order, sort natively, swap back.
  if (!LITTLE_ENDIAN) throw new Error('sortUniqueKeys needs a little-endian machine');
  for (let i = 0; i < pairs; i += 1) {
    const hi = keys[2 * i] as number;
    keys[2 * i] = keys[2 * i + 1] as number;
    keys[2 * i + 1] = hi;
  }
  new BigUint64Array(keys.buffer, keys.byteOffset, pairs).sort();
  let kept = 0;
  for (let i = 0; i < pairs; i += 1) {
    const lo = keys[2 * i] as number;
    const hi = keys[2 * i + 1] as number;
    if (kept > 0 && keys[2 * (kept - 1)] === hi && keys[2 * (kept - 1) + 1] === lo) continue;
    keys[2 * kept] = hi;
    keys[2 * kept + 1] = lo;
    kept += 1;
  }
  return keys.subarray(0, 2 * kept);
}
