/**
 * The bench database on PostgreSQL: a fresh schema selected through the URL's search_path, bulk seeding with generate_series, EXPLAIN (ANALYZE, BUFFERS), the bare-query route's reference, and DROP SCHEMA afterwards.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { PostgresDialect } from 'kysely';
import pg from 'pg';
import { captureHotQueries } from './capture-sql.js';
import { seededEmail, type BenchDatabase, type PlanReport } from './database.js';

/** The server the bench uses when DATABASE_URL is unset: the local trust-auth `test` database. */
const DEFAULT_POSTGRES_URL = 'postgres://root@127.0.0.1:5432/test';

/** Rows per INSERT statement. */
const BATCH = 100_000;

/** Session lifetime of the seeded sessions (seven days, the service default). */
const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

/** Runs statements on one short-lived connection. */
async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The id hash of seeded user `n`'s live session. */
async function liveSessionHash(url: string, n: number): Promise<string> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ id_hash: string }>(
      'SELECT s.id_hash FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1 AND s.ended_at IS NULL ORDER BY s.created_at LIMIT 1',
      [seededEmail(n)],
    );
    const idHash = rows[0]?.id_hash;
    if (idHash === undefined) throw new Error(`bench: seeded user ${n} has no live session`);
    return idHash;
  });
}

/** Creates a `sesame_bench_<random>` schema on DATABASE_URL's server; the caller migrates it. */
export async function openPostgresBench(): Promise<BenchDatabase> {
  const baseUrl = process.env['DATABASE_URL'] ?? DEFAULT_POSTGRES_URL;
  if (!/^postgres(ql)?:\/\//.test(baseUrl)) throw new Error('bench: --db postgres needs DATABASE_URL=postgres://... (or unset for the local default)');
  const schema = `sesame_bench_${randomBytes(6).toString('hex')}`;
  await withClient(baseUrl, (client) => client.query(`CREATE SCHEMA "${schema}"`));
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  let seeded = 0;
  return {
    url: url.toString(),
    get seeded() {
      return seeded;
    },
    async seedTo(total, hashedPassword) {
      await withClient(url.toString(), async (client) => {
        const now = Date.now();
        for (let from = seeded + 1; from <= total; from += BATCH) {
          const to = Math.min(total, from + BATCH - 1);
          // One statement per batch: the users, then one live session for each new user (random 64-hex id hash).
          await client.query(
            `WITH inserted AS (
               INSERT INTO users (email, hashed_password, created_at, updated_at)
               SELECT 'bench-' || n || '@bench.test', $3, $4, $4 FROM generate_series($1::int, $2::int) AS n
               RETURNING id)
             INSERT INTO sessions (id_hash, user_id, created_at, expires_at)
             SELECT md5(random()::text || id) || md5(random()::text || id), id, $4, $5 FROM inserted`,
            [from, to, hashedPassword, now, now + SESSION_TTL_MS],
          );
        }
        // What autovacuum would do soon after a bulk load: give the planner row counts.
        await client.query('ANALYZE users; ANALYZE sessions');
      });
      seeded = Math.max(seeded, total);
    },
    async queryReference(n) {
      const [lookup] = await captureHotQueries(new PostgresDialect({ pool: new pg.Pool({ connectionString: url.toString(), max: 1 }) }), 'postgres', seededEmail(n));
      if (lookup === undefined) throw new Error('bench: no session lookup captured');
      return { sql: lookup.sql, idHash: await liveSessionHash(url.toString(), n) };
    },
    async explain(): Promise<PlanReport[]> {
      const queries = await captureHotQueries(new PostgresDialect({ pool: new pg.Pool({ connectionString: url.toString(), max: 1 }) }), 'postgres', seededEmail(1));
      const idHash = await liveSessionHash(url.toString(), 1);
      return withClient(url.toString(), async (client) => {
        const plans: PlanReport[] = [];
        for (const { query, sql, parameters } of queries) {
          // A live session, so the plan shows the join actually running; ANALYZE executes it, BUFFERS shows cache hits.
          const values = query.startsWith('GET /profile') ? [idHash, ...parameters.slice(1)] : [...parameters];
          const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, values);
          plans.push({ query, sql, plan: rows.map((row) => row['QUERY PLAN']) });
        }
        return plans;
      });
    },
    async drop() {
      await withClient(baseUrl, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    },
  };
}
