/**
 * A timer that runs each module's purge of expired rows (sessions, one-time tokens, rate-limit counters), so the
 * tables do not grow without bound.
 * @module
 */

/** Where the sweeper reports; a pino logger fits. */
export interface SweepLogger {
  /** Reports a sweep that removed rows. */
  info(object: object, message: string): void;
  /** Reports a failed sweep (the next tick tries again). */
  error(object: object, message: string): void;
}

/** One sweep: runs every module's purge and returns how many rows each removed, by name. */
export type Sweep = () => Promise<Readonly<Record<string, number>>>;

/**
 * Runs `sweep` now and every `intervalMs`; returns a function that stops it and resolves once a sweep in flight has
 * finished, so a shutdown never closes the database under a running sweep. The timer never keeps the process alive.
 */
export function startSweeper(sweep: Sweep, intervalMs: number, log: SweepLogger): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const run = (): void => {
    running = sweep().then(
      (removed) => {
        if (Object.values(removed).some((count) => count > 0)) log.info(removed, 'purged expired rows');
      },
      (error: unknown) => log.error({ err: error }, 'expiry sweep failed'),
    );
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    return running;
  };
}
