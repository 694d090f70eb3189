/**
 * What the standalone server says, loudly, before it listens in a setting that is legal but dangerous: a development
 * profile that hands reset tokens out in response bodies (anyone who knows an email can take the account) bound to an
 * interface other machines can reach.
 * @module
 */
import type { Config } from '../config.js';

/** True for an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The warnings a configuration deserves at start-up, as sentences; empty when there is nothing to say. */
export function startupWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.password.reset.delivery === 'response' && !isLoopback(config.server.host)) {
    warnings.push(
      `HOST=${config.server.host} serves other machines while RESET_TOKEN_DELIVERY=response hands reset tokens out in ` +
        'response bodies: anyone who can reach this port and knows an email can take over that account. Bind to ' +
        '127.0.0.1, or set RESET_TOKEN_DELIVERY=webhook (SESAME_PROFILE=production does both checks for you).',
    );
  }
  return warnings;
}
