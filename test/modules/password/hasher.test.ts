// The password hasher: bcrypt over an NFKC, HMAC-SHA-256 pre-hash; a malformed stored hash is a mismatch (never a
// crash, never a match); the cost decides when a hash is upgraded.
import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import { BcryptHasher, preparePassword } from '../../../src/modules/password/index.js';

describe('BcryptHasher', () => {
  const hasher = new BcryptHasher(4);

  it('verifies only the right password against its hash, at the configured cost', async () => {
    const hash = await hasher.hash('right');
    expect(bcrypt.getRounds(hash)).toBe(4);
    expect(await hasher.verify('right', hash)).toBe(true);
    expect(await hasher.verify('wrong', hash)).toBe(false);
    expect(await new BcryptHasher(5).hash('x').then((h) => bcrypt.getRounds(h))).toBe(5);
  });

  it('treats a malformed or empty stored hash as a mismatch, for any password', async () => {
    for (const stored of ['', 'not-a-hash', '$2b$04$short', '$2b$99$' + 'a'.repeat(53), 'x'.repeat(60)]) {
      expect(await hasher.verify('', stored), stored).toBe(false);
      expect(await hasher.verify('anything', stored), stored).toBe(false);
    }
  });

  it('asks for a re-hash of a weaker or unreadable hash only', async () => {
    const strong = new BcryptHasher(5);
    expect(strong.needsRehash(await hasher.hash('p'))).toBe(true);
    expect(strong.needsRehash(await strong.hash('p'))).toBe(false);
    expect(hasher.needsRehash(await strong.hash('p'))).toBe(false);
    expect(strong.needsRehash('garbage')).toBe(true);
  });

  it('pre-hashes NFKC-normalised passwords with a keyed HMAC into 44 base64 characters with no NUL', () => {
    expect(preparePassword('ﬁ')).toBe(preparePassword('fi'));
    expect(preparePassword('a')).not.toBe(preparePassword('b'));
    const prepared = preparePassword('x'.repeat(1000));
    expect(prepared).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(preparePassword('abc\u0000one')).not.toBe(preparePassword('abc\u0000two'));
  });
});
