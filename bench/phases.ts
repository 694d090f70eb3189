/**
 * The bench's measurements, one function per group of rows; each group measures its rows against their limit in the same run, interleaved where the limit is another HTTP load.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { prepareBcryptBound } from './bcrypt-bound.js';
import { summariseProfile, type ProfileSummary } from './cpu-profile.js';
import type { BenchDatabase } from './database.js';
import { FORM_HEADERS, form } from './http.js';
import { combine, measureInterleaved, measureLoad, median, pairedRatio, type LoadResult, type LoadSpec } from './load.js';
import type { BenchOptions } from './options.js';
import type { BenchServer, ServerSpec } from './server-process.js';
import type { Row } from './table.js';

/** The password of every seeded user (one precomputed hash serves them all). */
export const PASSWORD = 'correct horse battery staple';

/** What every phase needs. */
export interface RunContext {
  /** Parsed options. */
  readonly options: BenchOptions;
  /** Scratch directory (logs, SQLite files, CPU profiles). */
  readonly temp: string;
  /** Bcrypt hash of {@link PASSWORD} at the chosen cost. */
  readonly hash: string;
}

/** Writes a progress line to stderr, so stdout holds only the results. */
export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** A server spec on `database` with the run's cost; `name` names its log file. */
export function serverSpec(ctx: RunContext, database: BenchDatabase, name: string, overrides: Partial<ServerSpec> = {}): ServerSpec {
  return { databaseUrl: database.url, cost: ctx.options.cost, workers: 1, probe: false, logFile: join(ctx.temp, `${name}.log`), ...overrides };
}

/** A load spec against `server` with the run's duration, warm-up and connections (`rest` may override the warm-up). */
function load(ctx: RunContext, server: BenchServer, rest: Omit<LoadSpec, 'connections' | 'duration' | 'warmup' | 'serverPid'> & { warmup?: number }): LoadSpec {
  return {
    connections: ctx.options.connections,
    duration: ctx.options.duration,
    warmup: ctx.options.warmup,
    ...(server.pid === undefined ? {} : { serverPid: server.pid }),
    ...rest,
  };
}

/** `GET /profile` with a session cookie on `server`. */
function profileLoad(ctx: RunContext, server: BenchServer, sessionId: string): LoadSpec {
  return load(ctx, server, { url: `${server.url}/profile`, headers: { cookie: `session_id=${sessionId}` }, expectStatus: 200 });
}

/**
 * A note when other processes took more than 5% of the machine during a run (the figure is then pessimistic); on
 * PostgreSQL the database server's own processes count among them, as the accounting cannot tell them apart.
 */
function otherLoadNote(ctx: RunContext, otherLoad: number | undefined): string | undefined {
  if (otherLoad === undefined || otherLoad < 0.05) return undefined;
  return `other processes${ctx.options.db === 'postgres' ? ' (PostgreSQL among them)' : ''} used ${(otherLoad * 100).toFixed(0)}% of the CPU`;
}

/** A throughput row: the load's figures, its ratio to its limit, the target check when there is one, and notes. */
function row(ctx: RunContext, name: string, result: LoadResult, ratio: number, limit: string, target?: number, note?: string): Row {
  const unexpected = result.unexpected === 0 ? undefined : `${result.unexpected} unexpected answers: ${JSON.stringify(result.statuses)}`;
  const notes = [note, unexpected, otherLoadNote(ctx, result.otherLoad)].filter((text): text is string => text !== undefined);
  return {
    name,
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    ratio,
    limit,
    target: target === undefined ? '' : `>= ${target}`,
    ...(target === undefined ? {} : { met: ratio >= target }),
    ...(notes.length === 0 ? {} : { note: notes.join('; ') }),
  };
}

/**
 * Hello-world, `GET /`, `GET /profile` (valid and unknown session), interleaved; ratios to hello-world round by round.
 * On PostgreSQL the bare-query route (the same lookup as one prepared query, same process) joins the rounds and is
 * the limit of both `GET /profile` rows instead.
 */
export async function routesVersusHelloWorld(ctx: RunContext, server: BenchServer, sessionId: string, users: string): Promise<Row[]> {
  const queryUrl = server.queryUrl;
  progress(`hello-world,${queryUrl === undefined ? '' : ' bare query,'} GET /, GET /profile (valid, unknown), interleaved in 1 s rounds`);
  const specs = [
    load(ctx, server, { url: `${server.helloUrl ?? ''}/`, expectStatus: 200 }),
    load(ctx, server, { url: `${server.url}/`, expectStatus: 200 }),
    profileLoad(ctx, server, sessionId),
    load(ctx, server, { url: `${server.url}/profile`, headers: { cookie: `session_id=${randomUUID()}` }, expectStatus: 403 }),
    ...(queryUrl === undefined ? [] : [load(ctx, server, { url: `${queryUrl}/`, expectStatus: 200 })]),
  ];
  const [hello, home, profile, unknown, query] = await measureInterleaved(specs);
  if (hello === undefined || home === undefined || profile === undefined || unknown === undefined) throw new Error('bench: missing results');
  const helloLimit = 'hello-world, same rounds';
  const profileBase = query ?? hello;
  const profileLimit = query === undefined ? helloLimit : 'bare query route, same rounds';
  return [
    row(ctx, 'hello-world route (bare Fastify, same process)', hello, 1, 'itself'),
    ...(query === undefined
      ? []
      : [row(ctx, 'bare query route: the session lookup as one prepared pg query, same process and pool size', query, 1, 'itself', undefined, `${pairedRatio(query, hello).toFixed(2)} of hello-world`)]),
    row(ctx, 'GET /', home, pairedRatio(home, hello), helloLimit),
    row(ctx, `GET /profile, valid session (${users} users)`, profile, pairedRatio(profile, profileBase), profileLimit, 0.7),
    row(ctx, 'GET /profile, unknown session (403)', unknown, pairedRatio(unknown, profileBase), profileLimit),
  ];
}

/**
 * `GET /profile` on `other` interleaved with the single process `single`; the row shows `other`'s figures and its
 * ratio to the single process round by round.
 */
export async function profileVersusSingle(
  ctx: RunContext,
  single: { server: BenchServer; sessionId: string },
  other: { server: BenchServer; sessionId: string },
  name: string,
  target: number | undefined,
  note?: string,
): Promise<Row> {
  progress(`${name}, interleaved with the single process at the baseline`);
  const [base, result] = await measureInterleaved([profileLoad(ctx, single.server, single.sessionId), profileLoad(ctx, other.server, other.sessionId)]);
  if (base === undefined || result === undefined) throw new Error('bench: missing results');
  const cores = (result: LoadResult): string =>
    result.cores === undefined ? '' : ` (autocannon ${result.cores.bench.toFixed(2)} cores, server ${result.cores.server.toFixed(2)} cores)`;
  const context = `single process in the same rounds: ${base.rps.toFixed(0)} req/s${cores(base)}; this row${cores(result)}`;
  return row(ctx, name, result, pairedRatio(result, base), 'single process at baseline, same rounds', target, [note, context].filter(Boolean).join('; '));
}

/** Rounds of each bcrypt row: every round runs a batch of the bound, then a batch of requests of the same size. */
const BCRYPT_ROUNDS = 3;

/** A bcrypt row's result: the requests, the bound measured in alternation with them, and their paired ratio. */
interface VersusBound {
  /** The requests, combined over the rounds. */
  readonly result: LoadResult;
  /** The bound's rate in each round. */
  readonly bounds: readonly number[];
  /** Median over rounds of requests/s divided by the bound measured just before. */
  readonly ratio: number;
  /** Requests (and hashes) per batch. */
  readonly amount: number;
}

/**
 * Alternates batches of the bcrypt bound with batches of the same number of requests on as many connections (each
 * lane or connection doing the same count in a row), after one warm-up batch of each; `hooks` bracket every request
 * batch (to sample the event loop only while loaded).
 */
async function versusBound(ctx: RunContext, spec: LoadSpec, hooks: { before?: () => void; after?: () => void } = {}): Promise<VersusBound> {
  const bound = await prepareBcryptBound(ctx.hash, PASSWORD, ctx.options.connections);
  const { connections, duration } = ctx.options;
  // A whole number of requests per connection, so autocannon gives every connection the same share.
  const perLane = Math.max(1, Math.round((bound.roughRate * duration) / BCRYPT_ROUNDS / connections));
  const amount = perLane * connections;
  await measureLoad({ ...spec, amount: connections, warmup: 0 });
  const bounds: number[] = [];
  const results: LoadResult[] = [];
  for (let round = 0; round < BCRYPT_ROUNDS; round += 1) {
    bounds.push(await bound.batch(perLane));
    hooks.before?.();
    results.push(await measureLoad({ ...spec, amount, warmup: 0 }));
    hooks.after?.();
  }
  return { result: combine(results), bounds, amount, ratio: median(results.map((result, round) => result.rps / (bounds[round] ?? NaN))) };
}

/** The row showing the bound itself. */
function boundRow(ctx: RunContext, measured: VersusBound, next: string): Row {
  const { connections, cost } = ctx.options;
  return {
    name: `bcrypt bound: bcrypt.compare, cost ${cost}, ${connections} in flight, no HTTP`,
    rps: median(measured.bounds),
    ratio: 1,
    limit: 'itself',
    target: '',
    note: `${BCRYPT_ROUNDS} batches of ${measured.amount} hashes, each just before a batch of ${next}`,
  };
}

/** Logins (with the event-loop delay inside the server) and registrations, each alternating with the bcrypt bound. */
export async function bcryptRows(ctx: RunContext, server: BenchServer, email: string): Promise<Row[]> {
  progress(`POST /sessions (valid login) against the bcrypt bound (cost ${ctx.options.cost}), with the event-loop delay`);
  server.resetEld();
  const login = await versusBound(
    ctx,
    load(ctx, server, { url: `${server.url}/sessions`, method: 'POST', headers: FORM_HEADERS, body: form({ email, password: PASSWORD }), expectStatus: 200 }),
    { before: () => server.beginEld(), after: () => server.endEld() },
  );
  const eld = await server.readEld();

  progress(`POST /users (registration) against the bcrypt bound`);
  let next = 0;
  const prefix = randomUUID().slice(0, 8);
  const register = await versusBound(
    ctx,
    load(ctx, server, {
      url: `${server.url}/users`,
      method: 'POST',
      headers: FORM_HEADERS,
      body: () => form({ email: `new-${prefix}-${(next += 1)}@bench.test`, password: PASSWORD }),
      expectStatus: 200,
    }),
  );
  return [
    boundRow(ctx, login, 'logins'),
    row(ctx, 'POST /sessions (valid login)', login.result, login.ratio, 'bcrypt bound, alternating', 0.9),
    {
      name: 'event-loop delay p99 while logins saturate the CPU',
      p50: eld.p50,
      p99: eld.p99,
      limit: '20 ms',
      target: 'p99 < 20 ms',
      met: eld.p99 < 20,
      note: `worst p99 of the ${eld.intervals} login batches; max ${eld.max.toFixed(1)} ms over ${eld.samples} samples (monitorEventLoopDelay, 10 ms resolution, inside the server)`,
    },
    boundRow(ctx, register, 'registrations'),
    row(ctx, 'POST /users (registration)', register.result, register.ratio, 'bcrypt bound, alternating'),
  ];
}

/**
 * V8's CPU profiler inside the server (the `--cpu-prof` sampler, started over IPC after the warm-up so start-up is
 * left out) during `GET /profile` load, then during the hello-world load for comparison.
 */
export async function cpuProfiles(ctx: RunContext, server: BenchServer, sessionId: string): Promise<{ profile: ProfileSummary; hello: ProfileSummary; query?: ProfileSummary }> {
  progress('CPU profiles of the server under GET /profile and hello-world load');
  const profileOf = async (spec: LoadSpec, name: string): Promise<ProfileSummary> => {
    const file = join(ctx.temp, `${name}.cpuprofile`);
    const result = await measureLoad({ ...spec, onMeasureStart: () => server.startProfile() });
    await server.stopProfile(file);
    return summariseProfile(file, result.total);
  };
  const queryUrl = server.queryUrl;
  return {
    profile: await profileOf(profileLoad(ctx, server, sessionId), 'profile'),
    hello: await profileOf(load(ctx, server, { url: `${server.helloUrl ?? ''}/`, expectStatus: 200 }), 'hello'),
    ...(queryUrl === undefined ? {} : { query: await profileOf(load(ctx, server, { url: `${queryUrl}/`, expectStatus: 200 }), 'query') }),
  };
}

/** The production password policy, without the rest of the production profile (the bench speaks plain HTTP). */
export const STRICT_PASSWORDS: Readonly<Record<string, string>> = {
  PASSWORD_MIN_LENGTH: '15',
  PASSWORD_CHECK_COMMON: 'true',
  PASSWORD_MIN_SCORE: '3',
};

/**
 * Registrations under the production password policy with patterned 64-character passwords, the costliest input
 * zxcvbn scores (about 0.4 s of CPU each): the event-loop delay inside the server shows that scoring stays off it.
 */
export async function strengthRows(ctx: RunContext, server: BenchServer): Promise<Row[]> {
  progress('POST /users with costly passwords under the production password policy, with the event-loop delay');
  server.resetEld();
  let next = 0;
  const prefix = randomUUID().slice(0, 8);
  const result = await measureLoad({
    ...load(ctx, server, {
      url: `${server.url}/users`,
      method: 'POST',
      headers: FORM_HEADERS,
      body: () => {
        next += 1;
        return form({ email: `strict-${prefix}-${next}@bench.test`, password: `xk#9Lm!2pQ@7vN$4wR^8-${next}`.repeat(4).slice(0, 64) });
      },
      expectStatus: 200,
    }),
    onMeasureStart: () => server.beginEld(),
  });
  server.endEld();
  const eld = await server.readEld();
  return [
    {
      ...row(ctx, 'POST /users, production password policy, 64-character patterned passwords', result, 1, ''),
      ratio: undefined,
      limit: 'none: zxcvbn (~0.4 s CPU each) and bcrypt share the cores',
    },
    {
      name: 'event-loop delay p99 while those registrations saturate the CPU',
      p50: eld.p50,
      p99: eld.p99,
      limit: '20 ms',
      target: 'p99 < 20 ms',
      met: eld.p99 < 20,
      note: `zxcvbn on its worker threads (PASSWORD_CHECK_THREADS, default half the cores); max ${eld.max.toFixed(1)} ms over ${eld.samples} samples`,
    },
  ];
}
