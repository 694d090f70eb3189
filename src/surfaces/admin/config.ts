/**
 * The admin surface's settings: whether it listens (off unless `ADMIN_PORT` is set), where, and whether a
 * non-loopback address is really meant. Operators' routes never share the public port (as Kratos keeps its admin API
 * apart), so a mistake in front of the public port cannot expose them.
 * @module
 */
import { z } from 'zod';
import { defineConfig } from '../../kernel/config/fragment.js';
import { boolean, integer } from '../../kernel/config/fields.js';

/** What the admin surface is configured with. */
export interface AdminConfig {
  /** The admin listener's port, or undefined when the admin API is off (0 picks a free port). */
  readonly port: number | undefined;
  /** The interface it binds (default loopback only). */
  readonly host: string;
  /** Whether a non-loopback `host` was explicitly allowed (`ADMIN_ALLOW_REMOTE=true`). */
  readonly allowRemote: boolean;
}

/** True for an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `ADMIN_PORT`, `ADMIN_HOST` and `ADMIN_ALLOW_REMOTE`. */
export const adminConfig = defineConfig({
  env: {
    ADMIN_PORT: integer('ADMIN_PORT', 0, 65535).optional(),
    ADMIN_HOST: z.string().min(1, 'ADMIN_HOST must not be empty').default('127.0.0.1'),
    ADMIN_ALLOW_REMOTE: boolean('ADMIN_ALLOW_REMOTE').default(false),
  },
  build: (env): AdminConfig => ({ port: env.ADMIN_PORT, host: env.ADMIN_HOST, allowRemote: env.ADMIN_ALLOW_REMOTE }),
  refuseInProduction: (admin) =>
    admin.port !== undefined && !isLoopback(admin.host) && !admin.allowRemote
      ? [`set ADMIN_HOST to a loopback address (or ADMIN_ALLOW_REMOTE=true behind a private network): the admin API would listen on ${admin.host}`]
      : [],
});
