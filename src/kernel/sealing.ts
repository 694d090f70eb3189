/**
 * Sealing at rest under the keyring: what Sesame must keep but a copy of the database must not reveal (a pending
 * message's link and code, the audit log's pseudonym key) is encrypted with AES-256-GCM under a key derived from the
 * server secret. Each sealed value names the {@link SecretKey.id} of the secret it was sealed under, so after a
 * rotation a reader opens it with the right key, and `sesame secret-key rewrap` knows what still needs the old one.
 *
 * Formats: `sealed:v2:<key id>:<iv>.<ciphertext+tag>` (written now); `sealed:v1:<iv>.<ciphertext+tag>` (written
 * before key ids, so under the key that was current then: read with the current key, then the previous ones, since
 * GCM's tag tells a wrong key apart); anything else is a value stored before sealing existed, read as it is.
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyedBytes } from './secrets.js';

/** The prefix of a value sealed before key ids existed. */
const V1 = 'sealed:v1:';

/** The prefix of a value sealed under a named key. */
const V2 = 'sealed:v2:';

/** Seals and opens text kept at rest. */
export interface Sealer {
  /** The text, encrypted and authenticated under the current key, as text for a column. */
  seal(text: string): string;
  /**
   * The text a {@link seal} produced (under any key of the keyring); an unsealed value is returned as it is. Throws
   * {@link UnknownSealingKeyError} when no configured key opens it, and an error for a value that was tampered with.
   */
  open(stored: string): string;
  /** The id of the key a stored value names (`sealed:v2:`), or undefined for one that names none (v1, or not sealed). */
  keyIdOf(stored: string): string | undefined;
  /** The prefix every value sealed under the current key starts with (for finding the rest in SQL); undefined when nothing is sealed. */
  readonly currentPrefix: string | undefined;
}

/**
 * A sealed value no configured key opens: it was sealed under a key that is neither `SECRET_KEY` nor in
 * `SECRET_KEYS_PREVIOUS`. The message names the key's id (never a key) and what to do.
 */
export class UnknownSealingKeyError extends Error {
  /** Takes the id of the key the value names, or undefined for a v1 value no key opened. */
  constructor(readonly keyId: string | undefined) {
    super(
      keyId === undefined
        ? 'a value sealed before key ids existed opens with no configured key: add the secret key it was sealed under to SECRET_KEYS_PREVIOUS'
        : `a value is sealed under key ${keyId}, which is neither SECRET_KEY nor in SECRET_KEYS_PREVIOUS: add that key to SECRET_KEYS_PREVIOUS (then run sesame secret-key rewrap)`,
    );
    this.name = 'UnknownSealingKeyError';
  }
}

/** AES-256-GCM of `text` under `key`: a fresh 96-bit IV, then `iv.ciphertext+tag`, both base64url. */
function encrypt(key: Buffer, text: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return `${iv.toString('base64url')}.${Buffer.concat([sealed, cipher.getAuthTag()]).toString('base64url')}`;
}

/** The text of `iv.ciphertext+tag` under `key`; throws when the tag does not match (another key, or tampering). */
function decrypt(key: Buffer, body: string): string {
  const [iv = '', payload = ''] = body.split('.');
  const bytes = Buffer.from(payload, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
}

/**
 * A sealer over the keys of one purpose, the current one first (`keyring.derive('mail-outbox')`). `what` names the
 * key in the refusal of a wrong length (`the outbox key`).
 */
export function keyringSealer(keys: readonly KeyedBytes[], what = 'a sealing key'): Sealer {
  const [current] = keys;
  if (current === undefined) throw new Error(`${what} is missing`);
  for (const { key } of keys) if (key.length !== 32) throw new Error(`${what} must be 32 bytes`);
  return {
    currentPrefix: `${V2}${current.id}:`,
    seal: (text) => `${V2}${current.id}:${encrypt(current.key, text)}`,
    open(stored) {
      if (stored.startsWith(V2)) {
        const rest = stored.slice(V2.length);
        const colon = rest.indexOf(':');
        const id = rest.slice(0, colon);
        const key = keys.find((candidate) => candidate.id === id);
        if (colon < 0 || key === undefined) throw new UnknownSealingKeyError(colon < 0 ? undefined : id);
        return decrypt(key.key, rest.slice(colon + 1));
      }
      if (!stored.startsWith(V1)) return stored;
      // Sealed before key ids, under the key current then: after an upgrade that is still the current key; after a
      // rotation done before the rewrap, a previous one. The GCM tag refuses a wrong key, so trying them is safe.
      for (const { key } of keys) {
        try {
          return decrypt(key, stored.slice(V1.length));
        } catch {
          // Not this key (or tampered with): the next one, or the error below.
        }
      }
      throw new UnknownSealingKeyError(undefined);
    },
    keyIdOf(stored) {
      if (!stored.startsWith(V2)) return undefined;
      const rest = stored.slice(V2.length);
      const colon = rest.indexOf(':');
      return colon < 0 ? undefined : rest.slice(0, colon);
    },
  };
}

/** No sealing: for tests that read the table, and stores built without a key. */
export const PLAIN: Sealer = { seal: (text) => text, open: (stored) => stored, keyIdOf: () => undefined, currentPrefix: undefined };
