// Session ids and one-time tokens come from the CSPRNG in the configured shape, and are stored as their SHA-256.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateToken, generateUuid, hashToken } from '../../src/kernel/tokens.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('tokens', () => {
  it('draws uuid tokens as v4 UUIDs and random tokens as 256 bits of base64url, never the same twice', () => {
    const uuids = new Set(Array.from({ length: 200 }, () => generateToken('uuid')));
    const randoms = new Set(Array.from({ length: 200 }, () => generateToken('random')));
    expect(uuids.size).toBe(200);
    expect(randoms.size).toBe(200);
    for (const token of uuids) expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const token of randoms) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    }
    expect(generateUuid()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('does not depend on Math.random: a constant Math.random still yields distinct tokens', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    expect(generateToken('random')).not.toBe(generateToken('random'));
    expect(generateToken('uuid')).not.toBe(generateToken('uuid'));
    expect(generateUuid()).not.toBe(generateUuid());
    expect(Math.random).not.toHaveBeenCalled();
  });

  it('stores the hex SHA-256 of the token, as UTF-8', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('é')).toBe(createHash('sha256').update(Buffer.from('é', 'utf8')).digest('hex'));
  });
});
