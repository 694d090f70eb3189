/**
 * `TRUST_PROXY`: which peers may tell Sesame the client's address (`X-Forwarded-For`) and scheme. The client address
 * keys every rate limit, so believing the wrong peer either lets any client pick its own key or makes every client
 * share the balancer's.
 * @module
 */
import proxyAddr from '@fastify/proxy-addr';
import type { z } from 'zod';

/** Nobody (`false`), every peer (`true`), or the addresses, CIDR ranges and proxy-addr keywords of the proxies. */
export type TrustProxy = boolean | readonly string[];

/**
 * Parses `TRUST_PROXY`. A bare hop count (`1`) is refused rather than accepted: Fastify 5 treats a number as "trust
 * nobody" (a hop count alone cannot tell a proxy from a client that sends its own `X-Forwarded-For`), so the count
 * silently left every client with the balancer's address and one client's wrong guesses locked accounts for all.
 * Naming the proxies is both what works and what is safe: each hop is believed only while it is a listed proxy.
 */
export function parseTrustProxy(text: string, ctx: z.RefinementCtx): TrustProxy {
  const value = text.trim();
  if (value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message:
        `TRUST_PROXY=${value} (a hop count) is refused: it cannot tell your proxy from a client that sends its own ` +
        'X-Forwarded-For. List the proxies instead: their addresses or ranges (TRUST_PROXY=10.0.0.0/8), or loopback, ' +
        'linklocal or uniquelocal',
    });
    return false;
  }
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of entries) {
    try {
      proxyAddr.compile(entry);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `TRUST_PROXY entries must be IP addresses, CIDR ranges, loopback, linklocal or uniquelocal; got ${JSON.stringify(entry)}`,
      });
    }
  }
  if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'TRUST_PROXY must be false, true or a list of proxy addresses' });
  return entries;
}
