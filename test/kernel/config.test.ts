// loadConfig for SESSION_IDLE_TIMEOUT: off by default, a duration of at least a minute, shorter than SESSION_TTL.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { problems, TEST_SECRET_KEY } from '../support/settings.js';

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

describe('database time limits', () => {
  it('take durations, and the start-up wait may be 0 (try once)', () => {
    const database = loadConfig({ DATABASE_CONNECT_TIMEOUT: '250ms', DATABASE_STATEMENT_TIMEOUT: '5s', DATABASE_IDLE_TIMEOUT: '2m', DATABASE_STARTUP_WAIT: '0', DATABASE_BUSY_TIMEOUT: '300ms' }).database;
    expect(database).toEqual({
      url: 'sqlite:./data/sesame.db',
      connectTimeoutMs: 250,
      statementTimeoutMs: 5000,
      idleTimeoutMs: 120_000,
      startupWaitMs: 0,
      busyTimeoutMs: 300,
      poolSize: 10,
      preparedStatements: true,
      tablePrefix: '',
    });
  });

  it('size the PostgreSQL pool and switch prepared statements off for a pooler in transaction mode', () => {
    expect(loadConfig({ DATABASE_POOL_SIZE: '25', DATABASE_PREPARED_STATEMENTS: 'false' }).database).toMatchObject({ poolSize: 25, preparedStatements: false });
    expect(loadConfig({ DATABASE_POOL_SIZE: '1', DATABASE_PREPARED_STATEMENTS: 'on' }).database).toMatchObject({ poolSize: 1, preparedStatements: true });
    for (const value of ['0', '1001', 'ten', '2.5', '-3']) {
      expect(problems({ DATABASE_POOL_SIZE: value }), value).toEqual(['DATABASE_POOL_SIZE must be a whole number from 1 to 1000']);
    }
    expect(problems({ DATABASE_PREPARED_STATEMENTS: 'maybe' })).toEqual(['DATABASE_PREPARED_STATEMENTS must be true or false']);
  });

  it('refuse nonsense and zero where zero would mean "wait for ever" or "fail every statement", naming the setting', () => {
    for (const name of ['DATABASE_CONNECT_TIMEOUT', 'DATABASE_STATEMENT_TIMEOUT', 'DATABASE_IDLE_TIMEOUT', 'DATABASE_BUSY_TIMEOUT']) {
      expect(problems({ [name]: '0' }), name).toEqual([`${name} must be a positive duration like 3600, 90s, 15m, 12h or 7d`]);
      expect(problems({ [name]: 'soon' }), name).toEqual([`${name} must be a positive duration like 3600, 90s, 15m, 12h or 7d`]);
    }
    expect(problems({ DATABASE_STARTUP_WAIT: 'later' })).toEqual(['DATABASE_STARTUP_WAIT must be a duration (0 for none) like 3600, 90s, 15m, 12h or 7d']);
  });
});

describe('the admin listener', () => {
  const production = { SESAME_PROFILE: 'production', SECRET_KEY: '0123456789abcdef'.repeat(4), PUBLIC_URL: 'https://auth.example.com', RESET_WEBHOOK_URL: 'https://mailer.example/hook' };

  it('is off unless ADMIN_PORT is set, and binds loopback by default', () => {
    expect(loadConfig({}).admin).toEqual({ port: undefined, host: '127.0.0.1', allowRemote: false });
    expect(loadConfig({ ADMIN_PORT: '9000' }).admin).toEqual({ port: 9000, host: '127.0.0.1', allowRemote: false });
    expect(problems({ ADMIN_PORT: 'admin' })).toEqual(['ADMIN_PORT must be a whole number from 0 to 65535']);
  });

  it('refuses a non-loopback ADMIN_HOST in production unless ADMIN_ALLOW_REMOTE=true, naming both', () => {
    expect(() => loadConfig({ ...production, ADMIN_PORT: '9000', ADMIN_HOST: '0.0.0.0' })).toThrow(/set ADMIN_HOST to a loopback address \(or ADMIN_ALLOW_REMOTE=true/);
    expect(loadConfig({ ...production, ADMIN_PORT: '9000', ADMIN_HOST: '0.0.0.0', ADMIN_ALLOW_REMOTE: 'true' }).admin.allowRemote).toBe(true);
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(loadConfig({ ...production, ADMIN_PORT: '9000', ADMIN_HOST: host }).admin.host).toBe(host);
    // Without ADMIN_PORT there is no listener, so the host does not matter.
    expect(loadConfig({ ...production, ADMIN_HOST: '0.0.0.0' }).admin.port).toBeUndefined();
  });
});
