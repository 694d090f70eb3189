/**
 * Shared test doubles that wrap the real thing rather than replace it: a bcrypt hasher that counts its work (so
 * equal-work rules are checked by counting, not with a stopwatch) and one that holds racing callers at a barrier (so
 * a race is decided by the database, not by timing).
 * @module
 */
import { BcryptHasher, type PasswordHasher, type StrengthScorer } from '../../src/modules/password/index.js';
import { markStarted } from '../../src/modules/password/strength-estimator.js';
import type { StrengthTask } from '../../src/modules/password/strength-worker.js';

/** A real bcrypt hasher that records every comparison's stored hash and counts its hashes. */
export class CountingHasher implements PasswordHasher {
  readonly #inner: PasswordHasher;
  /** How many hashes were made since the last {@link reset}. */
  hashCalls = 0;
  /** The stored hash each comparison was made against, oldest first. */
  readonly verifyHashes: string[] = [];

  /** Wraps a hasher (default real bcrypt at `cost`). */
  constructor(cost: number, inner: PasswordHasher = new BcryptHasher(cost)) {
    this.#inner = inner;
  }

  /** Hashes with the wrapped hasher, counting the call. */
  hash(password: string): Promise<string> {
    this.hashCalls += 1;
    return this.#inner.hash(password);
  }

  /** Records the stored hash, then compares with the wrapped hasher. */
  verify(password: string, hash: string): Promise<boolean> {
    this.verifyHashes.push(hash);
    return this.#inner.verify(password, hash);
  }

  /** Delegates. */
  needsRehash(hash: string): boolean {
    return this.#inner.needsRehash(hash);
  }

  /** Forgets what was counted so far. */
  reset(): void {
    this.hashCalls = 0;
    this.verifyHashes.length = 0;
  }
}

/**
 * A real bcrypt hasher whose `hash` holds every caller until `parties` of them have arrived, so racing requests are
 * all past their token lookup before any of them writes.
 */
export class BarrierHasher extends BcryptHasher {
  readonly #parties: number;
  #arrived = 0;
  #release: () => void = () => undefined;
  readonly #gate = new Promise<void>((resolve) => {
    this.#release = resolve;
  });

  /** Takes the bcrypt cost and how many callers to wait for. */
  constructor(cost: number, parties: number) {
    super(cost);
    this.#parties = parties;
  }

  /** Waits at the barrier, then hashes with real bcrypt. */
  override async hash(password: string): Promise<string> {
    this.#arrived += 1;
    if (this.#arrived >= this.#parties) this.#release();
    await this.#gate;
    return super.hash(password);
  }
}

/**
 * A real bcrypt hasher that can hold its next `verify` or `hash` call until the test releases it, so a test can let
 * another change commit exactly while a login is between its password check and its write.
 */
export class GatedHasher extends BcryptHasher {
  #armed: { readonly method: 'verify' | 'hash'; readonly password: string; readonly reached: () => void; readonly gate: Promise<void> } | undefined;

  /**
   * Holds the next call of `method` for `password`: `reached` resolves when a caller is held, `release` lets it go on.
   * Only that call is held; others (the login's dummy hash, later calls) run through.
   */
  arm(method: 'verify' | 'hash', password: string): { readonly reached: Promise<void>; release(): void } {
    let reached: () => void = () => undefined;
    let release: () => void = () => undefined;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.#armed = { method, password, reached, gate };
    return { reached: reachedPromise, release };
  }

  /** Compares with real bcrypt, first waiting at the gate if armed for `verify`. */
  override async verify(password: string, hash: string): Promise<boolean> {
    const result = await super.verify(password, hash);
    await this.#hold('verify', password);
    return result;
  }

  /** Hashes with real bcrypt, first waiting at the gate if armed for `hash`. */
  override async hash(password: string): Promise<string> {
    const result = await super.hash(password);
    await this.#hold('hash', password);
    return result;
  }

  /** Waits at the gate when it is armed for this method and password, disarming it. */
  async #hold(method: 'verify' | 'hash', password: string): Promise<void> {
    const armed = this.#armed;
    if (armed === undefined || armed.method !== method || armed.password !== password) return;
    this.#armed = undefined;
    armed.reached();
    await armed.gate;
  }
}

/**
 * A password-strength scorer the test finishes by hand: every check waits until {@link ManualScorer.finishAll} (or its
 * abort signal fires, as the time cap does), so which checks the fair scheduler admits, queues or refuses is decided
 * by the scheduler alone, never by how fast this machine runs zxcvbn.
 */
export class ManualScorer implements StrengthScorer {
  /** Checks handed to the scorer so far (running or finished). */
  started = 0;
  #score: number | undefined;
  readonly #waiting: Array<(score: number) => void> = [];
  readonly #startByHand: boolean;
  readonly #unstarted: Array<Int32Array | undefined> = [];

  /** With `startByHand`, a check only begins (and its time cap only runs) at {@link begin}, as a cold worker thread would. */
  constructor(options: { readonly startByHand?: boolean } = {}) {
    this.#startByHand = options.startByHand === true;
  }

  /** Begins every check handed over so far: what a worker thread does once it has started and loaded its dictionaries. */
  begin(): void {
    for (const started of this.#unstarted.splice(0)) markStarted(started);
  }

  /**
   * Marks the check started (the time cap runs from here, as from a worker thread's start), then holds it until it is
   * finished by hand or its signal aborts (then rejects with the signal's reason).
   */
  run(task: StrengthTask, signal: AbortSignal): Promise<number> {
    this.started += 1;
    if (this.#startByHand) this.#unstarted.push(task.started);
    else markStarted(task.started);
    if (this.#score !== undefined) return Promise.resolve(this.#score);
    return new Promise<number>((resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      this.#waiting.push(resolve);
    });
  }

  /** Finishes every waiting check with `score`, and every later one at once. */
  finishAll(score: number): void {
    this.#score = score;
    for (const resolve of this.#waiting.splice(0)) resolve(score);
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
