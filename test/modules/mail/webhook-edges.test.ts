// The edges of the signed webhook a receiver and the transport depend on: every missing or malformed header is a
// refusal, the tolerance is inclusive, entries of other versions or without a comma are skipped, secrets are read
// strictly, and the transport accepts exactly the 2xx answers, names a timeout and a refused connection without the
// URL, and refuses a URL that is not http(s).
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, webhookTransport } from '../../../src/modules/mail/webhook.js';
import type { OutboxMessage } from '../../../src/modules/mail/index.js';

const KEY = randomBytes(32);
const SECRET = `whsec_${KEY.toString('base64')}`;
const NOW = 1_790_000_000;
const BODY = '{"type":"password_reset"}';

/** Headers signed for `BODY` at `at`. */
function signed(at = NOW, id = 'msg_1', key = KEY): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': signWebhook(key, id, at, BODY) };
}

describe('verifyWebhook', () => {
  it('refuses a call missing any header or with an empty id or signature list', () => {
    expect(verifyWebhook(SECRET, BODY, signed(), NOW)).toBe(true);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const headers: Record<string, string | undefined> = { ...signed() };
      delete headers[name];
      expect(verifyWebhook(SECRET, BODY, headers, NOW), `without ${name}`).toBe(false);
    }
    expect(verifyWebhook(SECRET, BODY, { ...signed(), 'webhook-id': '' }, NOW)).toBe(false);
    expect(verifyWebhook(SECRET, BODY, { ...signed(), 'webhook-signature': '' }, NOW)).toBe(false);
    // Header names in any case, as other frameworks hand them over.
    expect(verifyWebhook(SECRET, BODY, { 'Webhook-Id': 'msg_1', 'WEBHOOK-TIMESTAMP': String(NOW), 'Webhook-Signature': signed()['webhook-signature'] }, NOW)).toBe(true);
  });

  it('reads the timestamp as 1 to 15 digits only', () => {
    for (const stamp of [`${NOW}x`, `x${NOW}`, `${NOW}.0`, '-1', '1234567890123456', '']) {
      const headers = { ...signed(), 'webhook-timestamp': stamp };
      expect(verifyWebhook(SECRET, BODY, headers, NOW), stamp).toBe(false);
    }
  });

  it('accepts a call exactly at the tolerance and refuses one a second past it, either way', () => {
    expect(verifyWebhook(SECRET, BODY, signed(NOW - 300), NOW)).toBe(true);
    expect(verifyWebhook(SECRET, BODY, signed(NOW + 300), NOW)).toBe(true);
    expect(verifyWebhook(SECRET, BODY, signed(NOW - 301), NOW)).toBe(false);
    expect(verifyWebhook(SECRET, BODY, signed(NOW + 301), NOW)).toBe(false);
    expect(verifyWebhook(SECRET, BODY, signed(NOW - 10), NOW, 5)).toBe(false);
  });

  it('skips entries without a comma or of another version, and finds a good one among them', () => {
    const good = signed()['webhook-signature'] ?? '';
    const bare = good.slice(3);
    expect(verifyWebhook(SECRET, BODY, { ...signed(), 'webhook-signature': bare }, NOW)).toBe(false);
    expect(verifyWebhook(SECRET, BODY, { ...signed(), 'webhook-signature': `v2,${bare}` }, NOW)).toBe(false);
    expect(verifyWebhook(SECRET, BODY, { ...signed(), 'webhook-signature': `v1${bare}` }, NOW)).toBe(false);
    expect(verifyWebhook(SECRET, BODY, { ...signed(), 'webhook-signature': `v2,${bare} nocomma ${good}` }, NOW)).toBe(true);
    // A signature of the right version and length but for another body is not a match.
    const other = signWebhook(KEY, 'msg_1', NOW, '{}');
    expect(verifyWebhook(SECRET, BODY, { ...signed(), 'webhook-signature': other }, NOW)).toBe(false);
  });

  it('reads secrets strictly: with or without whsec_, padded or not, and nothing but base64', () => {
    expect(verifyWebhook(KEY.toString('base64'), BODY, signed(), NOW)).toBe(true);
    // 33 bytes encode without padding: still a key.
    const unpadded = randomBytes(33);
    expect(unpadded.toString('base64')).not.toContain('=');
    expect(verifyWebhook(`whsec_${unpadded.toString('base64')}`, BODY, signed(NOW, 'msg_1', unpadded), NOW)).toBe(true);
    // 31 bytes need two '=': still a key.
    const twice = randomBytes(31);
    expect(twice.toString('base64').endsWith('==')).toBe(true);
    expect(verifyWebhook(`whsec_${twice.toString('base64')}`, BODY, signed(NOW, 'msg_1', twice), NOW)).toBe(true);
    for (const bad of ['whsec_', `whsec_$${KEY.toString('base64')}`, `whsec_${KEY.toString('base64')}$`, `whsec_${KEY.toString('base64')}===`]) {
      expect(() => verifyWebhook(bad, BODY, signed(), NOW), bad).toThrow('a webhook secret is whsec_ followed by the base64 of its key');
    }
  });
});

describe('webhookTransport', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((done) => (server === undefined ? done() : server.close(() => done())));
    server = undefined;
  });

  /** A receiver answering `status` (or never, for `hang`); resolves with its URL. */
  async function receiver(status: number | 'hang'): Promise<string> {
    server = createServer((request, response) => {
      request.resume();
      if (status === 'hang') return;
      response.writeHead(status).end('echo: secret-token-in-body');
    });
    await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?key=receiver-credential`;
  }

  const message = { id: 7, kind: 'password_reset', channel: 'webhook', recipient: 'a@x.io', subject: 's', text_body: BODY, html_body: null } as unknown as OutboxMessage;

  it('accepts 200 and 299, fails on 300 and 404, never with the body or the URL', async () => {
    for (const status of [200, 204, 299]) await expect(webhookTransport(await receiver(status), KEY).send(message)).resolves.toEqual({});
    for (const status of [300, 404]) {
      const failure = webhookTransport(await receiver(status), KEY).send(message);
      await expect(failure).rejects.toThrow(`webhook answered ${status}`);
      await failure.catch((error: Error) => {
        expect(error.message).not.toContain('secret-token');
        expect(error.message).not.toContain('receiver-credential');
      });
    }
  });

  it('names a timeout and a refused connection, without the URL', async () => {
    const hanging = webhookTransport(await receiver('hang'), KEY, { timeoutMs: 200 });
    await expect(hanging.send(message)).rejects.toThrow('webhook did not answer within 200 ms');
    const url = await receiver(204);
    await new Promise<void>((done) => server?.close(() => done()));
    server = undefined;
    await expect(webhookTransport(url, KEY).send(message)).rejects.toThrow(/^webhook request failed \(ECONNREFUSED\)$/);
  });

  it('refuses a URL that is not http or https', () => {
    expect(() => webhookTransport('ftp://mailer.example/hook', KEY)).toThrow('a webhook URL is http: or https:');
    expect(() => webhookTransport('https://mailer.example/hook', KEY)).not.toThrow();
    expect(() => webhookTransport('http://127.0.0.1:1/hook', KEY)).not.toThrow();
  });
});
