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
