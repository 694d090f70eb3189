/**
 * What the standalone server says, loudly, before it listens in a setting that is legal but dangerous: a development
 * profile that hands reset tokens out in response bodies (anyone who knows an email can take the account) bound to an
 * interface other machines can reach; and an environment variable that looks like a misspelt setting
 * (`DATABASE_URI`), which would otherwise leave the default in force without a word.
 * @module
 */
import { settingNearMisses, type Config } from '../config.js';

/** True for an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The warnings a configuration deserves at start-up, as sentences; empty when there is nothing to say. */
export function startupWarnings(config: Config, env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const warnings: string[] = settingNearMisses(env);
  if (config.password.reset.delivery === 'response' && !isLoopback(config.server.host)) {
    warnings.push(
      `HOST=${config.server.host} serves other machines while RESET_TOKEN_DELIVERY=response hands reset tokens out in ` +
        'response bodies: anyone who can reach this port and knows an email can take over that account. Bind to ' +
        '127.0.0.1, or set RESET_TOKEN_DELIVERY=webhook (SESAME_PROFILE=production does both checks for you).',
    );
  }
  return warnings;
}
