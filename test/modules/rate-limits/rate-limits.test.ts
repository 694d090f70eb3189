/**
 * Brute-force limits over real HTTP on every rate-limit store (memory, SQLite and PostgreSQL via
 * RATE_LIMIT_STORE=database, Redis): per-IP limits on the credential routes; per account and client, and per account
 * overall, with back-off, expiry and case-insensitive keys; attempts counted before bcrypt so parallel guesses cannot
 * slip through; "a 429 changes nothing"; and counters shared between two instances. Each test gets its own database,
 * its own emails and its own client IPs (X-Forwarded-For with TRUST_PROXY=true), and removes its Redis keys after.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { hashToken } from '../../../src/kernel/tokens.js';
import { accountKey } from '../../../src/modules/rate-limits/index.js';
import { KyselyVerificationStore } from '../../../src/modules/verification/index.js';
import { REDIS_URL, awaitRedisCounting, deleteRedisKeys, itOnStores, storeCases, type StoreCase } from '../../support/stores.js';
import { send, sleep, uniqueIp, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

const PASSWORD = 'correct horse battery';

/** What a test body gets: its services (sharing one database) and generators of IPs and emails it owns. */
interface Context {
  /** The first service. */
  readonly service: Service;
  /** Every service, all on the same database and store. */
  readonly services: readonly Service[];
  /** A fresh IPv4 client address. */
  ip(): string;
  /** A fresh IPv6 /64 prefix such as `2001:db8:1a2b:3c4d`; addresses are `${prefix}::1` and so on. */
  ipv6Prefix(): string;
  /** A fresh email, unique to this test run. */
  email(label: string): string;
}

/** Runs `body` against `count` services sharing one fresh database on the store, then stops them and cleans up. */
async function withServices(
  store: StoreCase,
  env: Readonly<Record<string, string>>,
  count: number,
  body: (context: Context) => Promise<void>,
): Promise<void> {
  const setup = await store.prepare();
  const tag = randomUUID().slice(0, 8);
  const patterns: string[] = [];
  const ip = (): string => {
    const address = uniqueIp();
    patterns.push(`*:${address}`);
    return address;
  };
  const email = (label: string): string => {
    const address = `${label}-${tag}@sec.example`;
    patterns.push(`*${accountKey(address)}*`);
    return address;
  };
  const ipv6Prefix = (): string => {
    const part = (): string => (0x1000 + Math.floor(Math.random() * 0xefff)).toString(16);
    const prefix = `2001:db8:${part()}:${part()}`;
    patterns.push(`*:${prefix}::/64`);
    return prefix;
  };
  const services: Service[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const options = setup.databasePath === undefined ? {} : { databasePath: setup.databasePath };
      const service = await startService({ TRUST_PROXY: 'true', ...setup.env, ...env }, options);
      services.push(service);
      if (store.name === 'redis') await awaitRedisCounting(service.url, ip, email('probe'));
    }
    const [first] = services;
    if (first === undefined) throw new Error('no service started');
    await body({ service: first, services, ip, ipv6Prefix, email });
  } finally {
    for (const service of services) await service.stop();
    await setup.cleanup(patterns);
  }
}

/** Sends a form from a given client IP. */
function post(service: Service, method: string, path: string, ip: string, form: Record<string, string>, sessionId?: string): Promise<Reply> {
  return send(service.url, method, path, { form, headers: { 'x-forwarded-for': ip }, ...(sessionId === undefined ? {} : { sessionId }) });
}

/** Registers an account (from a throwaway IP) and asserts it worked. */
async function register(context: Context, email: string, service: Service = context.service): Promise<void> {
  const reply = await post(service, 'POST', '/users', context.ip(), { email, password: PASSWORD });
  expect(reply.status, reply.text).toBe(200);
}

/** Asserts a well-formed 429: JSON `{"message"}` and a whole-seconds Retry-After within `maxSec`; returns it. */
function expectLimited(reply: Reply, maxSec: number): number {
  expect(reply.status, reply.text).toBe(429);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  expect(reply.message).toMatch(/try again in \d+ seconds/);
  const retryAfter = reply.headers['retry-after'] ?? '';
  expect(retryAfter).toMatch(/^\d+$/);
  const seconds = Number(retryAfter);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(maxSec);
  return seconds;
}

/** One credential route and a request that passes validation. */
interface RouteCase {
  readonly method: 'POST' | 'PUT';
  readonly path: string;
  readonly form: (context: Context, i: number) => Record<string, string>;
  /** The status the route answers before the limit. */
  readonly before: number;
}

const ROUTES: readonly RouteCase[] = [
  { method: 'POST', path: '/sessions', form: (c, i) => ({ email: c.email(`nobody${i}`), password: 'guess' }), before: 401 },
  { method: 'POST', path: '/users', form: (c, i) => ({ email: c.email(`new${i}`), password: PASSWORD }), before: 200 },
  { method: 'POST', path: '/reset_password', form: (c, i) => ({ email: c.email(`nobody${i}`) }), before: 403 },
  {
    method: 'PUT',
    path: '/reset_password',
    form: (c, i) => ({ email: c.email(`nobody${i}`), reset_token: randomUUID(), new_password: PASSWORD }),
    before: 403,
  },
];

describe('per-IP limits', () => {
  itOnStores('each credential route answers 429, JSON and Retry-After past RATE_LIMIT_IP_MAX', (store) =>
    withServices(store, { RATE_LIMIT_IP_MAX: '2', RATE_LIMIT_IP_WINDOW: '1m' }, 1, async (c) => {
      const ip = c.ip();
      for (const route of ROUTES) {
        for (let i = 0; i < 2; i += 1) {
          const reply = await post(c.service, route.method, route.path, ip, route.form(c, i));
          expect(reply.status, `${route.method} ${route.path} #${i + 1}: ${reply.text}`).toBe(route.before);
        }
        expectLimited(await post(c.service, route.method, route.path, ip, route.form(c, 2)), 60);
        // The key is the client IP: another client is not affected.
        const other = await post(c.service, route.method, route.path, c.ip(), route.form(c, 3));
        expect(other.status, `${route.method} ${route.path} from another IP`).toBe(route.before);
      }
      // PUT /password (a signed-in user changing their password) is limited too.
      const email = c.email('changer');
      const client = c.ip();
      expect((await post(c.service, 'POST', '/users', client, { email, password: PASSWORD })).status).toBe(200);
      const sessionId = (await post(c.service, 'POST', '/sessions', client, { email, password: PASSWORD })).sessionId ?? '';
      const change = { password: 'not the current one', new_password: 'a brand new passphrase' };
      for (let i = 0; i < 2; i += 1) expect((await post(c.service, 'PUT', '/password', client, change, sessionId)).status).toBe(403);
      expectLimited(await post(c.service, 'PUT', '/password', client, { ...change, password: PASSWORD }, sessionId), 60);
      expect((await post(c.service, 'POST', '/sessions', c.ip(), { email, password: PASSWORD })).status, 'password unchanged').toBe(200);
      // POST /sessions/end tests the password again, so it is limited too, and a refused request ends nothing.
      const ender = c.ip();
      const end = { password: 'not the current one', session: 'all' };
      for (let i = 0; i < 2; i += 1) expect((await post(c.service, 'POST', '/sessions/end', ender, end, sessionId)).status).toBe(403);
      expectLimited(await post(c.service, 'POST', '/sessions/end', ender, { ...end, password: PASSWORD }, sessionId), 60);
      expect((await send(c.service.url, 'GET', '/profile', { sessionId })).status, 'session still live').toBe(200);
    }),
  );

  itOnStores('a request refused by the limit changes nothing', (store) =>
    withServices(store, { RATE_LIMIT_IP_MAX: '1', RATE_LIMIT_IP_WINDOW: '1m' }, 1, async (c) => {
      const ip = c.ip();
      const first = c.email('first');
      const refused = c.email('refused');
      expect((await post(c.service, 'POST', '/users', ip, { email: first, password: PASSWORD })).status).toBe(200);
      expectLimited(await post(c.service, 'POST', '/users', ip, { email: refused, password: PASSWORD }), 60);
      // The refused registration did not happen: its login fails, and the email is still free.
      expect((await post(c.service, 'POST', '/sessions', c.ip(), { email: refused, password: PASSWORD })).status).toBe(401);
      expect((await post(c.service, 'POST', '/users', c.ip(), { email: refused, password: 'another one' })).status).toBe(200);

      // A password update refused by the limit neither spends the token nor changes the password.
      const issued = await post(c.service, 'POST', '/reset_password', ip, { email: first });
      const token = (issued.json as { reset_token?: unknown }).reset_token;
      expect(typeof token).toBe('string');
      const update = { email: first, reset_token: String(token), new_password: 'a brand new passphrase' };
      expect((await post(c.service, 'PUT', '/reset_password', ip, { ...update, reset_token: randomUUID() })).status).toBe(403);
      expectLimited(await post(c.service, 'PUT', '/reset_password', ip, update), 60);
      expect((await post(c.service, 'POST', '/sessions', c.ip(), { email: first, password: PASSWORD })).status).toBe(200);
      expect((await post(c.service, 'PUT', '/reset_password', c.ip(), update)).status).toBe(200);
    }),
  );
});

/** Settings for the per-account tests: a small account limit, IP limits out of the way. */
const ACCOUNT_ENV = { RATE_LIMIT_ACCOUNT_MAX: '3', RATE_LIMIT_ACCOUNT_WINDOW: '15m', RATE_LIMIT_IP_MAX: '10000' };

describe('per-account limits', () => {
  itOnStores('locks an account after RATE_LIMIT_ACCOUNT_MAX failed logins, even for the correct password', (store) =>
    withServices(store, ACCOUNT_ENV, 1, async (c) => {
      const email = c.email('victim');
      const bystander = c.email('bystander');
      await register(c, email);
      await register(c, bystander);
      const attacker = c.ip();
      for (let i = 0; i < 3; i += 1) {
        expect((await post(c.service, 'POST', '/sessions', attacker, { email, password: `guess ${i}` })).status).toBe(401);
      }
      expectLimited(await post(c.service, 'POST', '/sessions', attacker, { email, password: PASSWORD }), 15 * 60);
      expectLimited(await post(c.service, 'POST', '/sessions', attacker, { email, password: 'guess 4' }), 15 * 60);
      // Only that account is locked, even for the same client.
      expect((await post(c.service, 'POST', '/sessions', attacker, { email: bystander, password: PASSWORD })).status).toBe(200);
    }),
  );

  itOnStores('verification attempts that name no account (a link\'s token alone) count per client: one client cannot lock every link out', (store) =>
    withServices(store, { ...ACCOUNT_ENV, RATE_LIMIT_IP_MAX: '4' }, 1, async (c) => {
      const attacker = c.ip();
      for (let i = 0; i < 4; i += 1) {
        expect((await post(c.service, 'POST', '/email/verify', attacker, { token: `made-up-token-${i}-0000000000` })).status).toBe(403);
      }
      // The attacker's client is limited (per IP)...
      expectLimited(await post(c.service, 'POST', '/email/verify', attacker, { token: 'made-up-token-5-0000000000' }), 15 * 60);
      // ...but its dozen failures did not fill a shared counter: another client's link is still checked (403, not 429).
      const owner = c.ip();
      expect((await post(c.service, 'POST', '/email/verify', owner, { token: 'another-made-up-token-00000' })).status).toBe(403);
    }),
  );

  // Security round 3, item 7: a verification token proves its own account whatever `email` the body names, and the
  // success used to hand the points back to the named account: one valid token of the attacker's own reset the
  // victim's counters between rounds of code guesses. A success now refunds only the account the proof resolved to.
  itOnStores('a token proving one account while naming another hands nothing back to the named one', (store) =>
    withServices(store, ACCOUNT_ENV, 1, async (c) => {
      const victim = c.email('victim');
      const attacker = c.email('attacker');
      await register(c, victim);
      await register(c, attacker);
      const tokens = new KyselyVerificationStore(c.service.sesame.storage.kysely);
      const own = (await c.service.sesame.users.findByEmail(attacker))?.id ?? 0;
      const issue = async (): Promise<string> => {
        const token = randomUUID();
        await tokens.issue('email_verify', own, hashToken(token), Date.now() + 3_600_000, Date.now(), { replace: false });
        return token;
      };
      const client = c.ip();
      const guess = (): Promise<Reply> => post(c.service, 'POST', '/email/verify', client, { email: victim, code: '0000-0000' });
      expect((await guess()).status).toBe(403);
      expect((await guess()).status).toBe(403);
      // The third attempt on the victim's counters proves the attacker's own account.
      const proved = await post(c.service, 'POST', '/email/verify', client, { token: await issue(), email: victim });
      expect(proved.status, proved.text).toBe(200);
      expect(proved.json).toMatchObject({ email: attacker });
      // Nothing came back to the victim's counters: the fourth attempt is over the limit of three.
      expectLimited(await guess(), 15 * 60);
    }),
  );

  itOnStores('a code proving the account it names hands that account its points back', (store) =>
    withServices(store, ACCOUNT_ENV, 1, async (c) => {
      const owner = c.email('owner');
      await register(c, owner);
      const id = (await c.service.sesame.users.findByEmail(owner))?.id ?? 0;
      const token = randomUUID();
      await new KyselyVerificationStore(c.service.sesame.storage.kysely).issue('email_verify', id, hashToken(token), Date.now() + 3_600_000, Date.now(), { replace: false });
      const client = c.ip();
      expect((await post(c.service, 'POST', '/email/verify', client, { email: owner, code: '0000-0000' })).status).toBe(403);
      expect((await post(c.service, 'POST', '/email/verify', client, { email: owner, code: '0000-0000' })).status).toBe(403);
      expect((await post(c.service, 'POST', '/email/verify', client, { token, email: owner })).status).toBe(200);
      // Handed back: three more attempts before the limit.
      for (let i = 0; i < 3; i += 1) expect((await post(c.service, 'POST', '/email/verify', client, { email: owner, code: '0000-0000' })).status).toBe(403);
      expectLimited(await post(c.service, 'POST', '/email/verify', client, { email: owner, code: '0000-0000' }), 15 * 60);
    }),
  );

  itOnStores('one stolen cookie gets one guessing budget: login, PUT /password and POST /sessions/end count together', (store) =>
    withServices(store, ACCOUNT_ENV, 1, async (c) => {
      const email = c.email('stolen');
      await register(c, email);
      const attacker = c.ip();
      const login = await post(c.service, 'POST', '/sessions', attacker, { email, password: PASSWORD });
      const cookie = login.sessionId ?? '';
      // Three wrong passwords spread over the three routes that test one: the account's budget (3) is spent.
      expect((await post(c.service, 'PUT', '/password', attacker, { password: 'guess 1', new_password: 'a brand new passphrase' }, cookie)).status).toBe(403);
      expect((await post(c.service, 'POST', '/sessions/end', attacker, { password: 'guess 2', session: 'others' }, cookie)).status).toBe(403);
      expect((await post(c.service, 'POST', '/sessions', attacker, { email, password: 'guess 3' })).status).toBe(401);
      expectLimited(await post(c.service, 'PUT', '/password', attacker, { password: 'guess 4', new_password: 'a brand new passphrase' }, cookie), 15 * 60);
      expectLimited(await post(c.service, 'POST', '/sessions/end', attacker, { password: 'guess 5', session: 'others' }, cookie), 15 * 60);
      expectLimited(await post(c.service, 'POST', '/sessions', attacker, { email, password: 'guess 6' }), 15 * 60);
    }),
  );

  itOnStores('a client guessing cannot lock the owner out: other clients still log in', (store) =>
    withServices(store, ACCOUNT_ENV, 1, async (c) => {
      const email = c.email('owner');
      await register(c, email);
      const attacker = c.ip();
      for (let i = 0; i < 3; i += 1) await post(c.service, 'POST', '/sessions', attacker, { email, password: `guess ${i}` });
      expectLimited(await post(c.service, 'POST', '/sessions', attacker, { email, password: 'guess 4' }), 15 * 60);
      expect((await post(c.service, 'POST', '/sessions', c.ip(), { email, password: PASSWORD })).status).toBe(200);
      // The owner's success does not unlock the attacker.
      expectLimited(await post(c.service, 'POST', '/sessions', attacker, { email, password: PASSWORD }), 15 * 60);
    }),
  );

  itOnStores('RATE_LIMIT_ACCOUNT_GLOBAL_MAX stops guesses spread over many clients', (store) =>
    withServices(store, { ...ACCOUNT_ENV, RATE_LIMIT_ACCOUNT_GLOBAL_MAX: '4' }, 1, async (c) => {
      const email = c.email('spread');
      await register(c, email);
      for (let i = 0; i < 4; i += 1) {
        expect((await post(c.service, 'POST', '/sessions', c.ip(), { email, password: `guess ${i}` })).status).toBe(401);
      }
      expectLimited(await post(c.service, 'POST', '/sessions', c.ip(), { email, password: PASSWORD }), 15 * 60);
    }),
  );

  itOnStores('IPv6 clients count per /64: a new address in the same network is the same client', (store) =>
    withServices(store, ACCOUNT_ENV, 1, async (c) => {
      const email = c.email('v6');
      await register(c, email);
      const network = c.ipv6Prefix();
      for (let i = 1; i <= 3; i += 1) {
        expect((await post(c.service, 'POST', '/sessions', `${network}::${i}`, { email, password: `guess ${i}` })).status).toBe(401);
      }
      expectLimited(await post(c.service, 'POST', '/sessions', `${network}:ffff:ffff:ffff:ffff`, { email, password: PASSWORD }), 15 * 60);
      expect((await post(c.service, 'POST', '/sessions', `${c.ipv6Prefix()}::1`, { email, password: PASSWORD })).status).toBe(200);
    }),
  );

  itOnStores('concurrent guesses cannot slip past the limit: attempts are counted before bcrypt', (store) =>
    withServices(store, ACCOUNT_ENV, 1, async (c) => {
      const email = c.email('burst');
      await register(c, email);
      const attacker = c.ip();
      const replies = await Promise.all(
        Array.from({ length: 12 }, (_, i) => post(c.service, 'POST', '/sessions', attacker, { email, password: `burst ${i}` })),
      );
      const statuses = replies.map((r) => r.status).sort();
      expect(statuses).toEqual([...Array<number>(3).fill(401), ...Array<number>(9).fill(429)]);
    }),
  );

  itOnStores('a correct login before the limit clears the failure count', (store) =>
    withServices(store, ACCOUNT_ENV, 1, async (c) => {
      const email = c.email('typo');
      const ip = c.ip();
      await register(c, email);
      const statuses: number[] = [];
      for (const password of ['typo 1', 'typo 2', PASSWORD, 'typo 3', 'typo 4', PASSWORD]) {
        statuses.push((await post(c.service, 'POST', '/sessions', ip, { email, password })).status);
      }
      expect(statuses).toEqual([401, 401, 200, 401, 401, 200]);
    }),
  );

  itOnStores('a correct login hands back the account-wide count too, not only this client\'s', (store) =>
    withServices(store, { RATE_LIMIT_ACCOUNT_MAX: '100', RATE_LIMIT_ACCOUNT_GLOBAL_MAX: '3', RATE_LIMIT_IP_MAX: '10000' }, 1, async (c) => {
      const email = c.email('global');
      await register(c, email);
      for (let i = 0; i < 2; i += 1) expect((await post(c.service, 'POST', '/sessions', c.ip(), { email, password: `guess ${i}` })).status).toBe(401);
      expect((await post(c.service, 'POST', '/sessions', c.ip(), { email, password: PASSWORD })).status).toBe(200);
      // Had the owner's login not cleared the account-wide count, the next failure would be the fourth attempt.
      for (let i = 0; i < 3; i += 1) expect((await post(c.service, 'POST', '/sessions', c.ip(), { email, password: `again ${i}` })).status).toBe(401);
      expectLimited(await post(c.service, 'POST', '/sessions', c.ip(), { email, password: 'again 4' }), 15 * 60);
    }),
  );

  itOnStores('account keys are case-insensitive: A@x.io and a@x.io share one counter', (store) =>
    withServices(store, ACCOUNT_ENV, 1, async (c) => {
      const lower = c.email('mixed');
      await register(c, lower);
      const ip = c.ip();
      for (const variant of [lower.toUpperCase(), `M${lower.slice(1, lower.indexOf('@'))}@Sec.Example`, ` ${lower} `]) {
        expect((await post(c.service, 'POST', '/sessions', ip, { email: variant, password: 'guess' })).status, variant).toBe(401);
      }
      expectLimited(await post(c.service, 'POST', '/sessions', ip, { email: lower, password: PASSWORD }), 15 * 60);
    }),
  );

  itOnStores('registration, reset requests and reset updates count per account', (store) =>
    withServices(store, ACCOUNT_ENV, 1, async (c) => {
      const email = c.email('reg');
      const ip = c.ip();
      const registrations: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        registrations.push((await post(c.service, 'POST', '/users', ip, { email, password: PASSWORD })).status);
      }
      expect(registrations).toEqual([200, 400, 400, 429]);

      const issued = await post(c.service, 'POST', '/reset_password', ip, { email });
      const token = String((issued.json as { reset_token?: unknown }).reset_token);
      for (let i = 0; i < 3; i += 1) {
        const wrong = { email, reset_token: randomUUID(), new_password: 'a brand new passphrase' };
        expect((await post(c.service, 'PUT', '/reset_password', ip, wrong)).status).toBe(403);
      }
      const right = { email, reset_token: token, new_password: 'a brand new passphrase' };
      expectLimited(await post(c.service, 'PUT', '/reset_password', ip, right), 15 * 60);
      // Reset requests: two more allowed (one was made above), then refused for that email.
      expect((await post(c.service, 'POST', '/reset_password', ip, { email })).status).toBe(200);
      expect((await post(c.service, 'POST', '/reset_password', ip, { email: email.toUpperCase() })).status).toBe(200);
      expectLimited(await post(c.service, 'POST', '/reset_password', ip, { email }), 15 * 60);
    }),
  );
});

describe('lock-outs expire and back off', () => {
  // Window 8 s, cap 16 s: lock-out 1 lasts 8 s, lock-out 2 lasts 16 s, lock-out 3 would be 32 s but is capped at 16 s.
  // The stores count on their own clocks (Redis on the server's), so no clock can be handed in: the windows are long
  // enough that the three requests of a lock-out fit in one however slow the machine (each takes well under a second
  // even beside CPU burners), and every wait for an expiry is a wait for at least the announced Retry-After, which a
  // slow machine only makes safer. The one check that must come before a time ("still locked after the first lock-out's
  // duration") has 8 s of margin.
  const WINDOW_SEC = 8;
  const env = { RATE_LIMIT_ACCOUNT_MAX: '2', RATE_LIMIT_ACCOUNT_WINDOW: `${WINDOW_SEC}s`, RATE_LIMIT_BLOCK_MAX: `${2 * WINDOW_SEC}s`, RATE_LIMIT_IP_MAX: '10000' };
  /** Waits out `seconds` of a lock-out plus a quarter second, so it has expired on any store's clock. */
  const waitOut = (seconds: number): Promise<void> => sleep(seconds * 1000 + 250);
  itOnStores(
    'a lock-out expires; the next lasts longer, never longer than RATE_LIMIT_BLOCK_MAX',
    (store) =>
      withServices(store, env, 1, async (c) => {
        const email = c.email('backoff');
        const ip = c.ip();
        const login = (password: string): Promise<Reply> => post(c.service, 'POST', '/sessions', ip, { email, password });
        const lockOut = async (): Promise<number> => {
          expect((await login('guess a')).status).toBe(401);
          expect((await login('guess b')).status).toBe(401);
          return expectLimited(await login(PASSWORD), 2 * WINDOW_SEC);
        };
        await register(c, email);

        const first = await lockOut();
        expect(first).toBe(WINDOW_SEC);
        await waitOut(first);
        // Expired: the real user gets in (which also clears the failure count, not the lock-out history).
        expect((await login(PASSWORD)).status).toBe(200);

        const second = await lockOut();
        expect(second).toBe(2 * WINDOW_SEC);
        await waitOut(first);
        // Still locked after the first lock-out's duration, with less than that left.
        expectLimited(await login(PASSWORD), WINDOW_SEC);
        await waitOut(second - first);

        const third = await lockOut();
        expect(third, `capped by RATE_LIMIT_BLOCK_MAX=${2 * WINDOW_SEC}s (uncapped it would be ${4 * WINDOW_SEC})`).toBe(2 * WINDOW_SEC);
      }),
    { concurrent: true, timeout: 180_000 },
  );
});

describe('counters shared between instances', () => {
  const env = { RATE_LIMIT_ACCOUNT_MAX: '3', RATE_LIMIT_ACCOUNT_WINDOW: '15m', RATE_LIMIT_IP_MAX: '10000' };
  itOnStores('failures through one instance count at the other', (store) =>
    withServices(store, env, 2, async (c) => {
      const [a, b] = c.services;
      if (a === undefined || b === undefined) throw new Error('two services expected');
      const email = c.email('shared');
      const ip = c.ip();
      const login = (service: Service, password: string): Promise<Reply> => post(service, 'POST', '/sessions', ip, { email, password });
      await register(c, email, a);
      expect((await login(a, 'guess 1')).status).toBe(401);
      expect((await login(b, 'guess 2')).status).toBe(401);
      expect((await login(a, 'guess 3')).status).toBe(401);
      if (store.shared) {
        expectLimited(await login(b, PASSWORD), 15 * 60);
        expectLimited(await login(a, PASSWORD), 15 * 60);
      } else {
        // Memory counts per process: neither saw 4 attempts, so both let the user in (why WORKERS > 1 needs a
        // shared store, and the production profile refuses memory with WORKERS > 1).
        expect((await login(b, PASSWORD)).status).toBe(200);
        expect((await login(a, PASSWORD)).status).toBe(200);
      }
    }),
  );
});

describe('Redis store at start-up', () => {
  // Regression: createService() once listened before its Redis client was ready, so the first requests were counted
  // in the per-process memory fallback and not shared; it now waits for 'ready' (at most 3 s).
  itOnStores(
    'the first request after start is counted in Redis, not in the per-process fallback',
    async () => {
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      const email = `startup-${randomUUID().slice(0, 8)}@sec.example`;
      const ips: string[] = [];
      try {
        const counted: boolean[] = [];
        // Five fresh starts, so a lucky scheduling in one of them does not decide the outcome.
        for (let i = 0; i < 5; i += 1) {
          const service = await startService({ TRUST_PROXY: 'true', RATE_LIMIT_STORE: 'redis', REDIS_URL });
          try {
            const ip = uniqueIp();
            ips.push(ip);
            await post(service, 'POST', '/reset_password', ip, { email });
            counted.push((await redis.exists(`ip:reset-request:${ip}`)) === 1);
          } finally {
            await service.stop();
          }
        }
        expect(counted).toEqual([true, true, true, true, true]);
      } finally {
        redis.disconnect();
        for (const pattern of [...ips.map((ip) => `*:${ip}`), `*${accountKey(email)}*`]) await deleteRedisKeys(pattern);
      }
    },
    { stores: storeCases.filter((s) => s.name === 'redis') },
  );
});
