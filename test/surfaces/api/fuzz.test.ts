/**
 * Property-based fuzzing (fast-check) of every route over real HTTP: arbitrary bodies, content types, cookies and
 * header values. Whatever arrives: no 5xx, every refusal is JSON `{"message": string}`, no unhandled rejection, no
 * error logged, no response ever echoes a password, and a refused request leaves the users and sessions tables
 * exactly as they were (read through a separate connection). Runs once on SQLite and once on PostgreSQL. The seeded
 * user's password still works at the end. Generators reach for what broke auth services before: control and format
 * characters, Unicode that grows under case mapping, overlong values, duplicate and odd headers, odd methods, paths and
 * encodings. Seeded: the seed is printed, and `FUZZ_SEED=<seed>` replays a run exactly (`FUZZ_RUNS` sets the cases per
 * property, 3,400 by default: over 10,000 per engine). Each engine's total is printed as `fuzz [engine]: N cases`.
 * @module
 */
import { connect } from 'node:net';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPostgresSchema, describeOnEngine, postgresAvailability, type Availability } from '../../support/stores.js';
import { rawSend, send, type RawOutgoing, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

const SEED_EMAIL = 'seeded@sec.example';
const SEED_PASSWORD = 'seeded passphrase that must survive';
/** A password the generators plant in bodies; no response may ever contain it. */
const MARKER = 'Fuzz-Secret-Marker-42';
/** The run's seed: printed, and taken from FUZZ_SEED to replay a failure exactly. */
const SEED = process.env['FUZZ_SEED'] === undefined ? Date.now() % 2 ** 31 : Number(process.env['FUZZ_SEED']);
/** Cases per property (three properties per engine). */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 3400);
/** Generous: the runs are bounded by count; this only stops a hang. */
const PROPERTY_TIMEOUT_MS = 600_000;

/** Reads the users and sessions tables, every column, in a stable order, on a connection of its own. */
interface Snapshotter {
  read(): Promise<string>;
  close(): Promise<void>;
}

/** The engine under fuzz: the service, the reader of its tables, and what to remove afterwards. */
interface EngineUnderTest {
  readonly service: Service;
  readonly snapshots: Snapshotter;
  readonly cleanup: () => Promise<void>;
}

/** A read-only better-sqlite3 connection to the service's own file. */
function sqliteSnapshots(path: string): Snapshotter {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  return {
    read: () =>
      Promise.resolve(
        JSON.stringify({
          users: db.prepare('SELECT * FROM users ORDER BY id').all(),
          sessions: db.prepare('SELECT * FROM sessions ORDER BY id_hash').all(),
        }),
      ),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

/** A pg client in the service's schema. */
async function postgresSnapshots(url: string): Promise<Snapshotter> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    read: async () =>
      JSON.stringify({
        users: (await client.query('SELECT * FROM users ORDER BY id')).rows,
        sessions: (await client.query('SELECT * FROM sessions ORDER BY id_hash')).rows,
      }),
    close: () => client.end(),
  };
}

/**
 * Starts the service on one engine, with limits out of the way so fuzzed failures cannot lock the seeded email, and a
 * clock that stands still: a session's use is recorded at most once a minute, so on a slow run the real clock would
 * let an authenticated request that is then refused (a 403 after the session check) record a use, a write that comes
 * from time passing, not from the request. With time standing still, any write a refusal makes is the request's.
 */
async function startOn(engine: 'sqlite' | 'postgres'): Promise<EngineUnderTest> {
  const frozenAt = Date.now();
  const clock = (): number => frozenAt;
  const env = {
    LOG_LEVEL: 'warn',
    TRUST_PROXY: 'true',
    // 429s are tested elsewhere.
    RATE_LIMIT_IP_MAX: '1000000',
    RATE_LIMIT_ACCOUNT_MAX: '1000000',
    RATE_LIMIT_ACCOUNT_GLOBAL_MAX: '1000000',
  };
  if (engine === 'sqlite') {
    const started = await startService(env, { clock });
    return { service: started, snapshots: sqliteSnapshots(started.databasePath ?? ''), cleanup: () => Promise.resolve() };
  }
  const schema = await createPostgresSchema();
  const started = await startService({ ...env, DATABASE_URL: schema.url }, { clock });
  return { service: started, snapshots: await postgresSnapshots(schema.url), cleanup: () => schema.drop() };
}

let service: Service;
let snapshots: Snapshotter;
let liveSession = '';
let cases = 0;
/** How many replies of each status the fuzzing saw, printed with the case count. */
const statuses = new Map<number, number>();
const rejections: unknown[] = [];
const onRejection = (reason: unknown): void => {
  rejections.push(reason);
};

/** Makes any string sendable as a header value: UTF-8 bytes as latin1 characters, control characters dropped. */
function headerValue(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point: HTTP forbids them in values.
  return Buffer.from(text, 'utf8').toString('latin1').replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '');
}

/** The routes, plus an unknown one, a bad escape, a method no route has and HEAD. */
const ROUTES: ReadonlyArray<readonly [string, string]> = [
  ['GET', '/'],
  ['POST', '/sessions'],
  ['DELETE', '/sessions'],
  ['POST', '/users'],
  ['GET', '/profile'],
  ['POST', '/reset_password'],
  ['PUT', '/reset_password'],
  ['PUT', '/password'],
  ['GET', '/sessions'],
  ['POST', '/sessions/end'],
  ['GET', '/health'],
  ['GET', '/health/live'],
  ['GET', '/health/ready'],
  ['GET', '/openapi.json'],
  ['GET', '/no-such-route'],
  ['POST', '/users?email=x%zz'],
  ['GET', '/%E0%A4%A'],
  ['PATCH', '/sessions'],
  ['HEAD', '/profile'],
  ['OPTIONS', '/users'],
];
const route = fc.constantFrom(...ROUTES);
/** The routes that change state, which a cross-site request may never reach. */
const STATE_CHANGING = new Set([
  'POST /sessions',
  'DELETE /sessions',
  'POST /users',
  'POST /reset_password',
  'PUT /reset_password',
  'PUT /password',
  'POST /sessions/end',
]);

/**
 * Characters that break naive handling: C0 (NUL, tab, line breaks, escape), DEL, C1, zero-width and bidirectional
 * format characters, line and paragraph separators, a BOM, a soft hyphen, lone surrogates, and letters that change
 * length under case mapping (`İ` lower-cases to two code points, `ß` and `ﬀ` upper-case to two).
 */
const HOSTILE_CHARACTERS = ['\u0000', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009b', '\u200b', '\u200e', '\u202e', '\u2028', '\u2029', '\ufeff', '\u00ad', '\ud800', '\udfff', 'İ', 'ẞ', 'ß', 'ﬀ', 'ŉ', 'ΐ', 'e\u0301', '😀', '@', ' ', '%', '\\', '"'];
const hostileText = fc.array(fc.oneof(fc.constantFrom(...HOSTILE_CHARACTERS), fc.string({ maxLength: 3 })), { maxLength: 16 }).map((parts) => parts.join(''));
/** Values past every limit: 100 to 1,500 of one (possibly growing) character. */
const overlong = fc.tuple(fc.constantFrom('a', 'İ', 'ß', '\u0000', '😀', '%'), fc.integer({ min: 100, max: 1500 })).map(([c, n]) => c.repeat(n));
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: hostileText },
  { weight: 1, arbitrary: overlong },
);
/** Emails with hostile parts, and ones that fit the 320-character limit as sent but not once lower-cased. */
const emailish = fc.oneof(
  fc.tuple(hostileText, fc.constantFrom('x.io', 'sec.example', 'İ.io', 'x.io\n')).map(([local, domain]) => `${local}@${domain}`),
  fc.tuple(fc.constantFrom('a', 'İ', 'ß'), fc.integer({ min: 150, max: 330 })).map(([c, n]) => `${c.repeat(n)}@x.io`),
  fc.constantFrom(`seeded@sec.example\r\nBcc: x@y.z`, 'seeded@sec.example\u0000', '\u202eseeded@sec.example', 'SEEDED@SEC.EXAMPLE\u200b'),
);
/** Percent-encodes the UTF-8 bytes of any string (encodeURIComponent throws on a lone surrogate). */
function percentEncoded(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}
const percentJunk = fc.constantFrom('%', '%zz', '%E2%82', '%00', '%ff', '%2', '+%20+', '%C0%AF', '%uD800', '%%', '&&==');
const fieldName = fc.oneof(fc.constantFrom('email', 'password', 'reset_token', 'new_password', 'session', 'email[]', 'constructor', '__proto__'), text);
const fieldValue = fc.oneof(
  text,
  percentJunk,
  text.map(percentEncoded),
  fc.constantFrom(SEED_EMAIL, SEED_EMAIL.toUpperCase(), MARKER, 'a@b.c', ' spaced@x.io '),
  emailish,
  emailish.map(percentEncoded),
  fc.tuple(text, percentJunk, text).map(([a, b, c]) => `${a}${b}${c}`),
);
const formBody = fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
const jsonBody = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc
    .record(
      { email: fc.oneof(fieldValue, emailish, fc.jsonValue({ maxDepth: 1 })), password: fc.oneof(fieldValue, fc.jsonValue({ maxDepth: 1 })), reset_token: fieldValue, new_password: fieldValue },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
);
const hugeBody = fc.constantFrom(17 * 1024, 64 * 1024, 256 * 1024).map((size) => `email=${'a'.repeat(size)}@x.io&password=${MARKER}`);
const body = fc.option(fc.oneof({ weight: 3, arbitrary: formBody }, { weight: 3, arbitrary: jsonBody }, { weight: 2, arbitrary: text }, { weight: 1, arbitrary: hugeBody }), {
  nil: undefined,
});
const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=utf-8',
      'application/x-www-form-urlencoded; charset=latin1',
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'APPLICATION/JSON',
      'application/json;;;',
      'application/vnd.api+json',
      'multipart/form-data; boundary=xyz',
      'multipart/form-data',
      'text/plain',
      'text/plain; charset=utf-8',
      'application/xml',
      'application/octet-stream',
      '*/*',
      ';',
      '',
    ),
    text.map(headerValue),
  ),
  { nil: undefined },
);

/** Headers are absent half the time, so requests that pass the cross-site guard reach the routes often enough. */
const HALF_ABSENT = { nil: undefined, freq: 2 } as const;
const cookie = fc.option(
  fc.oneof(
    // `{live}` stands for the seeded user's live session id, which only exists once beforeAll has run.
    fc.constant('session_id={live}'),
    text.map((t) => `session_id=${headerValue(t)}`),
    text.map((t) => `session_id=${percentEncoded(t)}`),
    percentJunk.map((junk) => `session_id=${junk}`),
    fc.constantFrom(4_000, 12_000).map((n) => `session_id=${'x'.repeat(n)}`),
    fc.tuple(text, text).map(([a, b]) => `session_id=${headerValue(a)}; session_id=${headerValue(b)}`),
    text.map((t) => headerValue(t)),
  ),
  HALF_ABSENT,
);
const origin = fc.option(fc.oneof(fc.constantFrom('{own}', 'http://evil.example', 'null', 'https://app.example'), text.map(headerValue)), HALF_ABSENT);
const secFetchSite = fc.option(fc.oneof(fc.constantFrom('cross-site', 'same-origin', 'same-site', 'none', 'CROSS-SITE'), text.map(headerValue)), HALF_ABSENT);
const forwardedFor = fc.option(
  fc.oneof(
    fc.constantFrom('1.2.3.4', '1.2.3.4, 5.6.7.8', '::1', 'unknown', ', ,', '999.999.999.999', '[::1]:80', '::ffff:10.0.0.1', 'fe80::1%eth0', '0x7f.1'),
    text.map(headerValue),
    overlong.map(headerValue),
  ),
  HALF_ABSENT,
);
/** Headers sent on top of the rest: repeats of the ones Sesame reads, odd framing and overlong values. */
const extraHeaders = fc.array(
  fc.oneof(
    fc.constantFrom<readonly [string, string]>(
      ['content-type', 'application/json'],
      ['content-type', 'text/plain'],
      ['cookie', 'session_id=a'],
      ['cookie', 'session_id={live}'],
      ['origin', 'http://evil.example'],
      ['origin', '{own}'],
      ['x-forwarded-for', '1.1.1.1'],
      ['x-forwarded-proto', 'https'],
      ['x-forwarded-host', 'evil.example'],
      ['forwarded', 'for=1.2.3.4;proto=https'],
      ['host', 'evil.example'],
      ['host', ''],
      ['expect', 'whatever'],
      ['transfer-encoding', 'gzip'],
      ['content-encoding', 'gzip'],
      ['accept', 'text/html'],
      ['accept-encoding', 'br, gzip'],
      ['connection', 'upgrade'],
      ['upgrade', 'websocket'],
      ['sec-fetch-site', 'same-origin'],
      ['authorization', 'Bearer x'],
      ['x-http-method-override', 'DELETE'],
    ),
    fc.tuple(fc.constantFrom('x-forwarded-for', 'cookie', 'origin', 'content-type', 'user-agent', 'sec-fetch-site', 'x-request-id', 'referer'), fc.oneof(text, overlong).map(headerValue)),
  ),
  { maxLength: 4 },
);
/** Every method Node's client can send, known to a route or not. */
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'LOCK', 'PURGE', 'M-SEARCH');
/** Paths near Sesame's, bent: dot segments, doubled or encoded slashes, bad escapes, odd queries, latin1 bytes. */
const oddPath = fc
  .tuple(
    fc.constantFrom('/', '/users', '/sessions', '/sessions/end', '/profile', '/reset_password', '/password', '/health', '/health/ready', '/openapi.json', '/metrics', '/nowhere'),
    fc.array(fc.constantFrom('/', '//', '/.', '/..', '/%2e%2e', '%2F', '%00', '%zz', '%E0%A4%A', '%C0%AF', '%FF', ';x=1', '.json', '~', 'é', '%0d%0a', 'X'), { maxLength: 3 }),
    fc.option(
      fc.oneof(
        fc.constantFrom('?', '??', '?email=a@b.c&password=x', '?a=%zz', '?a[]=1&a[]=2', '?__proto__[x]=1', '?#frag'),
        fc.integer({ min: 100, max: 6000 }).map((n) => `?q=${'x'.repeat(n)}`),
      ),
      { nil: '' },
    ),
  )
  .map(([base, pieces, query]) => `${base}${pieces.join('')}${query}`);

/** One fuzzed request. */
interface FuzzCase {
  readonly route: readonly [string, string];
  readonly body: string | undefined;
  readonly contentType: string | undefined;
  readonly cookie: string | undefined;
  readonly origin: string | undefined;
  readonly secFetchSite: string | undefined;
  readonly forwardedFor: string | undefined;
  readonly extra?: ReadonlyArray<readonly [string, string]>;
}

/** Builds the request for a case, filling in the live session id and the service's own origin. */
function toRequest(c: FuzzCase): RawOutgoing {
  const headers: Array<[string, string]> = [];
  if (c.contentType !== undefined) headers.push(['content-type', c.contentType]);
  if (c.cookie !== undefined) headers.push(['cookie', c.cookie.replace('{live}', liveSession)]);
  if (c.origin !== undefined) headers.push(['origin', c.origin === '{own}' ? service.origin : c.origin]);
  if (c.secFetchSite !== undefined) headers.push(['sec-fetch-site', c.secFetchSite]);
  if (c.forwardedFor !== undefined) headers.push(['x-forwarded-for', c.forwardedFor]);
  for (const [name, value] of c.extra ?? []) headers.push([name, value.replace('{live}', liveSession).replace('{own}', service.origin)]);
  const [method, path] = c.route;
  return { method, path, headers, ...(c.body === undefined ? {} : { body: Buffer.from(c.body, 'utf8') }) };
}

/** Sends one case and checks every invariant; returns the reply for the caller's own checks. */
async function check(c: FuzzCase): Promise<Reply> {
  cases += 1;
  const before = await snapshots.read();
  const reply = await rawSend(service.url, toRequest(c));
  statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
  expect(reply.status, reply.text).toBeLessThan(500);
  expect(reply.text).not.toContain(MARKER);
  expect(reply.text).not.toContain(SEED_PASSWORD);
  if (reply.status >= 400) {
    if (c.route[0] !== 'HEAD') {
      expect(reply.json, reply.text).toBeTypeOf('object');
      expect(reply.message, reply.text).toBeTypeOf('string');
    }
    expect(await snapshots.read(), `${c.route.join(' ')} answered ${reply.status} but changed the database`).toBe(before);
  }
  return reply;
}

const settings = { numRuns: RUNS, seed: SEED } as const;

/** The fuzz suite on one engine; an unreachable PostgreSQL skips it with the reason, or fails it under CI=true. */
function fuzzOn(engine: 'sqlite' | 'postgres', availability: Availability): void {
  describeOnEngine(engine, availability, `fuzzing every route [${engine}]`, () => {
    let running: EngineUnderTest | undefined;
    let started = 0;
    beforeAll(async () => {
      cases = 0;
      statuses.clear();
      rejections.length = 0;
      process.on('unhandledRejection', onRejection);
      started = Date.now();
      console.log(`fuzz [${engine}]: seed ${SEED} (replay: FUZZ_SEED=${SEED} npx vitest run test/surfaces/api/fuzz.test.ts)`);
      running = await startOn(engine);
      ({ service, snapshots } = running);
      expect((await send(service.url, 'POST', '/users', { form: { email: SEED_EMAIL, password: SEED_PASSWORD } })).status).toBe(200);
      liveSession = (await send(service.url, 'POST', '/sessions', { form: { email: SEED_EMAIL, password: SEED_PASSWORD } })).sessionId ?? '';
    });

    afterAll(async () => {
      await running?.snapshots.close();
      await running?.service.stop();
      await running?.cleanup();
      process.off('unhandledRejection', onRejection);
      const seen = [...statuses.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}x${n}`);
      console.log(`fuzz [${engine}]: ${cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${SEED} (statuses ${seen.join(' ')})`);
    });

    it('survives arbitrary bodies and content types', async () => {
      await fc.assert(
        fc.asyncProperty(route, body, contentType, async (r, b, t) => {
          await check({ route: r, body: b, contentType: t, cookie: undefined, origin: undefined, secFetchSite: undefined, forwardedFor: undefined });
        }),
        settings,
      );
    }, PROPERTY_TIMEOUT_MS);

    it('survives arbitrary cookies, Origin, Sec-Fetch-Site, X-Forwarded-For and repeated or odd headers', async () => {
      const plausible = fc.constantFrom(
        undefined,
        `email=${encodeURIComponent(SEED_EMAIL)}&password=${MARKER}`,
        JSON.stringify({ email: SEED_EMAIL, reset_token: '00000000-0000-4000-8000-000000000000', new_password: MARKER }),
        `password=${MARKER}&new_password=${MARKER}`,
      `password=${encodeURIComponent(SEED_PASSWORD)}&session=others`,
        `email=fuzz-${Math.random().toString(36).slice(2)}@x.io&password=${MARKER}`,
      );
      await fc.assert(
        fc.asyncProperty(route, plausible, cookie, origin, secFetchSite, forwardedFor, extraHeaders, async (r, b, k, o, s, x, extra) => {
          const type = b?.startsWith('{') === true ? 'application/json' : 'application/x-www-form-urlencoded';
          const reply = await check({ route: r, body: b, contentType: b === undefined ? undefined : type, cookie: k, origin: o, secFetchSite: s, forwardedFor: x, extra });
          // A cross-site state change is refused whatever else the request carries.
          if (s === 'cross-site' && extra.length === 0 && STATE_CHANGING.has(r.join(' '))) expect(reply.status).toBe(403);
        }),
        settings,
      );
    }, PROPERTY_TIMEOUT_MS);

    it('survives every method on bent paths, odd queries and encodings', async () => {
      const plausible = fc.option(
        fc.oneof(fc.constantFrom(`email=${encodeURIComponent(SEED_EMAIL)}&password=${MARKER}`, JSON.stringify({ email: SEED_EMAIL, password: MARKER })), formBody),
        { nil: undefined },
      );
      await fc.assert(
        fc.asyncProperty(method, oddPath, plausible, cookie, async (m, path, b, k) => {
          const type = b?.startsWith('{') === true ? 'application/json' : 'application/x-www-form-urlencoded';
          await check({ route: [m, path], body: b, contentType: b === undefined ? undefined : type, cookie: k, origin: undefined, secFetchSite: undefined, forwardedFor: undefined });
        }),
        settings,
      );
    }, PROPERTY_TIMEOUT_MS);

    it('answers malformed HTTP with a 4xx, never a 5xx or a hang', async () => {
      const raw = [
        'GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n',
        'POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nemail',
        'POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
        'POST /users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot hex\r\n0\r\n\r\n',
        'POST /users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
        `GET /profile HTTP/1.1\r\nHost: x\r\nCookie: session_id=${'y'.repeat(20_000)}\r\n\r\n`,
        'GET /profile HTTP/1.1\r\nHost: x\r\nCookie: session_id=\xff\xfe\r\n\r\n',
        'GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n',
        'BREW /coffee HTTP/1.1\r\nHost: x\r\n\r\n',
        'POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"email":',
      ];
      for (const request of raw) {
        cases += 1;
        const before = await snapshots.read();
        // Only a body shorter than its Content-Length needs the end of input before the server can refuse it.
        const truncated = request === raw[raw.length - 1];
        const response = await rawSocket(request, truncated);
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 'NaN');
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status, JSON.stringify(request.slice(0, 60))).toBeGreaterThanOrEqual(400);
        expect(status, JSON.stringify(request.slice(0, 60))).toBeLessThan(500);
        const bodyText = response.slice(response.indexOf('\r\n\r\n') + 4);
        if (bodyText !== '') expect((JSON.parse(bodyText) as { message?: unknown }).message).toBeTypeOf('string');
        expect(await snapshots.read()).toBe(before);
      }
    }, PROPERTY_TIMEOUT_MS);

    it('leaves the seeded account working, with no unhandled rejection and no error logged', async () => {
      const login = await send(service.url, 'POST', '/sessions', { form: { email: SEED_EMAIL, password: SEED_PASSWORD } });
      expect(login.status).toBe(200);
      expect((await send(service.url, 'GET', '/profile', { sessionId: login.sessionId ?? '' })).json).toEqual({ email: SEED_EMAIL });
      expect(rejections).toEqual([]);
      const errors = service
        .logs()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .filter((line) => ((JSON.parse(line) as { level?: number }).level ?? 0) >= 50);
      expect(errors).toEqual([]);
      expect(cases).toBeGreaterThan(100);
    });
  });
}

fuzzOn('sqlite', { ok: true });
fuzzOn('postgres', postgresAvailability);

/**
 * Writes raw bytes on a fresh connection and returns whatever comes back before the server ends it (or a minute of
 * silence passes, a bound for a hang on a busy machine). The write side stays open: Node's HTTP server drops a request
 * whose client half-closes before an asynchronous answer is ready (every PostgreSQL answer is), so the end of input is
 * signalled only for a request the server can only refuse once it sees the input end (`endsInput`: a truncated body),
 * after a second of silence, so the server has its headers in hand first.
 */
function rawSocket(request: string, endsInput: boolean): Promise<string> {
  const { hostname, port } = new URL(service.url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.write(Buffer.from(request, 'latin1')));
    const done = (): void => {
      clearTimeout(halfClose);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const halfClose = endsInput ? setTimeout(() => socket.end(), 1000) : undefined;
    socket.setTimeout(60_000, done);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (isCompleteResponse(Buffer.concat(chunks).toString('latin1'))) done();
    });
    socket.on('end', done);
    socket.on('error', reject);
  });
}

/** Whether `text` holds a whole HTTP response: its head and as many body bytes as its Content-Length says. */
function isCompleteResponse(text: string): boolean {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, headEnd))?.[1];
  return length !== undefined && Buffer.byteLength(text.slice(headEnd + 4), 'latin1') >= Number(length);
}
