/**
 * The PostgreSQL table's limit: a bare Fastify route, preloaded into the measured server's process, that runs the
 * session lookup the service sends as one named (prepared) query on a `pg` pool of the service's size and answers the
 * user's email. What Sesame adds to that lookup (cookie, hashing, validation, hooks, serialisation, its own driver
 * path) is what the `GET /profile` ratio measures.
 * @module
 */
import Fastify from 'fastify';
import pg from 'pg';
import type { LogLevel } from '../src/kernel/logging.js';
import { loggerOptions } from '../src/kernel/logging.js';

/** Settings the bench hands the probe for this route (environment variables, as the probe starts before the server). */
export const QUERY_ROUTE_ENV = {
  port: 'BENCH_QUERY_PORT',
  sql: 'BENCH_QUERY_SQL',
  idHash: 'BENCH_QUERY_ID_HASH',
} as const;

/** Serves `GET /` → `{"email": ...}` from the prepared lookup when the bench asked for it; does nothing otherwise. */
export function startQueryRoute(): void {
  const port = Number(process.env[QUERY_ROUTE_ENV.port]);
  const text = process.env[QUERY_ROUTE_ENV.sql];
  const idHash = process.env[QUERY_ROUTE_ENV.idHash];
  const url = process.env['DATABASE_URL'];
  if (!Number.isInteger(port) || port <= 0 || text === undefined || idHash === undefined || url === undefined) return;
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env['DATABASE_POOL_SIZE'] ?? 10) });
  pool.on('error', () => undefined);
  const level = (process.env['LOG_LEVEL'] ?? 'info') as LogLevel;
  const app = Fastify({ logger: loggerOptions(level), return503OnClosing: true });
  app.get('/', async (_request, reply) => {
    const { rows } = await pool.query<{ email: string }>({ name: 'bench_session_lookup', text, values: [idHash, Date.now(), -1] });
    const row = rows[0];
    if (row === undefined) return reply.code(403).send({ message: 'Forbidden' });
    return { email: row.email };
  });
  app.addHook('onClose', () => pool.end());
  app.listen({ port, host: '127.0.0.1' }).catch((error: unknown) => {
    process.stderr.write(`bench probe: query route failed to listen: ${String(error)}\n`);
  });
}
