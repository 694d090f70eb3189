/**
 * Outbox bodies sealed at rest: a message may carry a live link or code, and the outbox keeps it until it is sent, so
 * its bodies are encrypted (AES-256-GCM under a key derived from SECRET_KEY, see `kernel/sealing.ts`) and a copy of
 * the database alone reveals no token. Each body names the key it was sealed under, so after a rotation the previous
 * key still opens it until `sesame secret-key rewrap` re-seals it under the new one. Delivered messages lose their
 * bodies altogether.
 * @module
 */
import { keyringSealer, PLAIN, type Sealer } from '../../kernel/sealing.js';
import type { KeyedBytes, SecretKeyring } from '../../kernel/secrets.js';

/** The purpose the outbox's key is derived under. */
export const OUTBOX_KEY_PURPOSE = 'mail-outbox';

/** Seals and opens outbox bodies (the kernel's {@link Sealer}). */
export type BodySealer = Sealer;

/**
 * A sealer under the outbox's keys: a keyring (its `mail-outbox` key under every secret), the derived keys themselves,
 * or one 32-byte key (tests), which then writes under the id `00000000`.
 */
export function aesGcmSealer(keys: SecretKeyring | readonly KeyedBytes[] | Buffer): BodySealer {
  const keyed = Buffer.isBuffer(keys) ? [{ id: '00000000', key: keys }] : 'current' in keys ? keys.derive(OUTBOX_KEY_PURPOSE) : keys;
  return keyringSealer(keyed, 'the outbox key');
}

/** No sealing: for tests that read the table, and stores built without a key. */
export const PLAIN_BODIES: BodySealer = PLAIN;
