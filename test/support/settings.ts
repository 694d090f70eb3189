/**
 * Settings tests share: a fixed server secret (production refuses to start without one), never used outside tests,
 * and a way to read what `loadConfig` refuses.
 * @module
 */
import { ConfigError, loadConfig } from '../../src/config.js';

/** 32 bytes in hex: a valid `SECRET_KEY` for tests of the production profile. */
export const TEST_SECRET_KEY = '0123456789abcdef'.repeat(4);

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
