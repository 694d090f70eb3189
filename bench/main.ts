/**
 * `npm run bench`: starts the real server on fresh, bulk-seeded databases, drives it over loopback with autocannon, and prints every row of issue 4's table with its ratio to a limit measured in the same run.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import { preparePassword } from '../src/modules/password/index.js';
import type { ProfileSummary } from './cpu-profile.js';
import { createBenchDatabase, seededEmail, type BenchDatabase, type PlanReport } from './database.js';
import { checkProfile, logIn } from './http.js';
import { backgroundLoad, describeMachine } from './machine.js';
import { BASELINE_USERS, parseOptions, type BenchOptions } from './options.js';
import { PASSWORD, STRICT_PASSWORDS, bcryptRows, cpuProfiles, profileVersusSingle, progress, routesVersusHelloWorld, serverSpec, strengthRows, type RunContext } from './phases.js';
import { killAllServers, startServer, type BenchServer } from './server-process.js';
import { printBreachFilterTable } from './breach-filter.js';
import { printStartupTable } from './startup.js';
import { renderTable, type Row } from './table.js';

/** A number with thousands separators, e.g. `1,000,000`. */
function count(n: number): string {
  return n.toLocaleString('en');
}

/** Creates and seeds one bench database (added to `created` at once, for the clean-up), reporting how long the bulk load took. */
async function seeded(ctx: RunContext, name: string, users: number, created: BenchDatabase[]): Promise<BenchDatabase> {
  const database = await createBenchDatabase(ctx.options.db, ctx.temp, name);
  created.push(database);
  const started = Date.now();
  await database.seedTo(users, ctx.hash);
  progress(`seeded ${count(users)} users (one live session each) on ${ctx.options.db} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return database;
}

/** Logs the first seeded user in on `server` and checks that `GET /profile` answers with its email. */
async function session(server: BenchServer): Promise<{ server: BenchServer; sessionId: string }> {
  const sessionId = await logIn(server.url, seededEmail(1), PASSWORD);
  await checkProfile(server.url, sessionId, seededEmail(1));
  return { server, sessionId };
}

/** Prints the query plans of the per-request lookups. */
function printPlans(plans: readonly PlanReport[], users: number, engine: string): void {
  process.stdout.write(`\nQuery plans (${engine}, ${count(users)} users), of the SQL the DB layer sends:\n`);
  for (const plan of plans) {
    process.stdout.write(`- ${plan.query}\n  ${plan.sql}\n${plan.plan.map((line) => `    ${line}`).join('\n')}\n`);
  }
}

/** Prints a CPU profile summary: packages, then functions, by self time. */
function printProfile(title: string, summary: ProfileSummary): void {
  const busy = summary.totalMs - summary.idleMs;
  const perRequest = (ms: number): string => `${((ms * 1000) / Math.max(1, summary.requests)).toFixed(1).padStart(6)} µs/req`;
  process.stdout.write(
    `\nCPU profile of the server under ${title} load: ${busy.toFixed(0)} ms busy of ${summary.totalMs.toFixed(0)} ms sampled, ` +
      `${count(summary.requests)} requests, ${perRequest(busy).trim()} on the main thread\n`,
  );
  const list = (heading: string, items: ProfileSummary['packages']): void => {
    process.stdout.write(`${heading}\n`);
    for (const item of items) {
      process.stdout.write(`  ${(item.share * 100).toFixed(1).padStart(5)}%  ${item.ms.toFixed(0).padStart(6)} ms ${perRequest(item.ms)}  ${item.name}\n`);
    }
  };
  list('self time by package:', summary.packages);
  list('self time by function:', summary.functions);
}

/** Runs every measurement and prints the table, the query plans, when asked the CPU profiles, and the start-up table (alone with `--startup-only`). */
async function run(options: BenchOptions): Promise<void> {
  if (options.startupOnly) return printStartupTable(true);
  if (options.breachOnly) return printBreachFilterTable(options.breachEntries);
  const otherLoad = await backgroundLoad();
  if (otherLoad !== undefined && otherLoad > 0.15) {
    progress(`warning: ${(otherLoad * 100).toFixed(0)}% of the CPU is busy with other work before the run; figures will be noisy`);
  }
  const temp = mkdtempSync(join(tmpdir(), 'sesame-bench-'));
  progress(`scratch directory ${temp}`);
  const databases: BenchDatabase[] = [];
  const interrupt = (): void => {
    killAllServers();
    void Promise.allSettled(databases.map((database) => database.drop())).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  let failed = true;
  try {
    const ctx: RunContext = { options, temp, hash: await bcrypt.hash(preparePassword(PASSWORD), options.cost) };
    const baseline = await seeded(ctx, 'baseline', BASELINE_USERS, databases);
    const large = options.users > BASELINE_USERS ? await seeded(ctx, 'large', options.users, databases) : undefined;

    const queryRoute = await baseline.queryReference?.(1);
    const single = await session(await startServer(serverSpec(ctx, baseline, 'single', { probe: true, ...(queryRoute === undefined ? {} : { queryRoute }) })));
    const rows: Row[] = await routesVersusHelloWorld(ctx, single.server, single.sessionId, count(BASELINE_USERS));

    const workers = await session(await startServer(serverSpec(ctx, baseline, 'workers-2', { workers: 2 })));
    rows.push(
      await profileVersusSingle(
        ctx,
        single,
        workers,
        `GET /profile, valid session, WORKERS=2 (${count(BASELINE_USERS)} users)`,
        // On PostgreSQL the database's own processes take their share of the same cores, so a second worker cannot
        // add as much; the row is shown without a target there.
        options.db === 'sqlite' ? 1.5 : undefined,
        `autocannon${options.db === 'postgres' ? ' and PostgreSQL share' : ' shares'} the cores with both workers`,
      ),
    );
    await workers.server.stop();
    if (large !== undefined) {
      const big = await session(await startServer(serverSpec(ctx, large, 'large')));
      rows.push(await profileVersusSingle(ctx, single, big, `GET /profile, valid session (${count(options.users)} users)`, 0.8));
      await big.server.stop();
    }
    rows.push(...(await bcryptRows(ctx, single.server, seededEmail(1))));
    const strict = await startServer(serverSpec(ctx, baseline, 'strict-passwords', { probe: true, env: STRICT_PASSWORDS }));
    rows.push(...(await strengthRows(ctx, strict)));
    await strict.stop();
    const profiles = options.cpuProf ? await cpuProfiles(ctx, single.server, single.sessionId) : undefined;
    await single.server.stop();
    const plans = await (large ?? baseline).explain();

    process.stdout.write(`\n${describeMachine()}\n`);
    if (otherLoad !== undefined) process.stdout.write(`other CPU load just before the run: ${(otherLoad * 100).toFixed(0)}% of all cores\n`);
    process.stdout.write(
      `engine ${options.db}, BCRYPT_COST=${options.cost}, ${options.connections} connections, ${options.duration} s per row after ` +
        `${options.warmup} s warm-up, LOG_LEVEL=${process.env['LOG_LEVEL'] ?? 'info'}, rate limits off\n\n`,
    );
    process.stdout.write(`${renderTable(rows)}\n`);
    printPlans(plans, large === undefined ? BASELINE_USERS : options.users, options.db);
    if (profiles !== undefined) {
      printProfile('GET /profile', profiles.profile);
      printProfile('hello-world', profiles.hello);
      if (profiles.query !== undefined) printProfile('bare query route', profiles.query);
    }
    await printStartupTable(false);
    await printBreachFilterTable(options.breachEntries);
    failed = false;
  } finally {
    process.removeListener('SIGINT', interrupt);
    killAllServers();
    await Promise.allSettled(databases.map((database) => database.drop()));
    if (failed) progress(`kept ${temp} (server logs) for inspection`);
    else rmSync(temp, { recursive: true, force: true });
  }
}

run(parseOptions(process.argv.slice(2))).catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
