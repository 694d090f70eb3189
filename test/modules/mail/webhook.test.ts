/**
 * The signed reset webhook against real HTTP receivers: signatures are checked by the Standard Webhooks reference
 * library (`standardwebhooks`) and our `verifyWebhook` agrees with it on good and tampered calls; the id is stable
 * across retries; a redirect is a failure and is never followed; a receiver that never answers fails the try after the
 * timeout; no error carries the body, the token or the URL's query; and through a real outbox on both engines a
 * receiver answering 500 then 204 gets the message retried and delivered once, routed by its channel.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/kernel/events.js';
import { SecretKey, SecretKeyring } from '../../../src/kernel/secrets.js';
import { channelTransport } from '../../../src/modules/mail/channels.js';
import { KyselyMailOutboxStore, MailOutbox, type MailEvent, type MailLogger, type MailTransport, type OutboxMessage } from '../../../src/modules/mail/index.js';
import { WEBHOOK_KEY_PURPOSE, signWebhook, verifyWebhook, webhookSecret, webhookSigningKey, webhookSigningKeys, webhookTransport } from '../../../src/modules/mail/webhook.js';
import { describeEngines, useFreshStorage } from '../../support/engines.js';
import { SLOW_MACHINE_STORAGE, until } from '../../support/mail-doubles.js';

/** One request as the receiver got it. */
interface Received {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** How the receiver answers one request: a status (with headers and a body), or never. */
type Answer = { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string } | 'hang';

/** A running receiver. */
interface Receiver {
  /** Its base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every request so far, oldest first. */
  readonly requests: Received[];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          // Held requests never end on their own: cut them, or close() would wait for ever.
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** Starts a receiver on 127.0.0.1, a free port; it answers the n-th request with `answer(n)` (0-based), closed after the test. */
async function startReceiver(answer: (index: number, request: Received) => Answer = () => ({ status: 204 })): Promise<Receiver> {
  const requests: Received[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
      const received: Received = { path: request.url ?? '', headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(received);
      const reply = answer(requests.length - 1, received);
      if (reply === 'hang') return;
      response.writeHead(reply.status, reply.headers);
      response.end(reply.body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** A reset body as the password module writes it, with a token long enough to be recognisable anywhere. */
function resetBody(): { readonly body: string; readonly token: string } {
  const token = randomBytes(24).toString('base64url');
  return { body: JSON.stringify({ email: 'owner@example.io', reset_token: token }), token };
}

/** An outbox row as the dispatcher hands it to a transport. */
function row(id: number, body: string, channel: 'email' | 'webhook' = 'webhook'): OutboxMessage {
  return {
    id,
    kind: 'password_reset',
    channel,
    recipient: 'owner@example.io',
    subject: 'Reset your password',
    text_body: body,
    html_body: null,
    status: 'sending',
    attempts: 0,
    next_attempt_at: 0,
    last_error: null,
    created_at: 0,
    sent_at: null,
  };
}

/** Whether the reference library accepts the call (it throws when it does not). */
function libraryAccepts(secret: string, body: string, headers: Record<string, string>): boolean {
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

/** What the reference library and ours say of one call; the test expects them to agree. */
function verdicts(secret: string, body: string, headers: Record<string, string>): { readonly library: boolean; readonly ours: boolean } {
  return { library: libraryAccepts(secret, body, headers), ours: verifyWebhook(secret, body, headers) };
}

/** The rejection of a promise that must reject. */
async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected a rejection');
}

const secretKey = SecretKey.generate();
const key = webhookSigningKey(secretKey);
const secret = webhookSecret(secretKey);

describe('webhook secret and signature', () => {
  it('the secret is whsec_ + base64 of the 32-byte key derived under its own purpose, stable per SECRET_KEY', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toEqual(secretKey.derive(WEBHOOK_KEY_PURPOSE, 32));
    expect(WEBHOOK_KEY_PURPOSE).toBe('webhook-signing');
    expect(key).toHaveLength(32);
    expect(key.equals(secretKey.derive('audit-pseudonym'))).toBe(false);
    expect(webhookSecret(new SecretKey(Buffer.from(secretKey.toBase64(), 'base64')))).toBe(secret);
    expect(webhookSecret(SecretKey.generate())).not.toBe(secret);
  });

  it('signs exactly as the reference library does', () => {
    const { body } = resetBody();
    const timestamp = 1_750_000_000;
    expect(signWebhook(key, 'msg_42', timestamp, body)).toBe(new Webhook(secret).sign('msg_42', new Date(timestamp * 1000), body));
    expect(signWebhook(key, 'msg_42', timestamp, body)).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('verifyWebhook refuses a secret that is not a key, rather than checking against an empty one', () => {
    expect(() => verifyWebhook('whsec_', '{}', {})).toThrow(/whsec_/);
    expect(() => verifyWebhook('whsec_not base64!', '{}', {})).toThrow(/whsec_/);
  });
});

describe('webhookTransport against a real receiver', () => {
  it('posts the JSON body with the three headers; the reference library and verifyWebhook both accept it', async () => {
    const receiver = await startReceiver();
    const { body } = resetBody();
    // The default clock: the timestamp is the time of the try, whole seconds, however long the try took.
    const before = Math.floor(Date.now() / 1000);
    expect(await webhookTransport(`${receiver.url}/reset-mail`, key).send(row(7, body))).toEqual({});
    const after = Math.floor(Date.now() / 1000);
    const [call] = receiver.requests;
    expect(call?.path).toBe('/reset-mail');
    expect(call?.body).toBe(body);
    expect(call?.headers['content-type']).toBe('application/json');
    expect(call?.headers['webhook-id']).toBe('msg_7');
    expect(call?.headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(Number(call?.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(before);
    expect(Number(call?.headers['webhook-timestamp'])).toBeLessThanOrEqual(after);
    expect(new Webhook(secret).verify(call?.body ?? '', call?.headers ?? {})).toEqual(JSON.parse(body));
    expect(verdicts(secret, call?.body ?? '', call?.headers ?? {})).toEqual({ library: true, ours: true });
  });

  it('while a previous key is configured, signs with the current key and each previous one: receivers holding either secret accept', async () => {
    const receiver = await startReceiver();
    const { body } = resetBody();
    const previous = SecretKey.generate();
    const keys = new SecretKeyring(secretKey, [previous]);
    await webhookTransport(receiver.url, webhookSigningKeys(keys)).send(row(9, body));
    const headers = receiver.requests[0]?.headers ?? {};
    const signatures = (headers['webhook-signature'] ?? '').split(' ');
    expect(signatures).toHaveLength(2);
    // The current key's signature first, then the previous key's, each a Standard Webhooks `v1,` entry.
    expect(signatures[0]).toBe(signWebhook(key, 'msg_9', Number(headers['webhook-timestamp']), body));
    expect(signatures[1]).toBe(signWebhook(webhookSigningKey(previous), 'msg_9', Number(headers['webhook-timestamp']), body));
    for (const holder of [secret, webhookSecret(previous)]) expect(verdicts(holder, body, headers), holder).toEqual({ library: true, ours: true });
    expect(verdicts(webhookSecret(SecretKey.generate()), body, headers)).toEqual({ library: false, ours: false });
    // Once the previous key is dropped, only the current secret's signature is sent.
    await webhookTransport(receiver.url, webhookSigningKeys(new SecretKeyring(secretKey))).send(row(10, body));
    const after = receiver.requests[1]?.headers ?? {};
    expect(after['webhook-signature']?.split(' ')).toHaveLength(1);
    expect(verdicts(webhookSecret(previous), body, after)).toEqual({ library: false, ours: false });
    expect(() => webhookTransport(receiver.url, [])).toThrow('a webhook needs a signing key');
  });

  it('a tampered body, timestamp, id or key fails, and so does a stale or future call: verifyWebhook agrees with the library on each', async () => {
    const receiver = await startReceiver();
    const { body } = resetBody();
    await webhookTransport(receiver.url, key).send(row(8, body));
    const headers = receiver.requests[0]?.headers ?? {};
    const timestamp = Number(headers['webhook-timestamp']);
    const now = Math.floor(Date.now() / 1000);
    /** Headers of a call signed by us at `at` (a correctly signed call, only its time varies). */
    const signedAt = (at: number): Record<string, string> => ({ 'webhook-id': 'msg_8', 'webhook-timestamp': String(at), 'webhook-signature': signWebhook(key, 'msg_8', at, body) });
    const good = headers['webhook-signature'] ?? '';
    const cases: ReadonlyArray<readonly [string, string, string, Record<string, string>, boolean]> = [
      ['as sent', secret, body, headers, true],
      ['body changed', secret, body.replace('owner@', 'thief@'), headers, false],
      ['body with a space added', secret, `${body} `, headers, false],
      ['timestamp changed by 1 s', secret, body, { ...headers, 'webhook-timestamp': String(timestamp + 1) }, false],
      ['another id', secret, body, { ...headers, 'webhook-id': 'msg_9' }, false],
      ['another key', webhookSecret(SecretKey.generate()), body, headers, false],
      ['signed 200 s ago', secret, body, signedAt(now - 200), true],
      ['signed 400 s ago (a replay)', secret, body, signedAt(now - 400), false],
      ['dated 400 s ahead', secret, body, signedAt(now + 400), false],
      ['a bad signature before the good one', secret, body, { ...headers, 'webhook-signature': `v1,${'A'.repeat(43)}= ${good}` }, true],
      ['the good signature under another version', secret, body, { ...headers, 'webhook-signature': good.replace(/^v1,/, 'v2,') }, false],
      ['a truncated signature', secret, body, { ...headers, 'webhook-signature': good.slice(0, -4) }, false],
      ['no signature header', secret, body, { 'webhook-id': 'msg_8', 'webhook-timestamp': String(timestamp) }, false],
      ['no timestamp header', secret, body, { 'webhook-id': 'msg_8', 'webhook-signature': good }, false],
      ['a timestamp that is not a number', secret, body, { ...headers, 'webhook-timestamp': 'soon' }, false],
    ];
    for (const [name, withSecret, withBody, withHeaders, accepted] of cases) {
      expect({ name, ...verdicts(withSecret, withBody, withHeaders) }).toEqual({ name, library: accepted, ours: accepted });
    }
  });

  it('keeps the webhook-id across retries while each try carries its own timestamp and a valid signature', async () => {
    const receiver = await startReceiver();
    const { body } = resetBody();
    let now = Date.now();
    const transport = webhookTransport(receiver.url, key, { clock: () => now });
    await transport.send(row(11, body));
    now += 30_000;
    await transport.send({ ...row(11, body), attempts: 1 });
    const [first, second] = receiver.requests;
    expect(first?.headers['webhook-id']).toBe('msg_11');
    expect(second?.headers['webhook-id']).toBe('msg_11');
    expect(Number(second?.headers['webhook-timestamp']) - Number(first?.headers['webhook-timestamp'])).toBe(30);
    expect(second?.headers['webhook-signature']).not.toBe(first?.headers['webhook-signature']);
    for (const call of [first, second]) expect(verifyWebhook(secret, call?.body ?? '', call?.headers ?? {}, Math.floor(now / 1000))).toBe(true);
  });

  it('a redirect is a failure and is not followed: the token never reaches the other address', async () => {
    const elsewhere = await startReceiver();
    for (const status of [301, 302, 307, 308]) {
      const redirecting = await startReceiver(() => ({ status, headers: { location: `${elsewhere.url}/collect` } }));
      const { body } = resetBody();
      const error = await failureOf(webhookTransport(redirecting.url, key).send(row(12, body)));
      expect(error.message).toBe(`webhook answered ${status}`);
      expect(redirecting.requests).toHaveLength(1);
    }
    expect(elsewhere.requests).toEqual([]);
  });

  // Deterministic: the timer is one the test fires itself, only once the receiver holds the request, so a busy machine
  // can neither fire it before the request arrives nor make the assertion depend on how long anything took.
  it('a receiver that never answers fails the try after timeoutMs', async () => {
    const silent = await startReceiver(() => 'hang');
    const { body, token } = resetBody();
    const timers: number[] = [];
    const timer = new AbortController();
    const transport = webhookTransport(silent.url, key, {
      timeoutMs: 300,
      timeoutSignal: (ms) => {
        timers.push(ms);
        return timer.signal;
      },
    });
    const failure = failureOf(transport.send(row(13, body)));
    await until(() => silent.requests.length === 1, 'the request at the silent receiver');
    expect(timers).toEqual([300]);
    // The request hangs: it would wait for ever but for its timer.
    timer.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    const error = await failure;
    expect(error.message).toBe('webhook did not answer within 300 ms');
    expect(error.message).not.toContain(token);
    expect(silent.requests).toHaveLength(1);

    // The default timer is the real one: with no signal handed in, the hanging request still fails, whenever it fires.
    const real = await failureOf(webhookTransport(silent.url, key, { timeoutMs: 300 }).send(row(16, body)));
    expect(real.message).toBe('webhook did not answer within 300 ms');
  });

  it('errors never carry the body, the token or the URL query, even from a receiver that echoes them', async () => {
    const echoing = await startReceiver((_, request) => ({ status: 500, headers: { 'content-type': 'text/plain' }, body: `refused ${request.body} at ${request.path}` }));
    const { body, token } = resetBody();
    const error = await failureOf(webhookTransport(`${echoing.url}/hook?key=receiver-credential-0123456789`, key).send(row(14, body)));
    expect(error.message).toBe('webhook answered 500');
    expect(echoing.requests[0]?.path).toBe('/hook?key=receiver-credential-0123456789');

    // Nothing listening: the connection error names its code, not the address it was asked for.
    const closed = await startReceiver();
    const server = servers.pop();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const refused = await failureOf(webhookTransport(`${closed.url}/hook?key=receiver-credential-0123456789`, key).send(row(15, body)));
    expect(refused.message).toBe('webhook request failed (ECONNREFUSED)');
    for (const message of [error.message, refused.message, String(refused.cause ?? '')]) {
      expect(message).not.toContain(token);
      expect(message).not.toContain('receiver-credential');
    }
  });

  it('refuses a URL that is not http or https at construction', () => {
    expect(() => webhookTransport('file:///etc/passwd', key)).toThrow('a webhook URL is http: or https:');
  });
});

/** A transport that records what it was given. */
function recording(): MailTransport & { readonly sent: number[]; closed: number } {
  const sent: number[] = [];
  const transport = {
    sent,
    closed: 0,
    send(message: OutboxMessage) {
      sent.push(message.id);
      return Promise.resolve({});
    },
    close() {
      transport.closed += 1;
    },
  };
  return transport;
}

describe('channelTransport', () => {
  it('sends email messages by email and webhook messages by the webhook, and closes both', async () => {
    const email = recording();
    const webhook = recording();
    const routes = channelTransport({ email, webhook });
    await routes.send(row(1, 'mail', 'email'));
    await routes.send(row(2, '{}', 'webhook'));
    await routes.send(row(3, 'mail', 'email'));
    expect(email.sent).toEqual([1, 3]);
    expect(webhook.sent).toEqual([2]);
    routes.close();
    expect([email.closed, webhook.closed]).toEqual([1, 1]);
  });

  it('without a webhook transport a webhook message is refused (never sent as mail); the webhook is closed even if closing mail throws', async () => {
    const email = recording();
    const routes = channelTransport({ email });
    const error = await failureOf(routes.send(row(4, '{}', 'webhook')));
    expect(error.message).toBe('RESET_WEBHOOK_URL is not set');
    expect(email.sent).toEqual([]);
    await routes.send(row(5, 'mail', 'email'));
    expect(email.sent).toEqual([5]);

    const webhook = recording();
    const throwing = channelTransport({
      email: {
        send: () => Promise.resolve({}),
        close: () => {
          throw new Error('already closed');
        },
      },
      webhook,
    });
    expect(() => throwing.close()).toThrow('already closed');
    expect(webhook.closed).toBe(1);
  });
});

describeEngines('the reset webhook through the outbox', (engine) => {
  const storage = useFreshStorage(engine, SLOW_MACHINE_STORAGE);
  let now = Date.now();
  const clock = (): number => now;
  const lines: string[] = [];
  const log: MailLogger = {
    info: (object, message) => lines.push(JSON.stringify({ ...object, message })),
    warn: (object, message) => lines.push(JSON.stringify({ ...object, message })),
    error: (object, message) => lines.push(JSON.stringify({ ...object, message })),
  };

  /** A real outbox on the test database, its events collected. */
  function outbox(transport: MailTransport): { readonly mail: MailOutbox; readonly events: MailEvent[] } {
    const events: MailEvent[] = [];
    const changes = new EventBus<MailEvent>(storage().kysely, (error) => {
      throw error;
    });
    changes.on((event) => {
      if (event.type === 'mail.failed') events.push(event);
    });
    const mail = new MailOutbox({ store: new KyselyMailOutboxStore(storage().kysely), changes, transport, clock, maxAttempts: 3, log });
    return { mail, events };
  }

  it('a receiver answering 500 then 204: retried after the back-off, delivered once, same id, signed each time, mail routed apart', async () => {
    now = Date.now();
    lines.length = 0;
    const receiver = await startReceiver((index) => ({ status: index === 0 ? 500 : 204 }));
    const email = recording();
    const { mail, events } = outbox(channelTransport({ email, webhook: webhookTransport(`${receiver.url}/reset-mail`, key, { clock }) }));
    const { body, token } = resetBody();
    const id = await mail.enqueue(storage().kysely, { kind: 'password_reset', recipient: 'owner@example.io', subject: 'Reset your password', text: body, channel: 'webhook' });
    const mailId = await mail.enqueue(storage().kysely, { kind: 'password_reset', recipient: 'owner@example.io', subject: 'Reset your password', text: 'by mail' });

    expect(await mail.dispatchDue()).toBe(1);
    expect(email.sent).toEqual([mailId]);
    expect(await mail.find(id)).toMatchObject({ channel: 'webhook', status: 'pending', attempts: 1, last_error: 'webhook answered 500', next_attempt_at: now + 10_000 });
    expect(events.map((event) => event.detail)).toEqual([{ mailId: id, kind: 'password_reset', attempts: 1, gaveUp: false }]);

    now += 9_999;
    expect(await mail.dispatchDue()).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    now += 1;
    expect(await mail.dispatchDue()).toBe(1);
    expect(await mail.find(id)).toMatchObject({ status: 'sent', attempts: 2, last_error: null, sent_at: now });
    now += 3_600_000;
    expect(await mail.dispatchDue()).toBe(0);

    expect(receiver.requests).toHaveLength(2);
    const [failed, delivered] = receiver.requests;
    expect(failed?.headers['webhook-id']).toBe(`msg_${id}`);
    expect(delivered?.headers['webhook-id']).toBe(`msg_${id}`);
    expect(delivered?.path).toBe('/reset-mail');
    expect(new Webhook(secret).verify(delivered?.body ?? '', delivered?.headers ?? {})).toEqual({ email: 'owner@example.io', reset_token: token });
    expect(email.sent).toEqual([mailId]);
    expect(lines.join('\n')).not.toContain(token);
  });

  it('a webhook message with no webhook transport waits, its failure recorded, and is not mailed', async () => {
    now = Date.now();
    const email = recording();
    const { mail } = outbox(channelTransport({ email }));
    const { body } = resetBody();
    const id = await mail.enqueue(storage().kysely, { kind: 'password_reset', recipient: 'owner@example.io', subject: 'Reset your password', text: body, channel: 'webhook' });
    expect(await mail.dispatchDue()).toBe(0);
    expect(await mail.find(id)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'RESET_WEBHOOK_URL is not set' });
    expect(email.sent).toEqual([]);
  });

  it('a redirecting receiver: the try fails and the message stays pending, the other address never called', async () => {
    now = Date.now();
    const elsewhere = await startReceiver();
    const redirecting = await startReceiver(() => ({ status: 302, headers: { location: elsewhere.url } }));
    const { mail } = outbox(channelTransport({ email: recording(), webhook: webhookTransport(redirecting.url, key, { clock }) }));
    const id = await mail.enqueue(storage().kysely, { kind: 'password_reset', recipient: 'owner@example.io', subject: 'Reset your password', text: resetBody().body, channel: 'webhook' });
    expect(await mail.dispatchDue()).toBe(0);
    expect(await mail.find(id)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'webhook answered 302' });
    expect(elsewhere.requests).toEqual([]);
  });
});
