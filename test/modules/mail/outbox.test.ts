// The outbox on SQLite and PostgreSQL: two Sesame instances on one database (each its own connection, as two
// processes have) send each message exactly once through a real SMTP receiver, and, without relying on timing, a
// claim held mid-send is not taken by the other dispatcher before its lease ends; a message left `sending` by a crashed
// dispatcher is taken back after the lease; failures back off, are recorded as `mail.failed` without the token, and
// end `failed` after MAIL_MAX_ATTEMPTS; a message enqueued before a restart is sent after it.
// Deterministic (issue 23): every test runs on a clock it moves by hand; running dispatchers are waited for through
// barriers (a message reaching a transport the test holds, outbox rows reaching `sent`), and "none twice" is checked
// after both instances have stopped, when no send can still be in flight.
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import type { Storage } from '../../../src/kernel/database/storage.js';
import { KyselyMailOutboxStore, type MailTransport } from '../../../src/modules/mail/index.js';
import { createSesame, type MailOptions, type Sesame } from '../../../src/sesame.js';
import { describeEngines, useFreshStorage, type TestStorage } from '../../support/engines.js';
import { outboxSettled, SLOW_MACHINE_STORAGE, until } from '../../support/mail-doubles.js';
import { SLOW_MACHINE_DATABASE } from '../../support/settings.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp.js';

const T0 = 1_700_000_000_000;

/**
 * How the second instance's connection opens the test's database: already migrated, so it only checks the migration
 * table (`migrate: false`, as a second process beside a migrating one may) instead of running Kysely's migrator again,
 * whose scan of every schema's catalogue can meet another suite's DDL mid-read on a shared PostgreSQL.
 */
const SECOND_HANDLE = { ...SLOW_MACHINE_STORAGE, migrate: false };

describeEngines('mail outbox', (engine) => {
  const storage = useFreshStorage(engine, SLOW_MACHINE_STORAGE);
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  let now = T0;
  const clock = (): number => now;

  /** A Sesame over `on`, emailing resets, with no dispatcher running unless asked (tests drive `dispatchDue`). */
  async function build(on: Storage, env: Readonly<Record<string, string>>, mail: MailOptions = {}, dispatcher = false): Promise<Sesame> {
    const config = loadConfig({ BCRYPT_COST: '4', LOG_LEVEL: 'silent', ...SLOW_MACHINE_DATABASE, RESET_TOKEN_DELIVERY: 'email', MAIL_FROM: 'auth@example.com', ...env });
    const sesame = await createSesame(config, { storage: on, sweeper: false, mailDispatcher: dispatcher, clock, mail });
    cleanups.push(() => sesame.close());
    return sesame;
  }

  /** A receiver stopped after the test. */
  async function receiver(): Promise<SmtpReceiver> {
    const smtp = await startSmtpReceiver();
    cleanups.push(() => smtp.stop());
    return smtp;
  }

  /** Registers `count` accounts and asks a reset for each: `count` messages in the outbox. */
  async function enqueueResets(sesame: Sesame, count: number, from = 0): Promise<string[]> {
    const emails = Array.from({ length: count }, (_, i) => `user${from + i}@example.io`);
    for (const email of emails) {
      await sesame.password.registration.register(email, 'password');
      await sesame.password.reset.request(email);
    }
    return emails;
  }

  it('two instances dispatching at once send each message exactly once', async () => {
    now = T0;
    const smtp = await receiver();
    const second: TestStorage = await storage().reopen(SECOND_HANDLE);
    cleanups.push(() => second.detach());
    const a = await build(storage(), { SMTP_URL: smtp.url });
    const b = await build(second, { SMTP_URL: smtp.url });
    const emails = await enqueueResets(a, 12);

    const [byA, byB] = await Promise.all([a.mail.dispatchDue(), b.mail.dispatchDue()]);
    expect(byA + byB).toBe(12);
    expect(smtp.received.map((mail) => mail.to[0]).sort()).toEqual([...emails].sort());
    const rows = await storage().kysely.selectFrom('mail_outbox').select(['status', 'attempts']).execute();
    expect(rows).toEqual(Array.from({ length: 12 }, () => ({ status: 'sent', attempts: 1 })));
    expect(await a.mail.dispatchDue()).toBe(0);
    expect(smtp.received).toHaveLength(12);
  });

  // Deterministic: no timing is relied on. Dispatcher A's transport holds its first message until the test lets it
  // go, so the claim is provably in flight while dispatcher B (its own connection) runs whole rounds, before and
  // after the lease would end; then the claim steps themselves are driven one by one on both connections.
  it('two dispatchers never deliver a message twice: a claim in flight is not taken before its lease ends, and of two claims one wins', async () => {
    now = T0;
    const leaseMs = 120_000;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((open) => {
      release = open;
    });
    const deliveries: Array<{ by: 'a' | 'b'; id: number }> = [];
    let held: number | undefined;
    let heldNow: (id: number) => void = () => undefined;
    const firstHeld = new Promise<number>((resolve) => {
      heldNow = resolve;
    });
    const gated: MailTransport = {
      async send(message) {
        if (held === undefined) {
          held = message.id;
          heldNow(message.id);
          await gate;
        }
        deliveries.push({ by: 'a', id: message.id });
        return {};
      },
      close: () => undefined,
    };
    const plain: MailTransport = {
      send(message) {
        deliveries.push({ by: 'b', id: message.id });
        return Promise.resolve({});
      },
      close: () => undefined,
    };
    const second: TestStorage = await storage().reopen(SECOND_HANDLE);
    cleanups.push(() => second.detach());
    const a = await build(storage(), {}, { transport: gated, dispatch: { leaseMs } });
    const b = await build(second, {}, { transport: plain, dispatch: { leaseMs } });
    await enqueueResets(a, 3);

    const roundOfA = a.mail.dispatchDue();
    // The barrier: A's claimed message has reached its transport, where it stays until release().
    const claimed = await firstHeld;
    expect(await a.mail.find(claimed)).toMatchObject({ status: 'sending', attempts: 0 });
    // B runs whole rounds while A's claim is in flight, up to the last moment of the lease: it sends the others only.
    expect(await b.mail.dispatchDue()).toBe(2);
    now = T0 + leaseMs - 1;
    expect(await b.mail.dispatchDue()).toBe(0);
    now = T0 + leaseMs;
    expect(await b.mail.dispatchDue()).toBe(0);
    expect(deliveries.map((delivery) => delivery.id)).not.toContain(claimed);
    release();
    expect(await roundOfA).toBe(1);
    expect(await b.mail.dispatchDue()).toBe(0);
    expect(await a.mail.dispatchDue()).toBe(0);
    const ids = deliveries.map((delivery) => delivery.id).sort();
    expect(ids).toEqual([1, 2, 3]);
    expect(deliveries.find((delivery) => delivery.id === claimed)?.by).toBe('a');
    const rows = await storage().kysely.selectFrom('mail_outbox').select(['status', 'attempts']).execute();
    expect(rows).toEqual(Array.from({ length: 3 }, () => ({ status: 'sent', attempts: 1 })));

    // The claim steps themselves, interleaved by hand on the two connections: both see the same due message, the
    // first claim takes it, the second gets nothing, however late within the lease it comes.
    now = T0 + 10 * leaseMs;
    await enqueueResets(a, 1, 3);
    const storeA = new KyselyMailOutboxStore(storage().kysely);
    const storeB = new KyselyMailOutboxStore(second.kysely);
    const dueA = await storeA.due(now, now - leaseMs, 20);
    const dueB = await storeB.due(now, now - leaseMs, 20);
    expect(dueA).toEqual(dueB);
    expect(dueA).toHaveLength(1);
    const [id] = dueA as [number];
    expect(await storeA.claim(id, now, now - leaseMs)).toMatchObject({ id, status: 'sending' });
    expect(await storeB.claim(id, now, now - leaseMs)).toBeUndefined();
    expect(await storeB.claim(id, now + leaseMs - 1, now - 1)).toBeUndefined();
    expect(await storeB.claim(id, now + leaseMs, now)).toBeUndefined();
    expect(await storeB.due(now + leaseMs, now, 20)).toEqual([]);
    // A delivered message is never claimed again, however long ago it was sent.
    for (const sent of [1, 2, 3]) expect(await storeB.claim(sent, now, now - leaseMs)).toBeUndefined();
    // Racing claims on the two connections: exactly one wins.
    await enqueueResets(a, 1, 4);
    const [next] = (await storeA.due(now, now - leaseMs, 20)) as [number];
    const raced = await Promise.all([storeA.claim(next, now, now - leaseMs), storeB.claim(next, now, now - leaseMs)]);
    expect(raced.filter((row) => row !== undefined)).toHaveLength(1);
  });

  it('two running dispatchers (polling) deliver every message once', async () => {
    now = T0;
    const smtp = await receiver();
    const second: TestStorage = await storage().reopen(SECOND_HANDLE);
    cleanups.push(() => second.detach());
    const fast: MailOptions = { dispatch: { pollMs: 20 } };
    const a = await build(storage(), { SMTP_URL: smtp.url }, fast, true);
    const b = await build(second, { SMTP_URL: smtp.url }, fast, true);
    const emails = await enqueueResets(a, 8);
    expect((await outboxSettled(storage().kysely)).map((row) => row.status)).toEqual(Array.from({ length: 8 }, () => 'sent'));
    // Both stopped (close() waits for a send in flight): a second delivery of any message would be in by now.
    await a.close();
    await b.close();
    expect(smtp.received.map((mail) => mail.to[0]).sort()).toEqual([...emails].sort());
  });

  it('with the SMTP server stopped mid-run, two running instances deliver every message once it is back, none twice', async () => {
    now = T0;
    // The clock moves only when the test moves it: each back-off (100 ms) passes exactly when the test says so, and
    // the leases (2 min) never end.
    const smtp = await receiver();
    const second: TestStorage = await storage().reopen(SECOND_HANDLE);
    cleanups.push(() => second.detach());
    const fast: MailOptions = { dispatch: { pollMs: 20, backoffMs: [100] } };
    const env = { SMTP_URL: smtp.url, MAIL_MAX_ATTEMPTS: '100' };
    const a = await build(storage(), env, fast, true);
    const b = await build(second, env, fast, true);
    const early = await enqueueResets(a, 3);
    await outboxSettled(storage().kysely);
    expect(smtp.received).toHaveLength(3);
    await smtp.stop();
    const late = await enqueueResets(a, 5, 3);
    /** The messages not sent yet, once each has failed at least `tries` times and is waiting for its next try. */
    const waitingAfter = async (tries: number): Promise<Array<{ status: string; attempts: number; next_attempt_at: number }>> => {
      const unsent = () => storage().kysely.selectFrom('mail_outbox').select(['status', 'attempts', 'next_attempt_at']).where('status', '<>', 'sent').execute();
      await until(async () => (await unsent()).every((row) => row.status === 'pending' && row.attempts >= tries), `every waiting message failed ${tries} time(s)`);
      return (await unsent()).map((row) => ({ ...row, attempts: Number(row.attempts), next_attempt_at: Number(row.next_attempt_at) }));
    };
    // Each waiting message fails once and waits for its back-off: the clock stands still, so none is tried again.
    expect(await waitingAfter(1)).toEqual(Array.from({ length: 5 }, () => ({ status: 'pending', attempts: 1, next_attempt_at: T0 + 100 })));
    // The back-off passes while the server is still down: every message is tried again, and fails again.
    now = T0 + 100;
    expect(await waitingAfter(2)).toEqual(Array.from({ length: 5 }, () => ({ status: 'pending', attempts: 2, next_attempt_at: T0 + 200 })));
    expect(smtp.received).toHaveLength(3);

    await smtp.restart();
    now = T0 + 200;
    const rows = await outboxSettled(storage().kysely);
    expect(rows.map((row) => row.status)).toEqual(Array.from({ length: 8 }, () => 'sent'));
    // Both stopped (close() waits for a send in flight): a second delivery of any message would be in by now.
    await a.close();
    await b.close();
    expect(smtp.received.map((mail) => mail.to[0]).sort()).toEqual([...early, ...late].sort());
  });

  it('takes back a message left `sending` by a dead dispatcher once its lease is over, not before', async () => {
    now = T0;
    const smtp = await receiver();
    const sesame = await build(storage(), { SMTP_URL: smtp.url });
    await enqueueResets(sesame, 1);
    // A dispatcher claims it and dies before sending.
    const claimed = await storage().kysely.updateTable('mail_outbox').set({ status: 'sending', next_attempt_at: T0 }).where('id', '=', 1).executeTakeFirst();
    expect(Number(claimed.numUpdatedRows)).toBe(1);
    now = T0 + 119_000;
    expect(await sesame.mail.dispatchDue()).toBe(0);
    now = T0 + 120_001;
    expect(await sesame.mail.dispatchDue()).toBe(1);
    expect(smtp.received).toHaveLength(1);
    expect(await sesame.mail.find(1)).toMatchObject({ status: 'sent', attempts: 1, sent_at: T0 + 120_001 });
  });

  it('backs off 10 s, 30 s, ... after failures, records mail.failed without the token, and gives up after MAIL_MAX_ATTEMPTS', async () => {
    now = T0;
    // A server that echoes the message in its refusal: the token must still not reach the stored error.
    const tries: string[] = [];
    const echoing: MailTransport = {
      send: (message) => {
        tries.push(message.text_body);
        return Promise.reject(new Error(`550 refused: ${message.text_body}`));
      },
      close: () => undefined,
    };
    const sesame = await build(storage(), { MAIL_MAX_ATTEMPTS: '3' }, { transport: echoing });
    await enqueueResets(sesame, 1);

    expect(await sesame.mail.dispatchDue()).toBe(0);
    expect(await sesame.mail.find(1)).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: T0 + 10_000 });
    const token = /Or enter this code: (\S+)/.exec(tries[0] ?? '')?.[1] ?? 'missing';
    expect((await sesame.mail.find(1))?.last_error).not.toContain(token);
    expect((await sesame.mail.find(1))?.last_error).toContain('550 refused');

    now = T0 + 9_999;
    await sesame.mail.dispatchDue();
    expect(tries).toHaveLength(1);
    now = T0 + 10_000;
    await sesame.mail.dispatchDue();
    expect(await sesame.mail.find(1)).toMatchObject({ status: 'pending', attempts: 2, next_attempt_at: T0 + 40_000 });
    now = T0 + 40_000;
    await sesame.mail.dispatchDue();
    expect(await sesame.mail.find(1)).toMatchObject({ status: 'failed', attempts: 3 });
    // Given up: the sealed body (a live link and code) goes; the record of what was tried stays until MAIL_RETENTION.
    expect(await storage().kysely.selectFrom('mail_outbox').select(['kind', 'recipient', 'text_body', 'html_body']).where('id', '=', 1).executeTakeFirst()).toEqual({
      kind: 'password_reset',
      recipient: 'user0@example.io',
      text_body: '',
      html_body: null,
    });
    now = T0 + 10 * 3_600_000;
    await sesame.mail.dispatchDue();
    expect(tries).toHaveLength(3);

    const events = await sesame.audit.list({ type: 'mail.failed' });
    expect(events.map((event) => JSON.parse(event.detail ?? '{}') as unknown)).toEqual([
      { mailId: 1, kind: 'password_reset', attempts: 3, gaveUp: true },
      { mailId: 1, kind: 'password_reset', attempts: 2, gaveUp: false },
      { mailId: 1, kind: 'password_reset', attempts: 1, gaveUp: false },
    ]);
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it('keeps a message enqueued before a restart and sends it after', async () => {
    now = T0;
    const smtp = await receiver();
    const before = await build(storage(), { SMTP_URL: smtp.url });
    await enqueueResets(before, 1);
    await before.close();
    const restarted = await storage().reopen(SLOW_MACHINE_STORAGE);
    cleanups.push(() => restarted.detach());
    const after = await build(restarted, { SMTP_URL: smtp.url }, { dispatch: { pollMs: 20 } }, true);
    // The receiver has the message a moment before the dispatcher records it sent: the row is what is waited for.
    expect(await outboxSettled(restarted.kysely)).toMatchObject([{ id: 1, status: 'sent' }]);
    expect((await after.mail.find(1))?.status).toBe('sent');
    expect(smtp.received.map((mail) => mail.to)).toEqual([['user0@example.io']]);
  });

  it('rolls the message back with the token: a failed issuing transaction leaves no mail', async () => {
    now = T0;
    const sesame = await build(storage(), {});
    await sesame.password.registration.register('rollback@example.io', 'password');
    await expect(
      sesame.events.transact(async (tx) => {
        await sesame.mail.enqueue(tx, { kind: 'password_reset', recipient: 'rollback@example.io', subject: 's', text: 't' });
        throw new Error('the token insert failed');
      }),
    ).rejects.toThrow('the token insert failed');
    expect(await storage().kysely.selectFrom('mail_outbox').selectAll().execute()).toEqual([]);
  });
});
