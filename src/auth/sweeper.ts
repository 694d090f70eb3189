/**
 * A timer that purges expired sessions and reset tokens, so the tables do not grow without bound.
 * @module
 */
import type { Auth } from './auth.js';

/** Where the sweeper reports; a pino/Fastify logger fits. */
export interface SweepLogger {
  /** Reports a sweep that removed rows. */
  info(object: object, message: string): void;
  /** Reports a failed sweep (the next tick tries again). */
  error(object: object, message: string): void;
}

/** Runs `auth.purgeExpired()` now and every `intervalMs`; returns a function that stops it. The timer never keeps the process alive. */
export function startExpirySweeper(auth: Auth, intervalMs: number, log: SweepLogger): () => void {
  const sweep = (): void => {
    auth.purgeExpired().then(
      (removed) => {
        if (removed.sessions > 0 || removed.resetTokens > 0) log.info(removed, 'purged expired sessions and reset tokens');
      },
      (error: unknown) => log.error({ err: error }, 'expiry sweep failed'),
    );
  };
  sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
