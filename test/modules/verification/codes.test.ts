// Short codes and the rule that matches one: eight digits (spaces, dashes and dots ignored, nothing else), a keyed
// hash bound to purpose and account, and a constant-time match that keeps the first token matched.
import { describe, expect, it } from 'vitest';
import { SecretKey, SecretKeyring } from '../../../src/kernel/secrets.js';
import { matchCode } from '../../../src/modules/email/proof.js';
import { codeHash, codeHashes, formatCode, generateCode, normaliseCode } from '../../../src/modules/verification/index.js';

describe('short codes', () => {
  it('draws eight digits, shows them as two groups of four, and reads them back however they are typed', () => {
    const codes = new Set(Array.from({ length: 200 }, () => generateCode()));
    expect([...codes].every((code) => /^\d{8}$/.test(code))).toBe(true);
    expect(codes.size).toBeGreaterThan(195);
    expect(formatCode('12345678')).toBe('1234-5678');
    for (const typed of ['12345678', '1234-5678', ' 1234 5678 ', '1234.5678', '12-34-56-78']) expect(normaliseCode(typed), typed).toBe('12345678');
    for (const typed of ['1234567', '123456789', 'x12345678', '12345678x', '1234_5678', '', 'abcd-efgh']) expect(normaliseCode(typed), typed).toBeUndefined();
  });

  it('hashes a code under the secret, bound to purpose and account', () => {
    const secret = SecretKey.generate();
    const hash = codeHash(secret, 'email_verify', 1, '12345678');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(codeHash(secret, 'email_verify', 1, '12345678')).toBe(hash);
    expect(codeHash(secret, 'email_change', 1, '12345678')).not.toBe(hash);
    expect(codeHash(secret, 'email_verify', 2, '12345678')).not.toBe(hash);
    expect(codeHash(secret, 'email_verify', 1, '12345679')).not.toBe(hash);
    expect(codeHash(SecretKey.generate(), 'email_verify', 1, '12345678')).not.toBe(hash);
  });
});

describe('codes across a rotation', () => {
  it('hashes a new code under the current key, and matches a code hashed under a previous key while it is configured', () => {
    const older = SecretKey.generate();
    const current = SecretKey.generate();
    const mailedBefore = codeHash(older, 'email_verify', 1, '12345678');
    const hashes = codeHashes(new SecretKeyring(current, [older]), 'email_verify', 1, '12345678');
    expect(hashes).toEqual([codeHash(current, 'email_verify', 1, '12345678'), mailedBefore]);
    const target = { purpose: 'email_verify' as const, tokenHash: 't', codeHash: mailedBefore, newEmail: null };
    expect(matchCode([target], () => hashes)).toBe(target);
    expect(matchCode([target], () => codeHashes(new SecretKeyring(current), 'email_verify', 1, '12345678'))).toBeUndefined();
  });
});

describe('matchCode', () => {
  const target = (codeHash: string, tokenHash: string) => ({ purpose: 'email_verify' as const, tokenHash, codeHash, newEmail: null });

  it('returns the first token whose code matches, and none for a hash of another length or no match', () => {
    const first = target('aa'.repeat(32), 'first');
    const second = target('aa'.repeat(32), 'second');
    expect(matchCode([target('bb'.repeat(32), 'other'), first, second], () => 'aa'.repeat(32))).toBe(first);
    expect(matchCode([first], () => 'bb'.repeat(32))).toBeUndefined();
    // A stored hash of another length never matches (and never throws).
    expect(matchCode([target('aa', 'short')], () => 'aa'.repeat(32))).toBeUndefined();
    expect(matchCode([], () => 'aa'.repeat(32))).toBeUndefined();
  });
});
