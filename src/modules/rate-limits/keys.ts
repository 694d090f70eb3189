/**
 * Counter keys: which client and which account a request counts against, in a form safe to store.
 * @module
 */
import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';

/**
 * The client part of a key. IPv6 clients are grouped by /64, the block one subscriber usually holds, or an attacker
 * could take a fresh address for every guess; IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
 * Anything else (with `TRUST_PROXY=true` the client picks its `X-Forwarded-For`, of any length and any bytes) is
 * hashed, so no value can overflow the store's key column or carry a byte PostgreSQL refuses.
 */
export function clientKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return `~${createHash('sha256').update(ip, 'utf8').digest('base64url').slice(0, 32)}`;
  const parsed = ipaddr.process(ip);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  return `${(parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64`;
}

/**
 * The account part of a key: a SHA-256 of the email as Auth stores it (trimmed, lower-cased), so `A@x.io` and
 * `a@x.io` share one counter, a 320-character email still fits the store's 255-character key, and neither Redis
 * nor the counters table holds a list of email addresses.
 */
export function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('base64url').slice(0, 32);
}
