/**
 * Session ids and one-time tokens: how they are drawn and how they are stored.
 * @module
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** A new random v4 UUID: 122 bits from the CSPRNG, in the 36-character shape seed clients check (the seed's `_generate_uuid`). */
export function generateUuid(): string {
  return randomUUID();
}

/** How session ids and tokens are drawn: the seed's UUID shape, or 256 random bits in base64url (production). */
export type TokenFormat = 'uuid' | 'random';

/** A new session id or one-time token in the configured format; both come from the CSPRNG. */
export function generateToken(format: TokenFormat): string {
  return format === 'uuid' ? generateUuid() : randomBytes(32).toString('base64url');
}

/**
 * SHA-256 (hex) of a token, which is all the database ever holds: a leaked database then yields no live session.
 * A fast hash suffices because the token has 122 (UUID) or 256 (random) bits; nobody can guess it from its hash.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
