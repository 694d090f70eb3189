// The exact words of each refusal and the edge forms of each setting: an operator reads these messages at start-up,
// so each must say what was wrong and what to set; and each accepted form must mean what README says.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { problems, TEST_SECRET_KEY } from '../support/settings.js';

const PRODUCTION = { SESAME_PROFILE: 'production', SECRET_KEY: TEST_SECRET_KEY, PUBLIC_URL: 'https://auth.example.com' };
/** A production environment that loads as it is (the reset needs a way out). */
const PRODUCTION_WITH_WEBHOOK = { ...PRODUCTION, RESET_WEBHOOK_URL: 'https://mailer.example/hook' };

describe('TRUST_PROXY', () => {
  it('refuses a hop count of any number of digits, with the reason and what to set instead', () => {
    for (const value of ['1', '12', ' 3 ']) {
      expect(problems({ TRUST_PROXY: value }), value).toEqual([
        `TRUST_PROXY=${value.trim()} (a hop count) is refused: it cannot tell your proxy from a client that sends its own X-Forwarded-For. ` +
          'List the proxies instead: their addresses or ranges (TRUST_PROXY=10.0.0.0/8), or loopback, linklocal or uniquelocal',
      ]);
    }
  });

  it('skips empty entries, refuses a list with none, and names an entry that is not an address', () => {
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, ,' }).server.trustProxy).toEqual(['10.0.0.1']);
    expect(problems({ TRUST_PROXY: ' , ' })).toEqual(['TRUST_PROXY must be false, true or a list of proxy addresses']);
    expect(problems({ TRUST_PROXY: 'proxy.internal' })).toEqual([
      'TRUST_PROXY entries must be IP addresses, CIDR ranges, loopback, linklocal or uniquelocal; got "proxy.internal"',
    ]);
  });
});

describe('WORKERS', () => {
  it('refuses what is not auto or 1 to 256, in those words', () => {
    for (const value of ['0', '257', 'many', '1.5']) expect(problems({ WORKERS: value }), value).toEqual(['WORKERS must be auto or a whole number from 1 to 256']);
    expect(loadConfig({ WORKERS: '256' }).server.workers).toBe(256);
  });
});

describe('SESSION_IDLE_TIMEOUT', () => {
  it('accepts exactly one minute, refuses less, and reads off in any case', () => {
    expect(loadConfig({ SESSION_IDLE_TIMEOUT: '1m' }).sessions.idleTimeoutMs).toBe(60_000);
    expect(problems({ SESSION_IDLE_TIMEOUT: '59s' })).toEqual(['SESSION_IDLE_TIMEOUT must be off or a duration of at least 1m, like 30m or 1h']);
    expect(problems({ SESSION_IDLE_TIMEOUT: 'soon' })).toEqual(['SESSION_IDLE_TIMEOUT must be off or a duration of at least 1m, like 30m or 1h']);
    for (const off of ['OFF', ' Off ', '0']) expect(loadConfig({ SESSION_IDLE_TIMEOUT: off }).sessions.idleTimeoutMs, off).toBe(0);
  });
});

describe('PUBLIC_URL', () => {
  it('refuses credentials of either kind, a query and a fragment, quoting the value', () => {
    for (const bad of ['https://user@example.com', 'https://:secret@example.com', 'https://example.com/?a=1', 'https://example.com/#x', 'not a url']) {
      expect(problems({ PUBLIC_URL: bad }), bad).toEqual([
        `PUBLIC_URL must be the http(s) URL clients reach Sesame at, like https://example.com/auth (no query, fragment or credentials), got ${bad}`,
      ]);
    }
  });

  it('drops every trailing slash', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://example.com/auth//' }).api.publicUrl).toEqual({ href: 'https://example.com/auth', origin: 'https://example.com' });
  });
});

describe('TRUSTED_ORIGINS', () => {
  it('accepts http and https origins with a port, lower-case or not', () => {
    expect(loadConfig({ TRUSTED_ORIGINS: 'http://app.example.com, https://APP.example.com:8443' }).api.trustedOrigins).toEqual(['http://app.example.com', 'https://APP.example.com:8443']);
  });

  it('refuses what is not a bare origin, naming the entry', () => {
    for (const bad of ['app.example.com', 'ftp://app.example.com', 'https://app.example.com/path', 'https://', 'https://app example.com', 'xhttps://app.example.com', 'https://app.example.com/']) {
      expect(problems({ TRUSTED_ORIGINS: bad }), bad).toEqual([`TRUSTED_ORIGINS entries must look like https://app.example.com (no path), got ${bad}`]);
    }
  });
});

describe('RESET_WEBHOOK_URL in production', () => {
  it('accepts https, and http only to this machine (a mailer sidecar)', () => {
    for (const url of ['https://mail.example/hook', 'http://127.0.0.1:9/hook', 'http://localhost:9/hook', 'http://[::1]:9/hook']) {
      expect(problems({ ...PRODUCTION, RESET_WEBHOOK_URL: url }), url).toEqual([]);
    }
  });

  it('refuses plain http across a network, and a value that is no URL at all', () => {
    for (const url of ['http://mail.example/hook', 'http://[bad']) {
      expect(problems({ ...PRODUCTION, RESET_WEBHOOK_URL: url }), url).toEqual([
        'SESAME_PROFILE=production refuses an unsafe setting: set RESET_WEBHOOK_URL to an https:// URL (or a loopback one): reset tokens must not cross a network in clear',
      ]);
    }
  });
});

describe('REQUIRE_EMAIL_VERIFICATION in production', () => {
  it('is on by default, and off is refused with a message naming the setting and why', () => {
    expect(loadConfig(PRODUCTION_WITH_WEBHOOK).email.requireVerification).toBe(true);
    for (const value of ['false', '0', 'no']) {
      expect(problems({ ...PRODUCTION_WITH_WEBHOOK, REQUIRE_EMAIL_VERIFICATION: value }), value).toEqual([
        'SESAME_PROFILE=production refuses an unsafe setting: set REQUIRE_EMAIL_VERIFICATION=true (the production default): without it, accounts sign in with addresses nobody proved, and registration answers "email already registered", telling anyone which addresses have accounts',
      ]);
    }
  });

  it('stays the development profile\'s own business', () => {
    expect(loadConfig({ REQUIRE_EMAIL_VERIFICATION: 'false' }).email.requireVerification).toBe(false);
    expect(loadConfig({ REQUIRE_EMAIL_VERIFICATION: 'true' }).email.requireVerification).toBe(true);
  });
});

describe('DATABASE_URL', () => {
  it('names an engine at its very start: sqlite:PATH or postgres://, nothing before it', () => {
    for (const bad of ['xsqlite:./a.db', 'mysql://x/postgres://y', 'file:sqlite:./a.db']) {
      expect(problems({ DATABASE_URL: bad }), bad).toEqual(['DATABASE_URL must be sqlite:PATH or postgres://USER@HOST:PORT/DB']);
    }
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@h:5432/d' }).database.url).toBe('postgresql://u@h:5432/d');
  });
});

describe('client time limits', () => {
  it('refuse a headers timeout longer than the request timeout, and accept equal ones', () => {
    expect(problems({ HEADERS_TIMEOUT: '11s' })).toEqual(['HEADERS_TIMEOUT must not be longer than REQUEST_TIMEOUT']);
    expect(loadConfig({ HEADERS_TIMEOUT: '10s', REQUEST_TIMEOUT: '10s' }).server).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 10_000 });
  });
});
