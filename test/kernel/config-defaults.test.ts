// Every default of both profiles, whole (a changed default is a changed security posture and must show up here),
// and the combinations refused in any profile.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { problems, TEST_SECRET_KEY } from '../support/settings.js';

const THREADS = Math.max(1, Math.floor(availableParallelism() / 2));
const SERVER = { port: 5000, host: '127.0.0.1', workers: 1, trustProxy: false, requestTimeoutMs: 10_000, headersTimeoutMs: 5000, keepAliveTimeoutMs: 72_000, maxConnections: 4096, shutdownTimeoutMs: 10_000 };
const DATABASE = { url: 'sqlite:./data/sesame.db', connectTimeoutMs: 1000, statementTimeoutMs: 1500, idleTimeoutMs: 30_000, startupWaitMs: 30_000, busyTimeoutMs: 5000, poolSize: 10, preparedStatements: true, tablePrefix: '' };
const STRENGTH = { threads: THREADS, maxQueue: 64, timeoutMs: 2000, clientBudgetMs: 5000 };
const PAGES = { enabled: true, productName: 'Sesame', accentColor: '#1d4ed8', logo: undefined, texts: {} };

describe('defaults', () => {
  it('development: the seed\'s own flow works, with every protection that does not change the seed\'s face', () => {
    expect(loadConfig({})).toEqual({
      profile: 'development',
      server: SERVER,
      log: { level: 'info' },
      mail: { smtpUrl: undefined, from: undefined, maxAttempts: 10, recipientHourlyMax: 10, securityNoticeHourlyMax: 10, outboxDir: './data/outbox', retentionMs: 30 * 86_400_000 },
      email: { requireVerification: false, tokenTtlMs: 86_400_000, notifyNewSignIn: false },
      database: DATABASE,
      secrets: { key: undefined, previousKeys: [] },
      tokens: { format: 'uuid' },
      sweeper: { intervalMs: 600_000 },
      sessions: { ttlMs: 7 * 86_400_000, idleTimeoutMs: 0, cookie: { name: 'session_id', secure: false } },
      password: {
        bcryptCost: 12,
        hashQueueMax: 32,
        policy: { minLength: 1, checkCommon: false, minScore: 0, strength: STRENGTH },
        reset: { tokenTtlMs: 1_800_000, delivery: 'response', webhookUrl: undefined },
      },
      // Sign-up stays open with no puzzle: the seed's client registers as it always did.
      signup: { mode: 'open', domains: [], invitationTtlMs: 7 * 86_400_000, challenge: 'off', challengeMaxNumber: 100_000, challengeTtlMs: 600_000 },
      rateLimits: {
        enabled: true,
        store: 'memory',
        redisUrl: undefined,
        redisCommandTimeoutMs: 500,
        redisKeyPrefix: '',
        ipMax: 1000,
        ipWindowMs: 60_000,
        accountMax: 10,
        accountWindowMs: 900_000,
        accountGlobalMax: 100,
        blockMaxMs: 3_600_000,
      },
      audit: { retentionMs: 90 * 86_400_000 },
      api: { publicUrl: undefined, csrfProtection: true, trustedOrigins: [] },
      ops: { metricsEnabled: false, openApiEnabled: true, maxEventLoopDelayMs: 1000, maxHeapUsedPercent: 90 },
      admin: { port: undefined, host: '127.0.0.1', allowRemote: false },
      pages: PAGES,
    });
  });

  it('production: every protection on', () => {
    const config = loadConfig({ SESAME_PROFILE: 'production', SECRET_KEY: TEST_SECRET_KEY, PUBLIC_URL: 'https://auth.example.com', RESET_WEBHOOK_URL: 'https://mailer.example/hook' });
    expect({ ...config, secrets: undefined }).toEqual({
      profile: 'production',
      server: SERVER,
      log: { level: 'info' },
      mail: { smtpUrl: undefined, from: undefined, maxAttempts: 10, recipientHourlyMax: 10, securityNoticeHourlyMax: 10, outboxDir: './data/outbox', retentionMs: 30 * 86_400_000 },
      email: { requireVerification: true, tokenTtlMs: 86_400_000, notifyNewSignIn: false },
      database: DATABASE,
      secrets: undefined,
      tokens: { format: 'random' },
      sweeper: { intervalMs: 600_000 },
      sessions: { ttlMs: 7 * 86_400_000, idleTimeoutMs: 0, cookie: { name: '__Host-session_id', secure: true } },
      password: {
        bcryptCost: 12,
        hashQueueMax: 32,
        policy: { minLength: 15, checkCommon: true, minScore: 3, strength: STRENGTH },
        reset: { tokenTtlMs: 1_800_000, delivery: 'webhook', webhookUrl: 'https://mailer.example/hook' },
      },
      // Still open (an upgrade must not lock new users out), but the hosted page asks for the proof of work.
      signup: { mode: 'open', domains: [], invitationTtlMs: 7 * 86_400_000, challenge: 'pages', challengeMaxNumber: 100_000, challengeTtlMs: 600_000 },
      rateLimits: {
        enabled: true,
        store: 'memory',
        redisUrl: undefined,
        redisCommandTimeoutMs: 500,
        redisKeyPrefix: '',
        ipMax: 60,
        ipWindowMs: 60_000,
        accountMax: 5,
        accountWindowMs: 900_000,
        accountGlobalMax: 100,
        blockMaxMs: 3_600_000,
      },
      audit: { retentionMs: 90 * 86_400_000 },
      api: { publicUrl: { href: 'https://auth.example.com', origin: 'https://auth.example.com' }, csrfProtection: true, trustedOrigins: [] },
      ops: { metricsEnabled: false, openApiEnabled: false, maxEventLoopDelayMs: 1000, maxHeapUsedPercent: 90 },
      admin: { port: undefined, host: '127.0.0.1', allowRemote: false },
      pages: PAGES,
    });
    expect(config.secrets.key).toBeDefined();
  });

  it('picks the shared rate-limit store when more than one process answers', () => {
    expect(loadConfig({ WORKERS: '2' }).rateLimits.store).toBe('database');
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).rateLimits.store).toBe('redis');
    expect(loadConfig({ WORKERS: '2', REDIS_URL: 'redis://127.0.0.1:6379' }).rateLimits.store).toBe('redis');
    expect(loadConfig({ WORKERS: '2', RATE_LIMIT_STORE: 'memory' }).rateLimits.store).toBe('memory');
  });
});

describe('refused in every profile', () => {
  it.each([
    [{ COOKIE_NAME: '__Host-sid' }, 'COOKIE_NAME=__Host-sid needs COOKIE_SECURE=true: browsers drop a prefixed cookie that is not Secure'],
    [{ COOKIE_NAME: '__Secure-sid' }, 'COOKIE_NAME=__Secure-sid needs COOKIE_SECURE=true: browsers drop a prefixed cookie that is not Secure'],
    [{ TRUSTED_ORIGINS: 'https://app.example/path' }, 'TRUSTED_ORIGINS entries must look like https://app.example.com (no path), got https://app.example/path'],
    [{ TRUSTED_ORIGINS: 'app.example' }, 'TRUSTED_ORIGINS entries must look like https://app.example.com (no path), got app.example'],
    [{ RATE_LIMIT_STORE: 'redis' }, 'RATE_LIMIT_STORE=redis needs REDIS_URL'],
    [
      { RESET_TOKEN_DELIVERY: 'webhook' },
      'RESET_TOKEN_DELIVERY=webhook needs RESET_WEBHOOK_URL (where Sesame posts {email, reset_token} for your mailer), or set RESET_TOKEN_DELIVERY=email with SMTP_URL and MAIL_FROM',
    ],
    [{ RESET_TOKEN_DELIVERY: 'email' }, 'RESET_TOKEN_DELIVERY=email needs MAIL_FROM (the From: address of the reset messages)'],
    [{ SMTP_URL: 'http://mail.example' }, 'SMTP_URL must be an smtp:// or smtps:// URL, like smtps://user:password@mail.example.com:465'],
    [{ BCRYPT_COST: '3' }, 'BCRYPT_COST must be a whole number from 4 to 31'],
    [{ BCRYPT_COST: '32' }, 'BCRYPT_COST must be a whole number from 4 to 31'],
    [{ SESSION_TTL: '0' }, 'SESSION_TTL must be a positive duration like 3600, 90s, 15m, 12h or 7d'],
    [{ SESSION_TTL: 'forever' }, 'SESSION_TTL must be a positive duration like 3600, 90s, 15m, 12h or 7d'],
    [{ PASSWORD_MIN_LENGTH: '0' }, 'PASSWORD_MIN_LENGTH must be a whole number from 1 to 64'],
    [{ PASSWORD_MIN_SCORE: '5' }, 'PASSWORD_MIN_SCORE must be a whole number from 0 to 4'],
    [{ WORKERS: '0' }, 'WORKERS must be auto or a whole number from 1 to 256'],
    [{ PORT: '65536' }, 'PORT must be a whole number from 0 to 65535'],
    [{ COOKIE_NAME: 'bad name' }, 'COOKIE_NAME may hold letters, digits, _ . and - only'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL must look like redis://127.0.0.1:6379'],
    [{ RESET_WEBHOOK_URL: 'ftp://x' }, 'RESET_WEBHOOK_URL must be an http(s) URL'],
    [{ SESAME_PROFILE: 'staging' }, 'SESAME_PROFILE must be one of development, production'],
  ])('%o', (env, problem) => {
    expect(problems(env)).toEqual([problem]);
  });

  it('accepts the edges of each range', () => {
    const edges: Array<Record<string, string>> = [{ BCRYPT_COST: '4' }, { BCRYPT_COST: '31' }, { PORT: '0' }, { PORT: '65535' }, { WORKERS: '256' }, { PASSWORD_MIN_LENGTH: '64' }, { COOKIE_NAME: '__Host-sid', COOKIE_SECURE: 'true' }];
    for (const env of edges) {
      expect(problems(env), JSON.stringify(env)).toEqual([]);
    }
  });
});
