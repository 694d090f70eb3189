/**
 * Settings tests share: a fixed server secret (production refuses to start without one), never used outside tests,
 * and a way to read what `loadConfig` refuses.
 * @module
 */
import { ConfigError, loadConfig } from '../../src/config.js';

/** 32 bytes in hex: a valid `SECRET_KEY` for tests of the production profile. */
export const TEST_SECRET_KEY = '0123456789abcdef'.repeat(4);

/**
 * Password-scoring bounds for suites that are not about them: a zxcvbn check that takes 0.3 s on an idle core can take
 * seconds beside a busy suite or CPU burners, and the production defaults (a 2 s cap, 5 s of scoring per client per
 * minute) would then turn a registration into 400 `password.too_costly` or 429. The scheduler and its caps are proved
 * on their own, with a scorer the test finishes by hand (test/modules/password/scoring-fairness.test.ts).
 */
export const SLOW_MACHINE_SCORING: Readonly<Record<string, string>> = { PASSWORD_CHECK_TIMEOUT: '120s', PASSWORD_CHECK_CLIENT_BUDGET: '1h' };

/** The database bound of {@link SLOW_MACHINE_DATABASE}, in ms, for suites that open storage by hand. */
export const SLOW_DATABASE_MS = 60_000;

/**
 * Database and Redis bounds for suites that are not about them: the production defaults fail fast (a 1 s connection,
 * a 1.5 s statement, a 5 s SQLite lock wait, a 0.5 s Redis command), which is right for a service behind a load
 * balancer but turns a busy CI machine's slow moment into a 503 in a test about something else. The fault suites set
 * their own short bounds and prove what happens when one is crossed (test/kernel/database/faults.test.ts,
 * sqlite-faults.test.ts, test/modules/rate-limits/redis-faults.test.ts).
 */
export const SLOW_MACHINE_DATABASE: Readonly<Record<string, string>> = {
  DATABASE_CONNECT_TIMEOUT: `${SLOW_DATABASE_MS}ms`,
  DATABASE_STATEMENT_TIMEOUT: `${SLOW_DATABASE_MS}ms`,
  DATABASE_BUSY_TIMEOUT: `${SLOW_DATABASE_MS}ms`,
  REDIS_COMMAND_TIMEOUT: '30s',
};

/** The messages loadConfig refuses an environment with, or [] when it accepts it. */
export function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}
