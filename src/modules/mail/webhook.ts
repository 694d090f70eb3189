/**
 * Signed webhook delivery: a reset token handed to the operator's mailer must prove it comes from this Sesame and must
 * not be replayable, so each call is signed the Standard Webhooks way (HMAC-SHA-256 over id, timestamp and body) with
 * a key derived from `SECRET_KEY`, and leaves through the outbox like mail, so a receiver that is down gets it later.
 *
 * On rotation the signature switches to the new key at once, and while `SECRET_KEYS_PREVIOUS` lists old keys each
 * call also carries a signature under each of them (Standard Webhooks allows several, space-separated): a receiver
 * still holding the old `whsec_` accepts the call, so receivers can be moved to the new secret one by one, before the
 * previous key is dropped.
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../kernel/clock.js';
import type { SecretKey, SecretKeyring } from '../../kernel/secrets.js';
import type { MailTransport } from './transport.js';

/** The purpose the signing key is derived under. */
export const WEBHOOK_KEY_PURPOSE = 'webhook-signing';

/** The prefix Standard Webhooks puts before a base64 secret, so it is recognisable when pasted into a receiver's settings. */
const SECRET_PREFIX = 'whsec_';

/** The signature scheme this module writes and accepts (the only one Standard Webhooks defines for symmetric keys). */
const SIGNATURE_VERSION = 'v1';

/** The signing key: 32 bytes derived from the server secret, so it never has to be configured or rotated on its own. */
export function webhookSigningKey(secret: SecretKey): Buffer {
  return secret.derive(WEBHOOK_KEY_PURPOSE, 32);
}

/** The signing keys of every secret in the keyring, the current one first: each call is signed with all of them. */
export function webhookSigningKeys(keys: SecretKeyring): Buffer[] {
  return keys.all.map(webhookSigningKey);
}

/**
 * The key receivers verify with, in the Standard Webhooks form `whsec_<base64 of the 32-byte key>`; derived from
 * `SECRET_KEY` so there is nothing more to configure or rotate separately.
 */
export function webhookSecret(secret: SecretKey): string {
  return `${SECRET_PREFIX}${webhookSigningKey(secret).toString('base64')}`;
}

/** Standard Webhooks signature: `v1,` + base64(HMAC-SHA256(key, `${id}.${timestampSec}.${body}`)). */
export function signWebhook(key: Buffer, id: string, timestampSec: number, body: string): string {
  return `${SIGNATURE_VERSION},${createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`, 'utf8').digest('base64')}`;
}

/** The key bytes of a `whsec_...` secret (the prefix is optional, as in the reference libraries). */
function keyOfSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  // Refusing loudly: an empty key would make every signature a receiver checks trivially forgeable.
  if (key.length === 0) throw new Error('a webhook secret is whsec_ followed by the base64 of its key');
  return key;
}

/** A header by name, whatever its case (Node lowercases them; other frameworks may not). */
function header(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * Checks headers `webhook-id` / `webhook-timestamp` / `webhook-signature` (a space-separated list of `v1,...`) against
 * the body, timing-safe, with a tolerance (default 300 s) on the timestamp; for operators writing a receiver in Node
 * and for our tests. Throws only for a secret that is not a `whsec_` key.
 */
export function verifyWebhook(
  secret: string,
  body: string,
  headers: Readonly<Record<string, string | undefined>>,
  nowSec: number = Math.floor(Date.now() / 1000),
  toleranceSec = 300,
): boolean {
  const key = keyOfSecret(secret);
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (id === undefined || id === '' || timestamp === undefined || signatures === undefined || signatures === '') return false;
  if (!/^\d{1,15}$/.test(timestamp)) return false;
  const timestampSec = Number(timestamp);
  // The timestamp is signed, so a stale one means a replayed call: refused even with a good signature.
  if (Math.abs(nowSec - timestampSec) > toleranceSec) return false;
  const expected = Buffer.from(signWebhook(key, id, timestampSec, body).slice(SIGNATURE_VERSION.length + 1), 'utf8');
  let matched = false;
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== SIGNATURE_VERSION) continue;
    const given = Buffer.from(entry.slice(comma + 1), 'utf8');
    // Constant time, so the answer's timing never tells a forger how many leading characters were right.
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched;
}

/** How {@link webhookTransport} behaves. */
export interface WebhookTransportOptions {
  /** How long one try may take before it fails, in ms (default 5000: well under the outbox's lease). */
  readonly timeoutMs?: number;
  /** The time the `webhook-timestamp` header is taken from (default the system clock). */
  readonly clock?: Clock;
  /**
   * What cuts one try short after `timeoutMs` (default `AbortSignal.timeout`): a test hands in a signal it aborts by
   * hand, once the receiver holds the request, instead of racing a real timer.
   */
  readonly timeoutSignal?: (timeoutMs: number) => AbortSignal;
}

/** Why a request got no answer, without the URL (its query may carry a credential of the receiver's). */
function requestFailure(error: unknown, timeoutMs: number): Error {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return new Error(`webhook did not answer within ${timeoutMs} ms`);
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return new Error(typeof cause?.code === 'string' ? `webhook request failed (${cause.code})` : 'webhook request failed');
}

/**
 * A {@link MailTransport} that POSTs `message.text_body` (already JSON) to `url` with `content-type: application/json`
 * and the three Standard Webhooks headers, signed with each key given (the current one first). `webhook-id` is `msg_<outbox id>`, the same on every retry, so receivers
 * deduplicate by it; the timestamp is that of this try. A redirect is a failure and is never followed (a token must
 * never be forwarded elsewhere); a try fails after `timeoutMs`; a non-2xx answer throws `webhook answered <status>`,
 * never with the body, the URL's query or the token.
 */
export function webhookTransport(url: string, key: Buffer | readonly Buffer[], options: WebhookTransportOptions = {}): MailTransport {
  const keys = Buffer.isBuffer(key) ? [key] : key;
  if (keys.length === 0) throw new Error('a webhook needs a signing key');
  const target = new URL(url);
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new Error('a webhook URL is http: or https:');
  const timeoutMs = options.timeoutMs ?? 5000;
  const clock = options.clock ?? Date.now;
  const timeoutSignal = options.timeoutSignal ?? ((ms: number) => AbortSignal.timeout(ms));
  return {
    async send(message) {
      const id = `msg_${message.id}`;
      const timestampSec = Math.floor(clock() / 1000);
      const body = message.text_body;
      let response: Response;
      try {
        response = await fetch(target, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(timestampSec),
            // The current key's first, then one per previous key: `v1,<sig> v1,<sig>`, as Standard Webhooks allows.
            'webhook-signature': keys.map((signing) => signWebhook(signing, id, timestampSec, body)).join(' '),
          },
          body,
          // Following a redirect would post the token to a URL the operator never configured.
          redirect: 'manual',
          signal: timeoutSignal(timeoutMs),
        });
      } catch (error) {
        throw requestFailure(error, timeoutMs);
      }
      // The answer's body is never read: a receiver may echo the token, and the error must not carry it to a log.
      await response.body?.cancel().catch(() => undefined);
      if (response.status < 200 || response.status > 299) throw new Error(`webhook answered ${response.status}`);
      return {};
    },
    close: () => undefined,
  };
}
