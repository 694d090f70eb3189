/**
 * Rotating SECRET_KEY on both engines (issue 29): data written under key A (a pending message sealed under it, a
 * mailed code hashed under it, a page form signed under it, audit rows of an unknown address) all keep working once B
 * is current with A previous; `rewrap` moves what A sealed to B, idempotently and in batches; with A dropped the
 * moved mail still sends, the audit trail of the address is still one, and new codes and forms work. A dropped or
 * wrong previous key is reported (a start-up refusal naming the key, or a clear log line for a body), never a 500.
 * @module
 */
import { afterEach, expect, it, vi } from 'vitest';
import { keptKeysByKey, rewrapKeptKeys } from '../../src/kernel/kept-keys.js';
import { SecretKey, SecretKeyring } from '../../src/kernel/secrets.js';
import { PSEUDONYM_KEPT_KEY } from '../../src/modules/audit/index.js';
import { describeEngines } from '../support/engines.js';
import { CookieJar, send, type Reply } from '../support/http.js';
import { startService, type Service } from '../support/in-process.js';
import { mailTo, until } from '../support/mail-doubles.js';
import { emptyDatabase, type RawDatabase } from '../support/raw-database.js';
import { mailedCode, startSmtpReceiver, type SmtpReceiver } from '../support/smtp.js';

vi.setConfig({ testTimeout: 120_000 });

const A = SecretKey.generate();
const B = SecretKey.generate();
const PASSWORD = 'correct horse battery staple';
const GHOST = 'ghost@example.io';

/** The form token of a page. */
function formToken(page: Reply): string {
  const match = /name="form_token" value="([^"]+)"/.exec(page.text);
  if (match?.[1] === undefined) throw new Error(`no form token in ${page.text}`);
  return match[1];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What the services of one test share: the database, the SMTP receiver and a clock the test moves. */
interface Rig {
  readonly raw: RawDatabase;
  readonly smtp: SmtpReceiver;
  /** Starts the service on the shared database with these keys. */
  start(env: Readonly<Record<string, string>>): Promise<Service>;
  /** Moves the services' clock forward, past any back-off. */
  advance(ms: number): void;
}

/** A database on the engine, an SMTP receiver (stopped: mail waits in the outbox) and a starter of services on them. */
async function rig(engine: 'sqlite' | 'postgres'): Promise<Rig> {
  const raw = await emptyDatabase(engine, 'rotate');
  cleanups.push(() => raw.drop());
  const smtp = await startSmtpReceiver();
  cleanups.push(() => smtp.stop());
  await smtp.stop();
  let shift = 0;
  return {
    raw,
    smtp,
    advance: (ms) => (shift += ms),
    async start(env) {
      const service = await startService(
        { DATABASE_URL: raw.url, SMTP_URL: smtp.url, MAIL_FROM: 'auth@example.com', ...env },
        { clock: () => Date.now() + shift },
      );
      cleanups.push(() => service.stop());
      return service;
    },
  };
}

/** The outbox row of the newest message to an address. */
async function messageTo(service: Service, address: string): Promise<{ id: number; text_body: string; status: string; attempts: number }> {
  return service.sesame.storage.kysely
    .selectFrom('mail_outbox')
    .select(['id', 'text_body', 'status', 'attempts'])
    .where('recipient', '=', address)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
}

/** Makes one message due now, or never (so a dispatcher leaves it for later in the test). */
async function dueAt(service: Service, id: number, at: number): Promise<void> {
  await service.sesame.storage.kysely.updateTable('mail_outbox').set({ next_attempt_at: at }).where('id', '=', id).execute();
}

/** The audit rows of an address with no account, found by its email (its pseudonym). */
async function auditRowsOf(service: Service, email: string): Promise<number> {
  const rows = await service.sesame.storage.kysely.selectFrom('auth_events').select('id').where('email_pseudonym', '=', service.sesame.audit.pseudonym(email)).execute();
  return rows.length;
}

describeEngines('rotating SECRET_KEY', (engine) => {
  it('keeps mail, codes, forms and the audit trail through B with A previous, a rewrap, and B alone', async () => {
    const { smtp, start, advance } = await rig(engine.name);
    const one = 'one@example.io';
    const two = 'two@example.io';

    // Under A: two accounts each owed a verification message (the SMTP server is down: both wait, sealed under A),
    // a failed login for an address with no account, and a sign-in form opened.
    const underA = await start({ SECRET_KEY: A.toBase64() });
    for (const email of [one, two]) {
      expect((await send(underA.url, 'POST', '/users', { form: { email, password: PASSWORD } })).status).toBe(200);
      expect((await send(underA.url, 'POST', '/email/verify/resend', { json: { email } })).status).toBe(200);
    }
    expect((await send(underA.url, 'POST', '/sessions', { form: { email: GHOST, password: 'not the password' } })).status).toBe(401);
    const ghostUnderA = underA.sesame.audit.pseudonym(GHOST);
    expect(await auditRowsOf(underA, GHOST)).toBe(1);
    const jar = new CookieJar(`${underA.url}/account/`);
    const formUnderA = formToken(await jar.send('GET', 'login'));
    await until(async () => (await messageTo(underA, one)).attempts >= 1 && (await messageTo(underA, two)).attempts >= 1, 'the failed first tries');
    const messageOne = await messageTo(underA, one);
    const messageTwo = await messageTo(underA, two);
    expect(messageTwo.text_body.startsWith(`sealed:v2:${A.id}:`)).toBe(true);
    await underA.stop();

    // B current, A previous: the message to one sends (its body opens with A), its code (hashed under A) verifies,
    // the form opened under A submits, and the address's audit rows are found by its email.
    await smtp.restart();
    const rotated = await start({ SECRET_KEY: B.toBase64(), SECRET_KEYS_PREVIOUS: A.toBase64() });
    await dueAt(rotated, messageTwo.id, Number.MAX_SAFE_INTEGER);
    advance(3_600_000);
    rotated.sesame.mail.wake();
    const mailed = await mailTo(smtp, one, 'verify');
    const code = mailedCode(mailed.text) ?? '';
    expect(code).not.toBe('');
    expect(await send(rotated.url, 'POST', '/email/verify', { json: { email: one, code } })).toMatchObject({ status: 200 });
    // The browser still holds the form's cookie from the page it opened under A.
    const formCookie = `sesame_form_login=${jar.get('sesame_form_login') ?? ''}`;
    const signedIn = await send(rotated.url, 'POST', '/account/login', { form: { email: one, password: PASSWORD, form_token: formUnderA }, headers: { cookie: formCookie } });
    expect(signedIn.status, signedIn.text).toBe(303);
    expect(rotated.sesame.audit.pseudonym(GHOST)).toBe(ghostUnderA);
    expect(await auditRowsOf(rotated, GHOST)).toBe(1);
    expect((await messageTo(rotated, one)).status).toBe('sent');
    expect(messageOne.id).not.toBe(messageTwo.id);

    // The rewrap, one row a batch: the waiting message and the kept pseudonym key move to B; again, nothing to do.
    const batches: number[] = [];
    const first = await rotated.sesame.mail.rewrap(1, (batch) => batches.push(batch.found));
    expect(first).toEqual({ rewrapped: 1, unopenable: [] });
    expect(batches).toEqual([1, 0]);
    expect(await rewrapKeptKeys(rotated.sesame.storage.kysely, rotated.sesame.keys)).toEqual({ rewrapped: 1, unopenable: [] });
    expect((await messageTo(rotated, two)).text_body.startsWith(`sealed:v2:${B.id}:`)).toBe(true);
    expect(await keptKeysByKey(rotated.sesame.storage.kysely)).toEqual({ [B.id]: [PSEUDONYM_KEPT_KEY] });
    expect(await rotated.sesame.mail.rewrap(1)).toEqual({ rewrapped: 0, unopenable: [] });
    expect(await rewrapKeptKeys(rotated.sesame.storage.kysely, rotated.sesame.keys)).toEqual({ rewrapped: 0, unopenable: [] });
    await rotated.stop();

    // B alone: the message sealed under A, re-sealed under B, sends; its link works; the audit trail is still one;
    // a new form and a new code work; a code mailed under A no longer does (its link would).
    const dropped = await start({ SECRET_KEY: B.toBase64() });
    await dueAt(dropped, messageTwo.id, Date.now());
    dropped.sesame.mail.wake();
    const second = await mailTo(smtp, two, 'verify');
    const token = /token=([A-Za-z0-9_-]+)/.exec(second.text)?.[1] ?? '';
    expect(await send(dropped.url, 'POST', '/email/verify', { json: { token } })).toMatchObject({ status: 200 });
    expect((await send(dropped.url, 'POST', '/sessions', { form: { email: GHOST, password: 'not the password' } })).status).toBe(401);
    expect(dropped.sesame.audit.pseudonym(GHOST)).toBe(ghostUnderA);
    expect(await auditRowsOf(dropped, GHOST)).toBe(2);
    const freshJar = new CookieJar(`${dropped.url}/account/`);
    const fresh = await freshJar.send('POST', 'login', { form: { email: two, password: PASSWORD, form_token: formToken(await freshJar.send('GET', 'login')) } });
    expect(fresh.status).toBe(303);
    // The form opened under A is refused now that A is gone: it was the previous key that accepted it above.
    const stale = await send(dropped.url, 'POST', '/account/login', { form: { email: one, password: PASSWORD, form_token: formUnderA }, headers: { cookie: formCookie } });
    expect(stale.status).not.toBe(303);
    expect(stale.status).toBeLessThan(500);
  });

  it('reports a dropped or wrong previous key: start-up refuses it naming the key, and a body it sealed is logged, never a 500', async () => {
    const { smtp, start, advance } = await rig(engine.name);
    const email = 'early@example.io';
    const underA = await start({ SECRET_KEY: A.toBase64() });
    expect((await send(underA.url, 'POST', '/users', { form: { email, password: PASSWORD } })).status).toBe(200);
    expect((await send(underA.url, 'POST', '/email/verify/resend', { json: { email } })).status).toBe(200);
    await until(async () => (await messageTo(underA, email)).attempts >= 1, 'the failed first try');
    const pending = await messageTo(underA, email);
    const db = underA.sesame.storage.kysely;

    // A dropped before the rewrap (or a wrong key given instead of it): the kept pseudonym key opens with no
    // configured key, so start-up refuses, naming A's id and the remedy, rather than splitting the audit trail.
    const wrong = SecretKey.generate();
    const settings: Array<Record<string, string>> = [{ SECRET_KEY: B.toBase64() }, { SECRET_KEY: B.toBase64(), SECRET_KEYS_PREVIOUS: wrong.toBase64() }];
    for (const env of settings) {
      await expect(start(env)).rejects.toThrow(`sealed under key ${A.id}, which is neither SECRET_KEY nor in SECRET_KEYS_PREVIOUS`);
    }

    // Only the kept key moved to B (a partial rewrap): the service starts with B alone, and the message sealed under A
    // fails its try with an error line naming A's id; requests are answered as usual.
    await rewrapKeptKeys(db, new SecretKeyring(B, [A]));
    await underA.stop();
    await smtp.restart();
    const dropped = await start({ SECRET_KEY: B.toBase64(), LOG_LEVEL: 'warn' });
    advance(3_600_000);
    await dueAt(dropped, pending.id, Date.now());
    dropped.sesame.mail.wake();
    await until(async () => (await messageTo(dropped, email)).attempts >= 2, 'the try with no key');
    expect(await messageTo(dropped, email)).toMatchObject({ status: 'pending' });
    const line = dropped
      .logs()
      .split('\n')
      .find((text) => text.includes('the message is sealed under key'));
    expect(line).toBeDefined();
    expect(line).toContain(A.id);
    expect(line).toContain('add that key to SECRET_KEYS_PREVIOUS');
    expect(line).not.toContain(A.toBase64());
    expect(smtp.received).toHaveLength(0);
    expect((await send(dropped.url, 'POST', '/email/verify/resend', { json: { email } })).status).toBe(200);
    const failed = await dropped.sesame.storage.kysely.selectFrom('mail_outbox').select('last_error').where('id', '=', pending.id).executeTakeFirstOrThrow();
    expect(failed.last_error).toBe(`sealed under key ${A.id}, which is not configured`);
  });
});
