/**
 * Scores password strength (zxcvbn) on worker threads, fairly: the policy check of a registration never stalls the
 * event loop that answers every other request, and no client can monopolise the threads. zxcvbn's cost grows
 * steeply with patterned input (measured here: 0.76 s of CPU for a 64-character l33t-speak password, 0.24 s for its
 * first 32 characters), so each client may hold only a small share of the queue, spends from a budget of scoring
 * time, and a check that runs past a time cap is stopped.
 * @module
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type * as PiscinaModule from 'piscina';
import type { Piscina } from 'piscina';
import { PasswordCheckBusyError, PasswordTooCostlyError } from './errors.js';
import type { StrengthTask } from './strength-worker.js';

/** Settings of {@link StrengthEstimator}; the defaults suit a service whose registrations are rate-limited anyway. */
export interface StrengthEstimatorOptions {
  /** Worker threads at most; default half the cores (at least one), leaving the rest to the event loop and bcrypt. */
  readonly threads?: number;
  /** Passwords waiting for a thread at most (default 64); past it a check fails with {@link PasswordCheckBusyError} (HTTP 429). */
  readonly maxQueue?: number;
  /** The longest one check may run, in ms (default 2000); past it the thread is stopped and the password refused. */
  readonly timeoutMs?: number;
  /** Scoring time one client may spend per minute, in ms (default 5000); past it its checks wait for the next minute. */
  readonly clientBudgetMs?: number;
  /**
   * What runs each check (default zxcvbn on a piscina pool of `threads` threads). Tests hand in one they finish by
   * hand, so what the fair scheduler decides never depends on how fast this machine scores.
   */
  readonly scorer?: StrengthScorer;
  /** The monotonic clock, in ms, that budgets are charged against (default `performance.now`); tests move it by hand. */
  readonly now?: () => number;
}

/** Runs one scoring task; the estimator owns the scheduling, the time cap (through `signal`) and the budgets around it. */
export interface StrengthScorer {
  /**
   * zxcvbn's score (0 to 4) of the task; rejects with an `AbortError` or `TimeoutError` once `signal` aborts. The
   * scorer calls {@link markStarted} on `task.started` when scoring itself begins (a worker thread has started and
   * loaded its dictionaries), which is when the time cap starts to run.
   */
  run(task: StrengthTask, signal: AbortSignal): Promise<number>;
  /** Lets running tasks finish, then releases whatever the scorer holds (threads). */
  close(): Promise<void>;
}

/** How many checks one client may have waiting or running at once: a share of the queue no client can exceed. */
export const CHECKS_PER_CLIENT = 2;

/** The window a client's scoring budget is counted over. */
const BUDGET_WINDOW_MS = 60_000;

/** How long an idle thread is kept, so a burst of registrations pays the dictionary load once, and a quiet service frees it. */
const IDLE_TIMEOUT_MS = 60_000;

/**
 * Where the worker's code is: the compiled `.js` beside this file, or, when Sesame runs from its TypeScript sources
 * (the test suite, `tsx`), the `.ts` file loaded through tsx's hooks in the worker.
 */
function workerSource(): { filename: string; execArgv: string[] } {
  const fromSources = import.meta.url.endsWith('.ts');
  const filename = new URL(fromSources ? './strength-worker.ts' : './strength-worker.js', import.meta.url).href;
  return { filename, execArgv: fromSources ? ['--import', 'tsx'] : [] };
}

/** One password waiting for a thread. */
interface Job {
  readonly task: StrengthTask;
  readonly client: string | undefined;
  resolve(score: number): void;
  reject(error: unknown): void;
}

/** A client's scoring time in the current window. */
interface Spent {
  windowStart: number;
  ms: number;
}

/**
 * A pool of zxcvbn worker threads behind a fair scheduler of its own: tasks go to piscina only when a thread is free,
 * so the time cap measures scoring, not waiting. {@link close} ends the threads (idle ones also end on their own).
 */
export class StrengthEstimator {
  readonly #scorer: StrengthScorer;
  readonly #now: () => number;
  readonly #threads: number;
  readonly #maxQueue: number;
  readonly #timeoutMs: number;
  readonly #clientBudgetMs: number;
  readonly #queue: Job[] = [];
  /** Checks waiting or running, by client. */
  readonly #inFlight = new Map<string, number>();
  readonly #spent = new Map<string, Spent>();
  #running = 0;

  /** Starts no thread yet: the first check starts one, so a service that never registers anyone pays nothing. */
  constructor(options: StrengthEstimatorOptions = {}) {
    this.#threads = options.threads ?? Math.max(1, Math.floor(availableParallelism() / 2));
    this.#maxQueue = options.maxQueue ?? 64;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#clientBudgetMs = options.clientBudgetMs ?? 5000;
    this.#scorer = options.scorer ?? zxcvbnThreads(this.#threads);
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * zxcvbn's score (0 to 4) of `password`, counting `userInputs` as known to an attacker. `client` (the client's
   * address key) gets its share of the queue and its budget; refusals are {@link PasswordCheckBusyError} (429), and
   * a check past the time cap {@link PasswordTooCostlyError}.
   */
  async score(password: string, userInputs: readonly string[], client?: string): Promise<number> {
    if (this.#queue.length >= this.#maxQueue) throw new PasswordCheckBusyError(5);
    if (client !== undefined) {
      if ((this.#inFlight.get(client) ?? 0) >= CHECKS_PER_CLIENT) throw new PasswordCheckBusyError(5);
      const now = this.#now();
      const spent = this.#spentBy(client, now);
      if (spent.ms >= this.#clientBudgetMs) {
        throw new PasswordCheckBusyError(Math.max(1, Math.ceil((spent.windowStart + BUDGET_WINDOW_MS - now) / 1000)));
      }
      this.#inFlight.set(client, (this.#inFlight.get(client) ?? 0) + 1);
    }
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({ task: { password, userInputs }, client, resolve, reject });
      this.#pump();
    });
  }

  /** Lets running checks finish, refuses the waiting ones, then ends every thread. */
  async close(): Promise<void> {
    for (const job of this.#queue.splice(0)) job.reject(new PasswordCheckBusyError(5));
    await this.#scorer.close();
  }

  /** Hands waiting jobs to free threads. */
  #pump(): void {
    while (this.#running < this.#threads) {
      const job = this.#queue.shift();
      if (job === undefined) return;
      this.#run(job);
    }
  }

  /** Runs one job on a free thread under the time cap, then charges its client and frees the slot. */
  #run(job: Job): void {
    this.#running += 1;
    // The cap and the client's charge count scoring only, from when the thread begins the task: a thread started for
    // it (and its dictionaries loaded: about half a second of CPU, far more on a busy machine) is not the password's
    // cost, and charging it would refuse the first registration after a start or an idle spell as too costly.
    const started = new Int32Array(new SharedArrayBuffer(4));
    const abort = new AbortController();
    let startedAt: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      if (startedAt !== undefined) return;
      startedAt = this.#now();
      timer = setTimeout(() => abort.abort(new DOMException('the check ran past its time cap', 'TimeoutError')), this.#timeoutMs);
    };
    const waiting = waitAsync(started, 0, 0);
    const running = this.#scorer.run({ ...job.task, started }, abort.signal);
    // A scorer on this thread has marked the start already; a worker thread marks it later, when it begins.
    if (Atomics.load(started, 0) === 1) arm();
    else if (waiting.async) void waiting.value.then(arm);
    running.then(
      (score) => job.resolve(score),
      (error: unknown) => job.reject(isAbort(error) ? new PasswordTooCostlyError() : error),
    ).finally(() => {
      // Settled: a wait still pending (a scorer that failed before it started) must not arm a timer afterwards.
      arm();
      clearTimeout(timer);
      markStarted(started);
      this.#running -= 1;
      if (job.client !== undefined) {
        const now = this.#now();
        this.#spentBy(job.client, now).ms += now - (startedAt ?? now);
        const left = (this.#inFlight.get(job.client) ?? 1) - 1;
        if (left === 0) this.#inFlight.delete(job.client);
        else this.#inFlight.set(job.client, left);
      }
      this.#pump();
    });
  }

  /** The client's spending in the current window (a new window once the last one is over). */
  #spentBy(client: string, now: number): Spent {
    let spent = this.#spent.get(client);
    if (spent === undefined || now - spent.windowStart >= BUDGET_WINDOW_MS) {
      // Forget clients whose window is over, so the map holds only this minute's clients.
      if (this.#spent.size > 10_000) for (const [key, value] of this.#spent) if (now - value.windowStart >= BUDGET_WINDOW_MS) this.#spent.delete(key);
      spent = { windowStart: now, ms: 0 };
      this.#spent.set(client, spent);
    }
    return spent;
  }
}

/** `Atomics.waitAsync` (Node 16+), which TypeScript's ES2022 library does not declare. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

/** Tells the estimator that scoring of a task has begun (the worker calls it first thing); safe to call twice. */
export function markStarted(started: Int32Array | undefined): void {
  if (started === undefined) return;
  Atomics.store(started, 0, 1);
  Atomics.notify(started, 0);
}

/** The default scorer: zxcvbn on up to `threads` piscina worker threads, started on the first check. */
function zxcvbnThreads(threads: number): StrengthScorer {
  // Loaded here, not imported: the library exports the estimator, so importing Sesame must not load piscina for the
  // deployments that set no minimum score (the default); `require` because a constructor cannot await.
  const { Piscina: Pool } = createRequire(import.meta.url)('piscina') as typeof PiscinaModule;
  const pool: Piscina<StrengthTask, number> = new Pool<StrengthTask, number>({
    ...workerSource(),
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: IDLE_TIMEOUT_MS,
  });
  return { run: (task, signal) => pool.run(task, { signal }), close: () => pool.close() };
}

/** True for the error a task's abort signal produces. */
function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}
