// Counter keys: which client and which account an attempt counts against.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { accountBudget } from '../../../src/modules/rate-limits/rate-limits.js';
import { accountKey, clientKey } from '../../../src/modules/rate-limits/index.js';

describe('clientKey', () => {
  it('counts an IPv4-mapped IPv6 address as the IPv4 address it carries (HOST=:: sees every IPv4 client that way)', () => {
    expect(clientKey('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(clientKey('::ffff:10.0.0.2')).toBe('10.0.0.2');
    expect(clientKey('10.0.0.1')).toBe('10.0.0.1');
  });

  it('groups IPv6 clients by their /64, and keeps different /64s apart', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:bbbb::2')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
  });

  it('hashes what is not an address into a short key of safe characters, one per distinct value', () => {
    expect(clientKey('unknown')).toBe('~sjpqhDnA3eVRWJPnyQweMjO4YW5jRHDy');
    for (const value of ['x'.repeat(10_000), 'a\u0000b', 'é\r\n', '']) {
      expect(clientKey(value), JSON.stringify(value.slice(0, 10))).toMatch(/^~[A-Za-z0-9_-]{32}$/);
    }
    expect(clientKey('a')).not.toBe(clientKey('b'));
  });
});

describe('accountKey', () => {
  it('is 32 characters of the base64url SHA-256 of the trimmed, lower-cased email', () => {
    const expected = createHash('sha256').update('a@x.io').digest('base64url').slice(0, 32);
    expect(accountKey('a@x.io')).toBe(expected);
    expect(accountKey('  A@X.io ')).toBe(expected);
    expect(accountKey('b@x.io')).not.toBe(expected);
    expect(accountKey('a@x.io')).toHaveLength(32);
  });
});

describe('accountBudget', () => {
  it('puts every password check in one budget and keeps the other actions apart', () => {
    expect(['login', 'password-change', 'session-end'].map((a) => accountBudget(a as never))).toEqual(['password', 'password', 'password']);
    expect(['register', 'reset-request', 'reset-update'].map((a) => accountBudget(a as never))).toEqual(['register', 'reset-request', 'reset-update']);
  });
});
