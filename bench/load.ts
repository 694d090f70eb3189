/**
 * One load measurement with autocannon as a library: a warm-up, then a measured run, reduced to requests/s, latency percentiles and status counts.
 * @module
 */
import autocannon from 'autocannon';
import { openCpuWindow, type CpuSplit } from './cpu-accounting.js';

/** What to send, and how hard. */
export interface LoadSpec {
  /** Full URL of the route. */
  readonly url: string;
  /** HTTP method (default GET). */
  readonly method?: 'GET' | 'POST' | 'DELETE' | 'PUT';
  /** Extra request headers (a cookie, a content type). */
  readonly headers?: Readonly<Record<string, string>>;
  /** A fixed body, or a function giving each request its own body (e.g. a fresh email per registration). */
  readonly body?: string | (() => string);
  /** Concurrent connections. */
  readonly connections: number;
  /** Measured seconds. */
  readonly duration: number;
  /** Unmeasured seconds before, with the same requests. */
  readonly warmup: number;
  /**
   * Send exactly this many requests instead of running for `duration` (and, when `warmup` > 0, one per connection as
   * the warm-up): the run ends when the last answer arrives, so no abandoned request keeps the server busy into the
   * next measurement (which matters when one request costs a bcrypt hash).
   */
  readonly amount?: number;
  /** The status every answer should have; others are counted as unexpected. */
  readonly expectStatus: number;
  /** Process id of the server (the cluster primary for WORKERS > 1), to tell its CPU from other processes'. */
  readonly serverPid?: number;
  /** Called between the warm-up and the measured run (e.g. to reset the server's event-loop histogram). */
  readonly onMeasureStart?: () => void;
}

/** The figures of one measured run. */
export interface LoadResult {
  /** Completed requests per second over the measured run. */
  readonly rps: number;
  /** Median latency in ms. */
  readonly p50: number;
  /** 99th percentile latency in ms. */
  readonly p99: number;
  /** Completed requests. */
  readonly total: number;
  /** Answers with another status than expected, plus connection errors and timeouts. */
  readonly unexpected: number;
  /** Count per status code, for the report. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Share of all cores other processes (neither the bench nor the server) used during the run, when known. */
  readonly otherLoad: number | undefined;
  /** Cores the load generator and the server used during the run (means over rounds), when known. */
  readonly cores: { readonly bench: number; readonly server: number } | undefined;
  /** Requests per second of each round of an interleaved run (one entry for a single run). */
  readonly rounds: readonly number[];
}

/** Runs autocannon once for `seconds` (or exactly `amount` requests) and resolves with its raw result. */
function run(spec: LoadSpec, seconds: number, amount?: number): Promise<autocannon.Result> {
  const body = spec.body;
  const request: autocannon.Request = {
    method: spec.method ?? 'GET',
    ...(spec.headers === undefined ? {} : { headers: { ...spec.headers } }),
    ...(typeof body === 'string' ? { body } : {}),
    ...(typeof body === 'function' ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: body() }) } : {}),
  };
  return autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: seconds,
    ...(amount === undefined ? {} : { amount }),
    pipelining: 1,
    // autocannon ends a run at its next sampling tick: the default 1 s tick would round a short run's duration up
    // by as much as a second (an `amount` run of 1.1 s would count as 2 s); 20 ms keeps the error near 1%.
    sampleInt: 20,
    // bcrypt-bound rows queue requests for seconds at a high cost: do not count them as timeouts.
    timeout: 120,
    requests: [request],
  });
}

/** Reduces one autocannon result (and the other-load share measured around it) to the bench's figures. */
function reduce(spec: LoadSpec, result: autocannon.Result, cpu: CpuSplit | undefined): LoadResult {
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0;
  const expected = statuses[String(spec.expectStatus)] ?? 0;
  const answered = Object.values(statuses).reduce((sum, n) => sum + n, 0);
  // With `amount`, the run lasts until the last answer, so total/duration is the sustained rate.
  const rps = result.requests.total / result.duration;
  return {
    rps,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    unexpected: answered - expected + result.errors + result.timeouts,
    statuses,
    otherLoad: cpu?.other,
    cores: cpu === undefined ? undefined : { bench: cpu.bench, server: cpu.server },
    rounds: [rps],
  };
}

/** Warms up, then measures once for the whole duration (or `amount`), and reduces autocannon's result. */
export async function measureLoad(spec: LoadSpec): Promise<LoadResult> {
  if (spec.warmup > 0) await (spec.amount === undefined ? run(spec, spec.warmup) : run(spec, spec.duration, spec.connections));
  spec.onMeasureStart?.();
  const window = openCpuWindow(spec.serverPid);
  const result = await run(spec, spec.duration, spec.amount);
  return reduce(spec, result, window.stop());
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/**
 * Measures several loads in alternation: each is warmed up, then the measured time is cut into one-second rounds and
 * every round runs each load once, in turn. A drift of the machine's speed (other tenants, frequency changes) then
 * hits all of them alike, and a ratio taken round by round ({@link pairedRatio}) cancels it. Figures are medians over
 * the rounds; counts are sums. Not for `amount` loads.
 */
export async function measureInterleaved(specs: readonly LoadSpec[]): Promise<LoadResult[]> {
  for (const spec of specs) if (spec.warmup > 0) await run(spec, spec.warmup);
  const perSpec: LoadResult[][] = specs.map(() => []);
  const rounds = Math.max(1, Math.round(Math.max(...specs.map((spec) => spec.duration))));
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, spec] of specs.entries()) {
      const window = openCpuWindow(spec.serverPid);
      const result = await run(spec, spec.duration / rounds);
      perSpec[index]?.push(reduce(spec, result, window.stop()));
    }
  }
  return perSpec.map(combine);
}

/** Combines the rounds of one load into one result: medians of the figures, sums of the counts, the mean other load. */
export function combine(results: readonly LoadResult[]): LoadResult {
  const mean = (values: readonly (number | undefined)[]): number | undefined => {
    const known = values.filter((value): value is number => value !== undefined);
    return known.length === 0 ? undefined : known.reduce((sum, value) => sum + value, 0) / known.length;
  };
  const bench = mean(results.map((result) => result.cores?.bench));
  const server = mean(results.map((result) => result.cores?.server));
  const statuses: Record<string, number> = {};
  for (const result of results) for (const [code, n] of Object.entries(result.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
  return {
    rps: median(results.map((result) => result.rps)),
    p50: median(results.map((result) => result.p50)),
    p99: median(results.map((result) => result.p99)),
    total: results.reduce((sum, result) => sum + result.total, 0),
    unexpected: results.reduce((sum, result) => sum + result.unexpected, 0),
    statuses,
    otherLoad: mean(results.map((result) => result.otherLoad)),
    cores: bench === undefined || server === undefined ? undefined : { bench, server },
    rounds: results.map((result) => result.rps),
  };
}

/** The median over rounds of `result`'s rate divided by `limit`'s rate in the same round (both from one interleaved run). */
export function pairedRatio(result: LoadResult, limit: LoadResult): number {
  return median(result.rounds.map((rps, round) => rps / (limit.rounds[round] ?? NaN)));
}
