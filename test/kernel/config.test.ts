// loadConfig for SESSION_IDLE_TIMEOUT: off by default, a duration of at least a minute, shorter than SESSION_TTL.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { TEST_SECRET_KEY } from '../support/settings.js';

/** The messages loadConfig refuses an environment with, or [] when it accepts it. */
function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('SESSION_IDLE_TIMEOUT', () => {
  it('is off by default in both profiles, and `off` or `0` turn it off explicitly', () => {
    expect(loadConfig({}).sessions.idleTimeoutMs).toBe(0);
    expect(loadConfig({ SESAME_PROFILE: 'production', SECRET_KEY: TEST_SECRET_KEY, PUBLIC_URL: 'https://auth.example.com', RESET_WEBHOOK_URL: 'https://mail.example/hook' }).sessions.idleTimeoutMs).toBe(0);
    expect(loadConfig({ SESSION_IDLE_TIMEOUT: 'off' }).sessions.idleTimeoutMs).toBe(0);
    expect(loadConfig({ SESSION_IDLE_TIMEOUT: '0' }).sessions.idleTimeoutMs).toBe(0);
  });

  it('takes a duration like 30m or 1h', () => {
    expect(loadConfig({ SESSION_IDLE_TIMEOUT: '30m' }).sessions.idleTimeoutMs).toBe(30 * 60_000);
    expect(loadConfig({ SESSION_IDLE_TIMEOUT: '1h' }).sessions.idleTimeoutMs).toBe(3_600_000);
  });

  it('refuses nonsense, anything under a minute, and a timeout not shorter than SESSION_TTL, naming the setting', () => {
    for (const value of ['soon', '30s', '-5m']) {
      expect(problems({ SESSION_IDLE_TIMEOUT: value }).join('\n'), value).toMatch(/SESSION_IDLE_TIMEOUT must be off or a duration of at least 1m/);
    }
    expect(problems({ SESSION_IDLE_TIMEOUT: '2h', SESSION_TTL: '1h' })).toEqual(['SESSION_IDLE_TIMEOUT must be shorter than SESSION_TTL (or off)']);
  });
});
