/**
 * Outbox bodies sealed at rest: a message may carry a live link or code, and the outbox keeps it until it is sent, so
 * its bodies are encrypted (AES-256-GCM under a key derived from SECRET_KEY) and a copy of the database alone reveals
 * no token. Delivered messages lose their bodies altogether.
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What marks a sealed body; anything else is a body written before sealing (read as it is). */
const PREFIX = 'sealed:v1:';

/** Seals and opens outbox bodies. */
export interface BodySealer {
  /** The body, encrypted and authenticated, as text for the column. */
  seal(body: string): string;
  /** The body a {@link seal} produced; an unsealed value is returned as it is. Throws on a body that was tampered with. */
  open(stored: string): string;
}

/** A sealer under a 32-byte key (`secret.derive('mail-outbox')`). */
export function aesGcmSealer(key: Buffer): BodySealer {
  if (key.length !== 32) throw new Error('the outbox key must be 32 bytes');
  return {
    seal(body) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([cipher.update(body, 'utf8'), cipher.final()]);
      return `${PREFIX}${iv.toString('base64url')}.${Buffer.concat([sealed, cipher.getAuthTag()]).toString('base64url')}`;
    },
    open(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      const [iv = '', payload = ''] = stored.slice(PREFIX.length).split('.');
      const bytes = Buffer.from(payload, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
    },
  };
}

/** No sealing: for tests that read the table, and stores built without a key. */
export const PLAIN_BODIES: BodySealer = { seal: (body) => body, open: (stored) => stored };
