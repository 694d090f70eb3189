/**
 * What a person hands back to prove they read a message: the link's token, or the account's email with the short
 * code. Kept apart from the service so the one rule that decides which token a code matches sits on its own.
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import type { GuessTarget } from '../verification/index.js';

/** The link's token, or an address with the code typed from the message. */
export type Proof = { readonly token: string } | { readonly email: string; readonly code: string };

/** True when the proof is a token (the link), false for a code. */
export function isTokenProof(proof: Proof): proof is { readonly token: string } {
  return 'token' in proof;
}

/**
 * The token a code matches among those the guess was counted against, compared in constant time, or undefined.
 * `hashOf` gives the typed code's hash, or its hashes under every key of the keyring (a code mailed before a
 * rotation was hashed under the previous key).
 */
export function matchCode(targets: readonly GuessTarget[], hashOf: (target: GuessTarget) => string | readonly string[]): GuessTarget | undefined {
  let found: GuessTarget | undefined;
  for (const target of targets) {
    const expected = Buffer.from(target.codeHash, 'hex');
    const hashes = hashOf(target);
    for (const hash of typeof hashes === 'string' ? [hashes] : hashes) {
      const given = Buffer.from(hash, 'hex');
      // Every target and key is compared, a match or not, so the time taken does not say which one matched.
      if (expected.length === given.length && timingSafeEqual(expected, given) && found === undefined) found = target;
    }
  }
  return found;
}
