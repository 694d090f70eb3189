/**
 * Sign-up tells no one which addresses have accounts (issue 26, ASVS V6.3.8), on both engines, over real HTTP: with
 * `REQUIRE_EMAIL_VERIFICATION` on, `POST /users` for a taken address answers what it answers for a new one (status,
 * body, headers but the date and request id) after the same work, counted rather than timed, as timing.test.ts does
 * for login: bcrypt hashes, strength scorings, outbox rows, transactions and the statements in them. The owner of the
 * taken address is mailed once a day at most (the injected clock crosses the day), a weak password is refused alike
 * for both, two sign-ups racing for one new address make one account and two like answers, and without the setting
 * the seed's `400 email already registered` stays.
 * @module
 */
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildServer } from '../../../src/bin/app.js';
import { loadConfig } from '../../../src/config.js';
import type { Clock } from '../../../src/kernel/clock.js';
import { NO_REQUEST } from '../../../src/kernel/events.js';
import type { MailTransport, OutboxMessage } from '../../../src/modules/mail/index.js';
import type { PasswordHasher, StrengthScorer } from '../../../src/modules/password/index.js';
import { markStarted } from '../../../src/modules/password/strength-estimator.js';
import type { StrengthTask } from '../../../src/modules/password/strength-worker.js';
import { createSesame, type Sesame } from '../../../src/sesame.js';
import { BarrierHasher, CountingHasher } from '../../support/doubles.js';
import { describeEngines, type TestStorage } from '../../support/engines.js';
import { send, type Reply } from '../../support/http.js';
import { waitUntil } from '../../support/ops-doubles.js';
import { SLOW_MACHINE_DATABASE, SLOW_MACHINE_SCORING } from '../../support/settings.js';
import { recordStatements, type RecordedStorage } from '../../support/statements.js';

const T0 = Date.UTC(2026, 0, 15, 9, 0);
const DAY = 86_400_000;
const GOOD = 'the quiet librarian hums at noon';
/** Two addresses of one length, so the echoed bodies, and their Content-Length, can be compared whole. */
const OWNER = 'owner@example.io';
const FRESH = 'fresh@example.io';

/**
 * Enumeration-safe sign-up: verification required (mail by the development `.eml` channel, replaced by a collecting
 * transport), and a production-strength policy whose zxcvbn score comes from {@link CountingScorer}.
 */
const SAFE = {
  REQUIRE_EMAIL_VERIFICATION: 'true',
  MAIL_FROM: 'auth@example.com',
  PUBLIC_URL: 'https://auth.example.com/auth',
  PASSWORD_MIN_LENGTH: '15',
  PASSWORD_CHECK_COMMON: 'true',
  PASSWORD_MIN_SCORE: '3',
};

/** A scorer that counts its checks and scores at once: 1 for a password beginning with "weak", else 4. */
class CountingScorer implements StrengthScorer {
  scored = 0;

  /** Counts the check and answers its score. */
  run(task: StrengthTask): Promise<number> {
    this.scored += 1;
    markStarted(task.started);
    return Promise.resolve(task.password.startsWith('weak') ? 1 : 4);
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A transport that keeps what it is handed, for the dispatcher the test runs by hand. */
class CollectingTransport implements MailTransport {
  readonly sent: OutboxMessage[] = [];

  /** Keeps the message. */
  send(message: OutboxMessage): Promise<{ readonly file?: string }> {
    this.sent.push(message);
    return Promise.resolve({});
  }

  /** Nothing to release. */
  close(): void {}
}

/** A service over a recorded storage, with its counters. */
interface Built {
  readonly url: string;
  readonly sesame: Sesame;
  readonly recorded: RecordedStorage;
  readonly hasher: CountingHasher;
  readonly scorer: CountingScorer;
  readonly transport: CollectingTransport;
}

/** What one sign-up answered and cost. */
interface Attempt {
  readonly reply: Reply;
  readonly hashes: number;
  readonly scorings: number;
  readonly outboxRows: number;
  readonly transactions: number;
  readonly statements: readonly string[];
}

/** The headers that differ between any two answers (the time, the request's id), left out of comparisons. */
const PER_REQUEST = new Set(['date', 'x-request-id']);

/** `headers` without {@link PER_REQUEST}. */
function comparable(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !PER_REQUEST.has(name)));
}

describeEngines('sign-up tells no one which addresses have accounts', (engine) => {
  let storage: TestStorage;
  /** Closes each app built in the test (which closes its instance, an onClose hook); the storage is the test's own. */
  const closers: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    storage = await engine.open();
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await storage.close();
  });

  /** The whole service over this test's database, its statements recorded, listening on a loopback port. */
  async function build(env: Readonly<Record<string, string>>, options: { readonly clock?: Clock; readonly hasher?: PasswordHasher } = {}): Promise<Built> {
    const recorded = recordStatements(storage);
    const hasher = new CountingHasher(4, options.hasher);
    const scorer = new CountingScorer();
    const transport = new CollectingTransport();
    const config = loadConfig({ BCRYPT_COST: '4', LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY: '0', ...SLOW_MACHINE_SCORING, ...SLOW_MACHINE_DATABASE, ...env, PORT: '0', HOST: '127.0.0.1' });
    const sesame = await createSesame(config, {
      storage: recorded.storage,
      sweeper: false,
      // Sent by hand (dispatchDue), so no poll of the outbox runs among the statements counted.
      mailDispatcher: false,
      hasher,
      strength: { scorer },
      mail: { transport },
      clock: options.clock ?? (() => T0),
    });
    const app = await buildServer(sesame);
    closers.push(() => app.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, sesame, recorded, hasher, scorer, transport };
  }

  /** Outbox rows of the database, read around the recorder. */
  async function outbox(): Promise<Array<{ kind: string; recipient: string; status: string }>> {
    return storage.kysely.selectFrom('mail_outbox').select(['kind', 'recipient', 'status']).orderBy('id').execute();
  }

  /** `POST /users`. */
  function signUp(service: Built, email: string, password: string): Promise<Reply> {
    return send(service.url, 'POST', '/users', { form: { email, password } });
  }

  /** One `POST /users`, with the work it did. */
  async function attempt(service: Built, email: string, password: string): Promise<Attempt> {
    const before = (await outbox()).length;
    service.recorded.reset();
    service.hasher.reset();
    service.scorer.scored = 0;
    const reply = await signUp(service, email, password);
    return {
      reply,
      hashes: service.hasher.hashCalls,
      scorings: service.scorer.scored,
      transactions: service.recorded.transactions(),
      statements: [...service.recorded.statements],
      outboxRows: (await outbox()).length - before,
    };
  }

  /** An account made as an operator makes one (no request, no sign-up), in `language`, its address vouched for. */
  async function owner(service: Built, language = 'en'): Promise<number> {
    return (await service.sesame.password.registration.register(OWNER, GOOD, NO_REQUEST, { language, emailVerifiedAt: T0 })).id;
  }

  it('a taken address gets the status, body and headers a new one gets, for the same work: one hash, one scoring, one outbox row, one transaction of the same statements', async () => {
    const service = await build(SAFE);
    const ownerId = await owner(service);
    const storedHash = (await service.sesame.users.findByEmail(OWNER))?.hashed_password;
    const fresh = await attempt(service, FRESH, GOOD);
    const taken = await attempt(service, OWNER, 'another quiet librarian at dusk');

    expect(fresh.reply.status, fresh.reply.text).toBe(200);
    expect(fresh.reply.json).toEqual({ email: FRESH, message: 'user created' });
    expect(taken.reply.status).toBe(200);
    expect(taken.reply.json).toEqual({ email: OWNER, message: 'user created' });
    expect(taken.reply.text).toBe(fresh.reply.text.replace(FRESH, OWNER));
    expect(comparable(taken.reply.headers)).toEqual(comparable(fresh.reply.headers));
    expect(Object.keys(comparable(fresh.reply.headers))).toEqual(expect.arrayContaining(['content-length', 'content-type', 'cache-control']));
    expect(taken.reply.setCookies).toEqual(fresh.reply.setCookies);

    for (const [name, work] of Object.entries({ fresh, taken })) {
      expect(work.hashes, name).toBe(1);
      expect(work.scorings, name).toBe(1);
      expect(work.outboxRows, name).toBe(1);
      expect(work.transactions, name).toBe(1);
    }
    // The same statements on the same tables in the same order; only the token statement differs in kind (a new
    // account's token is inserted, the taken path spends one that cannot exist), as the reset request's paths do.
    expect(fresh.statements).toEqual([
      'SelectQueryNode:users',
      'InsertQueryNode:users',
      'InsertQueryNode:verification_tokens',
      'SelectQueryNode:mail_outbox',
      'InsertQueryNode:mail_outbox',
      'UpdateQueryNode:verification_tokens',
      'InsertQueryNode:auth_events',
    ]);
    expect(taken.statements).toEqual(fresh.statements.map((statement) => (statement === 'InsertQueryNode:verification_tokens' ? 'UpdateQueryNode:verification_tokens' : statement)));

    // The taken address kept its one account and its password; its owner has a notice waiting, the new one a link.
    const users = await storage.kysely.selectFrom('users').select(['email', 'hashed_password']).orderBy('id').execute();
    expect(users.map((user) => user.email)).toEqual([OWNER, FRESH]);
    expect(users[0]?.hashed_password).toBe(storedHash);
    expect(await outbox()).toEqual([
      { kind: 'email_verify', recipient: FRESH, status: 'pending' },
      { kind: 'registration_attempt', recipient: OWNER, status: 'pending' },
    ]);
    expect((await service.sesame.audit.list({ userId: ownerId })).map((event) => event.type)).toEqual(['account.registration_repeated', 'account.created']);
  });

  it('a weak password is refused alike for a taken and a new address, before any database work', async () => {
    const service = await build(SAFE);
    await owner(service);
    // Too short, too common (both before scoring), and too easy to guess (scored).
    for (const [weak, scorings] of [['fourteen chars', 0], ['passwordpassword', 0], ['weak but long enough phrase', 1]] as const) {
      const fresh = await attempt(service, FRESH, weak);
      const taken = await attempt(service, OWNER, weak);
      expect(fresh.reply.status, weak).toBe(400);
      expect(fresh.reply.headers['sesame-error'], weak).toBe('password.weak');
      expect(taken.reply.text, weak).toBe(fresh.reply.text);
      expect(comparable(taken.reply.headers), weak).toEqual(comparable(fresh.reply.headers));
      for (const work of [fresh, taken]) {
        expect(work, weak).toMatchObject({ hashes: 0, scorings, outboxRows: 0, transactions: 0, statements: [] });
      }
    }
    expect((await storage.kysely.selectFrom('users').select('email').execute()).map((user) => user.email)).toEqual([OWNER]);
  });

  it('the owner is mailed once, in their language, however often the address is tried in a day, and again once the day has passed; each repeat still writes its row, suppressed', async () => {
    let now = T0;
    const service = await build(SAFE, { clock: () => now });
    await owner(service, 'fr');
    const notices = (): OutboxMessage[] => service.transport.sent.filter((message) => message.kind === 'registration_attempt');

    expect((await attempt(service, OWNER, GOOD)).outboxRows).toBe(1);
    now = T0 + DAY - 1;
    expect((await attempt(service, OWNER, GOOD)).outboxRows).toBe(1);
    expect(await service.sesame.mail.dispatchDue()).toBe(1);
    expect(notices()).toHaveLength(1);
    expect((await outbox()).map((row) => row.status)).toEqual(['sent', 'suppressed']);

    const [mail] = notices();
    expect(mail?.recipient).toBe(OWNER);
    expect(mail?.subject).toBe('Quelqu’un a tenté de s’inscrire avec votre adresse');
    // Links to the pages, under PUBLIC_URL's path; no token, nothing that signs anyone in.
    const lines = (mail?.text_body ?? '').split('\n');
    expect(lines).toContain('https://auth.example.com/auth/account/login');
    expect(lines).toContain('https://auth.example.com/auth/account/forgot');
    expect(mail?.text_body).not.toMatch(/token|\d{4}-\d{4}/);

    // A day after the first notice (the suppressed repeat does not count), the next attempt mails again.
    now = T0 + DAY + 1;
    expect((await attempt(service, OWNER, GOOD)).outboxRows).toBe(1);
    expect(await service.sesame.mail.dispatchDue()).toBe(1);
    expect(notices()).toHaveLength(2);
    expect((await outbox()).map((row) => row.status)).toEqual(['sent', 'suppressed', 'sent']);
  });

  it('a disabled owner gets no notice, for the same work: the row is written suppressed', async () => {
    const service = await build(SAFE);
    const id = await owner(service);
    await service.sesame.accounts.disable(id, 'test', NO_REQUEST);
    const fresh = await attempt(service, FRESH, GOOD);
    const taken = await attempt(service, OWNER, GOOD);
    expect(taken.reply.text).toBe(fresh.reply.text.replace(FRESH, OWNER));
    expect(taken).toMatchObject({ hashes: 1, scorings: 1, outboxRows: 1, transactions: 1 });
    expect(taken.statements).toHaveLength(fresh.statements.length);
    expect((await outbox()).filter((row) => row.recipient === OWNER).map((row) => row.status)).toEqual(['suppressed']);
  });

  it('two sign-ups racing for one new address make one account and get the same answer; the other owner is mailed', async () => {
    // Both requests are held after their hash until both have one, so both transactions start together.
    const service = await build(SAFE, { hasher: new BarrierHasher(4, 2) });
    const [first, second] = await Promise.all([signUp(service, 'race@example.io', GOOD), signUp(service, 'race@example.io', 'another quiet librarian at dusk')]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.json).toEqual(first.json);
    expect(await storage.kysely.selectFrom('users').select('email').execute()).toEqual([{ email: 'race@example.io' }]);
    expect((await outbox()).map((row) => row.kind).sort()).toEqual(['email_verify', 'registration_attempt']);
    expect((await service.sesame.audit.list()).map((event) => event.type).sort()).toEqual(['account.created', 'account.registration_repeated']);
  });

  if (engine.name === 'postgres') {
    it('a sign-up whose insert waits on another transaction holding the new address takes the taken path once it commits', async () => {
      const service = await build(SAFE);
      let commit: () => void = () => undefined;
      const committing = new Promise<void>((resolve) => (commit = resolve));
      let holderPid = 0;
      // Another writer (say, an operator's `sesame users create`) has inserted the address and not committed yet.
      const holder = storage.kysely.transaction().execute(async (tx) => {
        holderPid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx)).rows[0]?.pid ?? 0;
        await tx.insertInto('users').values({ email: 'race@example.io', hashed_password: 'x', created_at: T0, updated_at: T0 }).execute();
        await committing;
      });
      await waitUntil(() => holderPid !== 0, 'the holding transaction');
      service.recorded.reset();
      const pending = signUp(service, 'race@example.io', GOOD);
      // Its lookup found nothing (the row is not committed), and its insert now waits on the holder's lock.
      await waitUntil(async () => {
        const waiting = await sql<{ n: string }>`select count(*) as n from pg_stat_activity where ${holderPid} = any(pg_blocking_pids(pid))`.execute(storage.kysely);
        return Number(waiting.rows[0]?.n ?? 0) > 0;
      }, 'the sign-up to wait on the holder');
      commit();
      await holder;
      const reply = await pending;
      expect([reply.status, reply.json]).toEqual([200, { email: 'race@example.io', message: 'user created' }]);
      expect(await storage.kysely.selectFrom('users').select('email').execute()).toEqual([{ email: 'race@example.io' }]);
      expect(await outbox()).toEqual([{ kind: 'registration_attempt', recipient: 'race@example.io', status: 'pending' }]);
      expect((await service.sesame.audit.list()).map((event) => event.type)).toEqual(['account.registration_repeated']);
      // The lookup ran twice: before the insert (nothing yet) and after it wrote nothing (the holder's row).
      expect(service.recorded.statements.filter((statement) => statement === 'SelectQueryNode:users')).toHaveLength(2);
    });
  }

  it('without REQUIRE_EMAIL_VERIFICATION (the development default) a taken address still gets the seed\'s 400 email already registered, and nobody is mailed', async () => {
    const service = await build({});
    expect((await signUp(service, OWNER, 'pw')).json).toEqual({ email: OWNER, message: 'user created' });
    const again = await signUp(service, 'Owner@Example.io', 'pw');
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ message: 'email already registered' });
    expect(again.headers['sesame-error']).toBe('users.email_taken');
    expect(await outbox()).toEqual([]);
    expect((await storage.kysely.selectFrom('users').select('email').execute()).map((user) => user.email)).toEqual([OWNER]);
  });
});
