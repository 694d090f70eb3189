/**
 * The binary fuse filter (16-bit fingerprints): every key built in is a member, the false-positive rate over a million
 * keys it never saw stays near 1 in 65,536, duplicates are removed before construction, the 64-bit arithmetic on
 * 32-bit halves equals BigInt's, and a serialised filter loads back identical or is refused when damaged.
 * @module
 */
import { randomFillSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BinaryFuse16, HEADER_BYTES, murmur64, sortUniqueKeys } from '../../../../src/modules/password/breach-filter/binary-fuse16.js';

/** `n` random 64-bit keys as `[hi, lo]` pairs. */
function randomKeys(n: number): Uint32Array {
  return randomFillSync(new Uint32Array(2 * n));
}

/** How many of the pairs in `keys` the filter does not hold. */
function missing(filter: BinaryFuse16, keys: Uint32Array): number {
  let missed = 0;
  for (let i = 0; i < keys.length; i += 2) if (!filter.has(keys[i] as number, keys[i + 1] as number)) missed += 1;
  return missed;
}

/** murmur64's finaliser in BigInt, the reference's code transcribed, to check the 32-bit halves against. */
function murmurBig(x: bigint): bigint {
  const M = (1n << 64n) - 1n;
  x ^= x >> 33n;
  x = (x * 0xff51afd7ed558ccdn) & M;
  x ^= x >> 33n;
  x = (x * 0xc4ceb9fe1a85ec53n) & M;
  return x ^ (x >> 33n);
}

describe('BinaryFuse16', () => {
  it('computes murmur64 on 32-bit halves exactly as 64-bit arithmetic does, seed added with carry', () => {
    const samples = randomKeys(2000);
    for (let i = 0; i < samples.length; i += 4) {
      const [hi, lo, seedHi, seedLo] = [samples[i], samples[i + 1], samples[i + 2], samples[i + 3]] as [number, number, number, number];
      const key = (BigInt(hi) << 32n) | BigInt(lo);
      const seed = (BigInt(seedHi) << 32n) | BigInt(seedLo);
      const [outHi, outLo] = murmur64(hi, lo, seedHi, seedLo);
      expect((BigInt(outHi) << 32n) | BigInt(outLo)).toBe(murmurBig((key + seed) & ((1n << 64n) - 1n)));
    }
    // Carry from the low half into the high half.
    const [hi, lo] = murmur64(0, 0xffffffff, 0, 1);
    expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(murmurBig(1n << 32n));
  });

  it('holds 10 keys, and answers no for an empty filter', () => {
    const keys = randomKeys(10);
    const filter = BinaryFuse16.build(sortUniqueKeys(keys.slice()));
    expect(filter.size).toBe(10);
    expect(missing(filter, keys)).toBe(0);
    const empty = BinaryFuse16.build(new Uint32Array(0));
    expect(missing(empty, randomKeys(100_000))).toBe(100_000);
    const one = BinaryFuse16.build(new Uint32Array([1, 2]));
    expect(one.has(1, 2)).toBe(true);
  });

  it('holds every one of a million keys in about 18 bits each, and admits about 1 in 65,536 of a million others', () => {
    const keys = randomKeys(1_000_000);
    const filter = BinaryFuse16.build(sortUniqueKeys(keys.slice()));
    expect(filter.size).toBe(1_000_000);
    expect(missing(filter, keys)).toBe(0);
    expect((filter.byteLength * 8) / filter.size).toBeLessThan(18.5);
    const others = randomKeys(1_000_000);
    const admitted = 1_000_000 - missing(filter, others);
    // Expected 15.3 (Poisson): at most 40 holds with probability above 1 - 1e-7; an 8-bit fingerprint would admit ~3,900.
    expect(admitted).toBeLessThanOrEqual(40);
  }, 60_000);

  it('sortUniqueKeys removes repeated keys and equal 64-bit keys, so construction succeeds; without it, it cannot', () => {
    const base = randomKeys(5000);
    const doubled = new Uint32Array(4 * 5000 + 4);
    doubled.set(base, 0);
    doubled.set(base, 2 * 5000);
    doubled.set([7, 7, 7, 7], 4 * 5000);
    const unique = sortUniqueKeys(doubled);
    expect(unique.length / 2).toBe(5001);
    for (let i = 2; i < unique.length; i += 2) {
      const before = (BigInt(unique[i - 2] as number) << 32n) | BigInt(unique[i - 1] as number);
      const here = (BigInt(unique[i] as number) << 32n) | BigInt(unique[i + 1] as number);
      expect(here > before).toBe(true);
    }
    const filter = BinaryFuse16.build(unique);
    expect(missing(filter, base)).toBe(0);
    expect(filter.has(7, 7)).toBe(true);
    expect(() => BinaryFuse16.build(new Uint32Array([1, 2, 3, 4, 1, 2]))).toThrow(/duplicate keys/);
  });

  it('serialises to a 32-byte header and the fingerprints, and loads back answering the same', () => {
    const keys = randomKeys(20_000);
    const filter = BinaryFuse16.build(sortUniqueKeys(keys.slice()));
    const bytes = filter.serialize();
    expect(bytes.length).toBe(HEADER_BYTES + filter.fingerprints.length * 2);
    expect(Buffer.from(bytes.subarray(0, 6)).toString('latin1')).toBe('SBF16\u0001');
    const loaded = BinaryFuse16.load(bytes);
    expect(loaded.size).toBe(20_000);
    expect(loaded.seed).toEqual(filter.seed);
    expect(missing(loaded, keys)).toBe(0);
    const others = randomKeys(50_000);
    expect(missing(loaded, others)).toBe(missing(filter, others));
    // Odd offset: the fingerprints are copied instead of viewed, and still answer.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(missing(BinaryFuse16.load(shifted.subarray(1)), keys)).toBe(0);
  });

  it('refuses a foreign, truncated, inconsistent or newer file', () => {
    const bytes = BinaryFuse16.build(sortUniqueKeys(randomKeys(1000))).serialize();
    expect(() => BinaryFuse16.load(new Uint8Array(10))).toThrow(/bad magic/);
    expect(() => BinaryFuse16.load(bytes.subarray(0, bytes.length - 2))).toThrow(/truncated/);
    const newer = bytes.slice();
    newer[5] = 2;
    expect(() => BinaryFuse16.load(newer)).toThrow(/version 2/);
    const lying = bytes.slice();
    new DataView(lying.buffer).setUint32(28, 5_000_000, true);
    expect(() => BinaryFuse16.load(lying)).toThrow(/inconsistent/);
  });
});
