/**
 * Settings a host's `settings` object may not carry: the ones only the standalone server reads. Silently ignoring
 * `PORT` or `METRICS_ENABLED` in a plugin would let a host believe it had set something; each is refused with what
 * to use instead. The fetch handler reads `TRUST_PROXY` itself (it has no host Fastify to ask), so only the plugin
 * refuses that one.
 * @module
 */

/** Where the listening address comes from in a host, and what mailed links use instead. */
const LISTEN = "the host's own listen() decides where it serves; set PUBLIC_URL so mailed links point there";

/** What the host's HTTP server decides. */
const HOST_SERVER = "set it on the host's HTTP server (Fastify's server options, or node:http's)";

/** Settings only the standalone server reads, and what a host does instead. */
export const STANDALONE_ONLY: Readonly<Record<string, string>> = {
  PORT: LISTEN,
  HOST: LISTEN,
  WORKERS: 'run the host itself in several processes (node:cluster or a process manager)',
  REQUEST_TIMEOUT: HOST_SERVER,
  HEADERS_TIMEOUT: HOST_SERVER,
  KEEP_ALIVE_TIMEOUT: HOST_SERVER,
  MAX_CONNECTIONS: HOST_SERVER,
  SHUTDOWN_TIMEOUT: 'the host decides how long it waits when it stops (closing it closes Sesame)',
  ADMIN_PORT: 'the admin API belongs to the standalone server: use the sesame command, or createSesame\'s services from sesame-auth/server',
  ADMIN_HOST: 'the admin API belongs to the standalone server: use the sesame command, or createSesame\'s services from sesame-auth/server',
  ADMIN_ALLOW_REMOTE: 'the admin API belongs to the standalone server: use the sesame command, or createSesame\'s services from sesame-auth/server',
  METRICS_ENABLED: 'the host serves its own metrics',
  OPENAPI_ENABLED: "register @fastify/swagger on the host: Sesame's routes appear in its document",
  MAX_EVENT_LOOP_DELAY: 'shed load in the host (e.g. @fastify/under-pressure)',
  MAX_HEAP_USED: 'shed load in the host (e.g. @fastify/under-pressure)',
};

/** What the plugin refuses besides {@link STANDALONE_ONLY}: the proxy trust, which a Fastify host sets on itself. */
const PLUGIN_ONLY_REFUSED: Readonly<Record<string, string>> = { TRUST_PROXY: "set Fastify's trustProxy option on the host" };

/** The refusals of a settings object for a surface: one "NAME is read only by the standalone server: ..." per key. */
export function standaloneOnlyProblems(settings: Readonly<Record<string, string | undefined>>, surface: 'plugin' | 'fetch'): string[] {
  const refused = surface === 'plugin' ? { ...STANDALONE_ONLY, ...PLUGIN_ONLY_REFUSED } : STANDALONE_ONLY;
  return Object.keys(settings)
    .filter((name) => Object.hasOwn(refused, name) && settings[name] !== undefined)
    .map((name) => `${name} is read only by the standalone server: ${refused[name] ?? ''}`);
}
