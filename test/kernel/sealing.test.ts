// Sealing under the keyring: what is sealed names its key's id (never the key), opens with that key current or
// previous, values sealed before key ids open under the current key and then the previous ones, and a value no
// configured key opens is refused with the key's id and the remedy; tampering is refused; the outbox sealer and the
// kept keys use it.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyringSealer, PLAIN, UnknownSealingKeyError } from '../../src/kernel/sealing.js';
import { SecretKey, SecretKeyring } from '../../src/kernel/secrets.js';
import { aesGcmSealer } from '../../src/modules/mail/index.js';

/** A value in the format written before key ids (`sealed:v1:`), as an older Sesame sealed it under `key`. */
function sealedV1(key: Buffer, text: string): string {
  const v2 = keyringSealer([{ id: 'ffffffff', key }]).seal(text);
  return `sealed:v1:${v2.slice('sealed:v2:ffffffff:'.length)}`;
}

describe('keyringSealer', () => {
  const a = SecretKey.generate();
  const b = SecretKey.generate();
  const underA = keyringSealer(new SecretKeyring(a).derive('p'));
  const rotated = keyringSealer(new SecretKeyring(b, [a]).derive('p'));
  const dropped = keyringSealer(new SecretKeyring(b).derive('p'));

  it('writes under the current key, naming its id, and opens what any configured key sealed', () => {
    const sealed = underA.seal('the code is 1234-5678');
    expect(sealed).toMatch(new RegExp(`^sealed:v2:${a.id}:[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]+$`));
    expect(sealed).not.toContain(a.toBase64());
    expect(underA.keyIdOf(sealed)).toBe(a.id);
    expect(rotated.open(sealed)).toBe('the code is 1234-5678');
    expect(rotated.keyIdOf(rotated.seal('x'))).toBe(b.id);
    expect(rotated.currentPrefix).toBe(`sealed:v2:${b.id}:`);
  });

  it('refuses a value no configured key opens, naming the key id and the remedy, and a tampered one', () => {
    const sealed = underA.seal('x');
    expect(() => dropped.open(sealed)).toThrow(UnknownSealingKeyError);
    expect(() => dropped.open(sealed)).toThrow(`sealed under key ${a.id}, which is neither SECRET_KEY nor in SECRET_KEYS_PREVIOUS: add that key to SECRET_KEYS_PREVIOUS`);
    const flipped = `${sealed.slice(0, -2)}${sealed.at(-2) === 'A' ? 'B' : 'A'}${sealed.at(-1) ?? ''}`;
    expect(() => underA.open(flipped)).toThrow();
    expect(() => underA.open(flipped)).not.toThrow(UnknownSealingKeyError);
    // Another key that claims the id is refused by the tag, not trusted for its name.
    expect(() => keyringSealer([{ id: a.id, key: randomBytes(32) }]).open(sealed)).toThrow();
  });

  it('opens a value sealed before key ids under the current key, then the previous ones; a plain value as it is', () => {
    const v1 = sealedV1(a.derive('p'), 'old body');
    expect(underA.open(v1)).toBe('old body');
    expect(rotated.open(v1)).toBe('old body');
    expect(() => dropped.open(v1)).toThrow(UnknownSealingKeyError);
    expect(rotated.keyIdOf(v1)).toBeUndefined();
    expect(rotated.open('a body from before sealing')).toBe('a body from before sealing');
    expect(PLAIN.seal('x')).toBe('x');
  });

  it('needs 32-byte keys, and at least one', () => {
    expect(() => keyringSealer([])).toThrow('a sealing key is missing');
    expect(() => aesGcmSealer(randomBytes(16))).toThrow('the outbox key must be 32 bytes');
    expect(aesGcmSealer(new SecretKeyring(a)).seal('x')).toMatch(new RegExp(`^sealed:v2:${a.id}:`));
  });
});
