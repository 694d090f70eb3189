/**
 * A bound on the password-hashing queue. bcrypt runs on libuv's few threads (4 by default); past their pace, extra
 * logins and registrations would only queue, and every one of them (and every request behind them) would wait longer
 * and longer. Past `maxInFlight` hashes or comparisons waiting or running, a new one is refused at once with
 * `OverloadedError` (503 and `Retry-After`), while requests that need no hashing, such as session checks, go on.
 * @module
 */
import { OverloadedError } from '../../kernel/overload.js';
import type { PasswordHasher } from './hasher.js';

/** A hasher that refuses work past a number of operations in flight, delegating the rest. */
export class BoundedHasher implements PasswordHasher {
  readonly #inner: PasswordHasher;
  readonly #maxInFlight: number;
  #inFlight = 0;

  /** Wraps `inner`, allowing at most `maxInFlight` hashes and comparisons at once. */
  constructor(inner: PasswordHasher, maxInFlight: number) {
    this.#inner = inner;
    this.#maxInFlight = maxInFlight;
  }

  /** Operations waiting or running now (for metrics and tests). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Hashes, or refuses at once when the queue is full. */
  hash(password: string): Promise<string> {
    return this.#bounded(() => this.#inner.hash(password));
  }

  /** Compares, or refuses at once when the queue is full. */
  verify(password: string, hash: string): Promise<boolean> {
    return this.#bounded(() => this.#inner.verify(password, hash));
  }

  /** Never queued: it reads the hash's header only. */
  needsRehash(hash: string): boolean {
    return this.#inner.needsRehash(hash);
  }

  /** Runs `work` when there is room, counting it while it runs. */
  async #bounded<T>(work: () => Promise<T>): Promise<T> {
    if (this.#inFlight >= this.#maxInFlight) throw new OverloadedError('password hashing queue');
    this.#inFlight += 1;
    try {
      return await work();
    } finally {
      this.#inFlight -= 1;
    }
  }
}
