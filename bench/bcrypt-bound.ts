/**
 * The bcrypt bound: how many password checks per second the `bcrypt` library itself reaches on this machine, at the server's cost and the load's concurrency.
 * @module
 */
import bcrypt from 'bcrypt';
import { preparePassword } from '../src/modules/password/index.js';

/** Checks the bench can run against one stored hash, as a login does. */
export interface BcryptBound {
  /** Runs `perLane` checks one after another on each of `concurrency` lanes and resolves with checks per second. */
  batch(perLane: number): Promise<number>;
  /** Checks per second seen by the first (warm-up) batch, to size the measured ones. */
  readonly roughRate: number;
}

/**
 * Prepares the bound for a hash and password: `bcrypt.compare` of the pre-hashed password, exactly the work of a
 * login, with `concurrency` calls in flight (what as many simultaneous logins ask of the libuv thread pool; the pool
 * size comes from UV_THREADPOOL_SIZE, which the server inherits from the same environment). A first batch of one
 * call per lane loads the native code, starts the pool, and gives a rough rate.
 */
export async function prepareBcryptBound(hash: string, password: string, concurrency: number): Promise<BcryptBound> {
  const prepared = preparePassword(password);
  // Each lane makes its own fixed number of calls in a row, as each autocannon connection sends its share of an
  // `amount` run one request after another: both runs then start, ramp and drain the same way.
  const batch = async (perLane: number): Promise<number> => {
    const lane = async (): Promise<void> => {
      for (let i = 0; i < perLane; i += 1) {
        if (!(await bcrypt.compare(prepared, hash))) throw new Error('bench: the bcrypt bound compared against the wrong hash');
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: concurrency }, lane));
    return (perLane * concurrency) / ((performance.now() - start) / 1000);
  };
  return { batch, roughRate: await batch(1) };
}
