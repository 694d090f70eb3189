// Behind a pooler: the built server runs the seed flow, and many concurrent flows, through a PgBouncer it does not
// own a connection of (transaction mode hands each transaction to any server connection), with prepared statements
// off as README says for a PgBouncer older than 1.21. The PgBouncer and its database are the test's own.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSeedFlow, uniqueEmail } from '../../seed/e2e/seed-flow.js';
import { startBuiltServer, type RunningServer } from '../../support/built-server.js';
import { isCi, postgresAvailability, postgresBaseUrl } from '../../support/engines.js';
import { pgbouncerAvailability, startPgBouncer, type PrivatePgBouncer } from '../../support/pgbouncer.js';

const missing = [postgresAvailability, pgbouncerAvailability].find((a) => !a.ok);
const reason = missing !== undefined && !missing.ok ? missing.reason : '';
const suite = missing === undefined || isCi ? describe : describe.skip;

suite(`Sesame through PgBouncer in transaction mode${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let bouncer: PrivatePgBouncer;
  let server: RunningServer;

  beforeAll(async () => {
    if (missing !== undefined) throw new Error(reason);
    bouncer = await startPgBouncer();
    server = await startBuiltServer({
      env: { DATABASE_URL: bouncer.url, DATABASE_PREPARED_STATEMENTS: 'false', RATE_LIMIT_STORE: 'database', BCRYPT_COST: '4' },
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await bouncer?.stop();
  });

  it('migrates through PgBouncer and passes the seed flow', async () => {
    expect(bouncer.version).toMatch(/^PgBouncer \d+\.\d+/);
    const flow = await runSeedFlow(server.url);
    expect(flow.sessionIds).toHaveLength(2);
    // The rows are in PgBouncer's database on the real server, not somewhere else.
    const direct = new URL(postgresBaseUrl);
    direct.pathname = `/${new URL(bouncer.url).pathname.slice(1)}`;
    const client = new pg.Client({ connectionString: direct.toString() });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM users WHERE email = $1', [flow.email]);
      expect(rows[0]?.n).toBe('1');
    } finally {
      await client.end();
    }
  });

  it('serves twenty flows at once over its four server connections, each seeing its own session', async () => {
    const flows = await Promise.all(Array.from({ length: 20 }, () => runSeedFlow(server.url, { email: uniqueEmail('pgbouncer') })));
    expect(new Set(flows.map((flow) => flow.sessionIds[1])).size).toBe(20);
    expect(server.logs()).not.toMatch(/"level":50/);
    expect(bouncer.log()).not.toMatch(/prepared statement .* does not exist/);
  });
});
