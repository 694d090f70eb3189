/**
 * Property-based fuzzing (fast-check) of every route over real HTTP: arbitrary bodies, content types, cookies and
 * header values. Whatever arrives: no 5xx, every refusal is JSON `{"message": string}`, no unhandled rejection, no
 * error logged, no response ever echoes a password, and a refused request leaves the users and sessions tables
 * exactly as they were (read through a separate connection). Runs once on SQLite and once on PostgreSQL. The seeded
 * user's password still works at the end. Runs are bounded by count and time; each engine's total is printed as
 * `fuzz [engine]: N cases`.
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
/** Time budget of each of the two properties per engine, so the file stays well under 30 s whatever the machine. */
const TIME_LIMIT_MS = 5_000;

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

/** Starts the service on one engine, with limits out of the way so fuzzed failures cannot lock the seeded email. */
async function startOn(engine: 'sqlite' | 'postgres'): Promise<EngineUnderTest> {
  const env = {
    LOG_LEVEL: 'warn',
    TRUST_PROXY: 'true',
    // 429s are tested elsewhere.
    RATE_LIMIT_IP_MAX: '1000000',
    RATE_LIMIT_ACCOUNT_MAX: '1000000',
    RATE_LIMIT_ACCOUNT_GLOBAL_MAX: '1000000',
  };
  if (engine === 'sqlite') {
    const started = await startService(env);
    return { service: started, snapshots: sqliteSnapshots(started.databasePath ?? ''), cleanup: () => Promise.resolve() };
  }
  const schema = await createPostgresSchema();
  const started = await startService({ ...env, DATABASE_URL: schema.url });
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

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const percentJunk = fc.constantFrom('%', '%zz', '%E2%82', '%00', '%ff', '%2', '+%20+', '%C0%AF', '%uD800', '%%', '&&==');
const fieldName = fc.oneof(fc.constantFrom('email', 'password', 'reset_token', 'new_password', 'session', 'email[]', 'constructor', '__proto__'), text);
const fieldValue = fc.oneof(
  text,
  percentJunk,
  text.map((t) => encodeURIComponent(t)),
  fc.constantFrom(SEED_EMAIL, SEED_EMAIL.toUpperCase(), MARKER, 'a@b.c', ' spaced@x.io '),
  fc.tuple(text, percentJunk, text).map(([a, b, c]) => `${a}${b}${c}`),
);
const formBody = fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
const jsonBody = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc
    .record(
      { email: fc.oneof(fieldValue, fc.jsonValue({ maxDepth: 1 })), password: fc.oneof(fieldValue, fc.jsonValue({ maxDepth: 1 })), reset_token: fieldValue, new_password: fieldValue },
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
    text.map((t) => `session_id=${encodeURIComponent(t)}`),
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
  fc.oneof(fc.constantFrom('1.2.3.4', '1.2.3.4, 5.6.7.8', '::1', 'unknown', ', ,', '999.999.999.999', '[::1]:80'), text.map(headerValue)),
  HALF_ABSENT,
);

/** One fuzzed request. */
interface FuzzCase {
  readonly route: readonly [string, string];
  readonly body: string | undefined;
  readonly contentType: string | undefined;
  readonly cookie: string | undefined;
  readonly origin: string | undefined;
  readonly secFetchSite: string | undefined;
  readonly forwardedFor: string | undefined;
}

/** Builds the request for a case, filling in the live session id and the service's own origin. */
function toRequest(c: FuzzCase): RawOutgoing {
  const headers: Array<[string, string]> = [];
  if (c.contentType !== undefined) headers.push(['content-type', c.contentType]);
  if (c.cookie !== undefined) headers.push(['cookie', c.cookie.replace('{live}', liveSession)]);
  if (c.origin !== undefined) headers.push(['origin', c.origin === '{own}' ? service.origin : c.origin]);
  if (c.secFetchSite !== undefined) headers.push(['sec-fetch-site', c.secFetchSite]);
  if (c.forwardedFor !== undefined) headers.push(['x-forwarded-for', c.forwardedFor]);
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

const settings = { numRuns: 250, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false } as const;

/** The fuzz suite on one engine; an unreachable PostgreSQL skips it with the reason, or fails it under CI=true. */
function fuzzOn(engine: 'sqlite' | 'postgres', availability: Availability): void {
  describeOnEngine(engine, availability, `fuzzing every route [${engine}]`, () => {
    let running: EngineUnderTest | undefined;
    beforeAll(async () => {
      cases = 0;
      statuses.clear();
      rejections.length = 0;
      process.on('unhandledRejection', onRejection);
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
      console.log(`fuzz [${engine}]: ${cases} cases (statuses ${seen.join(' ')})`);
    });

    it('survives arbitrary bodies and content types', async () => {
      await fc.assert(
        fc.asyncProperty(route, body, contentType, async (r, b, t) => {
          await check({ route: r, body: b, contentType: t, cookie: undefined, origin: undefined, secFetchSite: undefined, forwardedFor: undefined });
        }),
        settings,
      );
    }, 30_000);

    it('survives arbitrary cookies, Origin, Sec-Fetch-Site and X-Forwarded-For', async () => {
      const plausible = fc.constantFrom(
        undefined,
        `email=${encodeURIComponent(SEED_EMAIL)}&password=${MARKER}`,
        JSON.stringify({ email: SEED_EMAIL, reset_token: '00000000-0000-4000-8000-000000000000', new_password: MARKER }),
        `password=${MARKER}&new_password=${MARKER}`,
      `password=${encodeURIComponent(SEED_PASSWORD)}&session=others`,
        `email=fuzz-${Math.random().toString(36).slice(2)}@x.io&password=${MARKER}`,
      );
      await fc.assert(
        fc.asyncProperty(route, plausible, cookie, origin, secFetchSite, forwardedFor, async (r, b, k, o, s, x) => {
          const type = b?.startsWith('{') === true ? 'application/json' : 'application/x-www-form-urlencoded';
          const reply = await check({ route: r, body: b, contentType: b === undefined ? undefined : type, cookie: k, origin: o, secFetchSite: s, forwardedFor: x });
          // A cross-site state change is refused whatever else the request carries.
          if (s === 'cross-site' && STATE_CHANGING.has(r.join(' '))) expect(reply.status).toBe(403);
        }),
        settings,
      );
    }, 30_000);

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
        const response = await rawSocket(request);
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 'NaN');
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status, JSON.stringify(request.slice(0, 60))).toBeGreaterThanOrEqual(400);
        expect(status, JSON.stringify(request.slice(0, 60))).toBeLessThan(500);
        const bodyText = response.slice(response.indexOf('\r\n\r\n') + 4);
        if (bodyText !== '') expect((JSON.parse(bodyText) as { message?: unknown }).message).toBeTypeOf('string');
        expect(await snapshots.read()).toBe(before);
      }
    });

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
 * Writes raw bytes on a fresh connection and returns whatever comes back before the server ends it (or 4 s pass).
 * The write side stays open at first: Node's HTTP server drops a request whose client half-closes before an
 * asynchronous answer is ready (every PostgreSQL answer is), so the end of input is signalled only after a second
 * of silence, for requests (a truncated body) that the server can only refuse once it sees the input end.
 */
function rawSocket(request: string): Promise<string> {
  const { hostname, port } = new URL(service.url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.write(Buffer.from(request, 'latin1')));
    const done = (): void => {
      clearTimeout(halfClose);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const halfClose = setTimeout(() => socket.end(), 1000);
    socket.setTimeout(4000, done);
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
