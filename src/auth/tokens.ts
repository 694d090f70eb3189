/**
 * Session ids and reset tokens: how they are made and how they are stored.
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';

/** A new random v4 UUID: 122 bits from the CSPRNG, in the 36-character shape seed clients check (the seed's `_generate_uuid`). */
export function generateUuid(): string {
  return randomUUID();
}

/**
 * SHA-256 (hex) of a token, which is all the database ever holds: a leaked database then yields no live session.
 * A fast hash suffices because the token has 122 random bits; nobody can guess it from its hash.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
