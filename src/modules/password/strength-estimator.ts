/**
 * Scores password strength (zxcvbn) on a worker thread, so the policy check of a registration never stalls the event
 * loop that answers every other request, and a flood of them queues up to a bound instead of eating the process.
 * @module
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { PasswordCheckBusyError } from './errors.js';
import type { StrengthTask } from './strength-worker.js';

/** Settings of {@link StrengthEstimator}; the defaults suit a service whose registrations are rate-limited anyway. */
export interface StrengthEstimatorOptions {
  /** Worker threads at most; default half the cores (at least one), leaving the rest to the event loop and bcrypt. */
  readonly threads?: number;
  /** Passwords waiting for a thread at most (default 64); past it a check fails with {@link PasswordCheckBusyError} (HTTP 429). */
  readonly maxQueue?: number;
}

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

/** A pool of zxcvbn worker threads; {@link close} ends them (idle ones also end on their own). */
export class StrengthEstimator {
  readonly #pool: Piscina<StrengthTask, number>;
  /** The bound on waiting passwords, checked here so a full queue is a {@link PasswordCheckBusyError}, not piscina's plain Error. */
  readonly #maxQueue: number;

  /** Starts no thread yet: the first check starts one, so a service that never registers anyone pays nothing. */
  constructor(options: StrengthEstimatorOptions = {}) {
    const threads = options.threads ?? Math.max(1, Math.floor(availableParallelism() / 2));
    this.#maxQueue = options.maxQueue ?? 64;
    this.#pool = new Piscina<StrengthTask, number>({
      ...workerSource(),
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: IDLE_TIMEOUT_MS,
    });
  }

  /** zxcvbn's score (0 to 4) of `password`, counting `userInputs` as known to an attacker. */
  async score(password: string, userInputs: readonly string[]): Promise<number> {
    if (this.#pool.queueSize >= this.#maxQueue) {
      throw new PasswordCheckBusyError(5);
    }
    return this.#pool.run({ password, userInputs });
  }

  /** Lets running checks finish, then ends every thread. */
  async close(): Promise<void> {
    await this.#pool.close();
  }
}
