/**
 * The proof-of-work challenge against sign-up bots, with no third party: Altcha's v1 puzzle (`altcha-lib`, MIT).
 * The server picks a random number up to a maximum, sends SHA-256(salt + number) with the salt and an HMAC of it;
 * the client tries numbers until the hash matches (about half the maximum in hashes, a second in a browser) and
 * sends back the number with the challenge. The HMAC, keyed by a key derived from `SECRET_KEY`, proves the
 * challenge is Sesame's own; the expiry is in the signed salt; a solved challenge is spent once (`spent_challenges`).
 * The library makes challenges; the check is written here, against Sesame's clock and in constant time.
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { createChallenge, extractParams } from 'altcha-lib/v1';
import type { Clock } from '../../kernel/clock.js';
import { SignupRefusedError } from './errors.js';
import type { SignupStore } from './store.js';

/** The purpose the challenge's HMAC key is derived for (`secret.derive`): never another use's key. */
export const CHALLENGE_KEY_PURPOSE = 'registration-challenge';

/** A challenge as the client receives it (Altcha's v1 shape, so Altcha's own solvers and widget read it too). */
export interface ProofChallenge {
  /** Always `SHA-256`. */
  readonly algorithm: 'SHA-256';
  /** SHA-256 (hex) of `salt` followed by the secret number in decimal. */
  readonly challenge: string;
  /** The largest the number may be: where a solver stops. */
  readonly maxnumber: number;
  /** Random hex, then `?expires=<epoch seconds>&`: signed with the rest, so the expiry cannot be moved. */
  readonly salt: string;
  /** HMAC-SHA-256 (hex) of `challenge` under the challenge key. */
  readonly signature: string;
}

/** The solution a client sends back, base64 of this JSON (the `altcha` field). */
interface ProofPayload {
  readonly algorithm: string;
  readonly challenge: string;
  readonly number: number;
  readonly salt: string;
  readonly signature: string;
}

/** What the challenge is made with. */
export interface ProofOfWorkOptions {
  /** The HMAC key (derived from `SECRET_KEY` for {@link CHALLENGE_KEY_PURPOSE}). */
  readonly key: Buffer;
  /** `REGISTRATION_CHALLENGE_MAX_NUMBER`. */
  readonly maxNumber: number;
  /** `REGISTRATION_CHALLENGE_TTL`, in ms. */
  readonly ttlMs: number;
  /** Where spent challenges are remembered. */
  readonly store: SignupStore;
  /** The time: expiry is checked against it, not the library's `Date.now()`, so tests can move it. */
  readonly clock: Clock;
}

/** Issues challenges and checks solutions: signed, unexpired, and spent once. */
export class ProofOfWork {
  readonly #options: ProofOfWorkOptions;
  readonly #hmacKey: string;

  /** Takes the key, the difficulty, the lifetime, the store and the clock. */
  constructor(options: ProofOfWorkOptions) {
    this.#options = options;
    // altcha-lib takes the key as a string; hex keeps all 256 bits of the derived key.
    this.#hmacKey = options.key.toString('hex');
  }

  /** A fresh challenge, good for `REGISTRATION_CHALLENGE_TTL`. */
  async issue(): Promise<ProofChallenge> {
    const { maxNumber, ttlMs, clock } = this.#options;
    const made = await createChallenge({ algorithm: 'SHA-256', hmacKey: this.#hmacKey, maxNumber, expires: new Date(clock() + ttlMs) });
    return { algorithm: 'SHA-256', challenge: made.challenge, maxnumber: maxNumber, salt: made.salt, signature: made.signature };
  }

  /**
   * Checks a solution (`altcha`: base64 of `{algorithm, challenge, number, salt, signature}`) and spends it; raises
   * `signup.challenge_required` without one, `signup.challenge_invalid` for one that is malformed, forged, wrong,
   * expired or already used.
   */
  async spend(solution: string | undefined): Promise<void> {
    if (solution === undefined || solution.trim() === '') throw new SignupRefusedError('signup.challenge_required');
    const payload = decode(solution);
    if (payload === undefined) throw new SignupRefusedError('signup.challenge_invalid');
    // The expiry is read from the signed salt and compared with Sesame's clock; the library's own check (Date.now)
    // is switched off below, so tests can cross the expiry and a clock-skewed library cannot widen it.
    const expiresAt = Number(extractParams(payload as never)['expires']) * 1000;
    if (!Number.isFinite(expiresAt) || expiresAt <= this.#options.clock()) throw new SignupRefusedError('signup.challenge_invalid');
    // What altcha-lib's verifySolution does (re-derive the challenge and its HMAC from the salt and the number), but
    // compared in constant time: its own check compares the signature with `===`.
    const expected = await createChallenge({ algorithm: 'SHA-256', hmacKey: this.#hmacKey, number: payload.number, salt: payload.salt });
    if (!sameHex(expected.challenge, payload.challenge) || !sameHex(expected.signature, payload.signature)) throw new SignupRefusedError('signup.challenge_invalid');
    if (!(await this.#options.store.spendChallenge(payload.challenge, expiresAt))) throw new SignupRefusedError('signup.challenge_invalid');
  }
}

/** Whether two hex strings of one length are equal, in time independent of where they differ. */
function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The payload, or undefined when it is not base64 of the expected JSON (only SHA-256, only Sesame's shapes). */
function decode(solution: string): ProofPayload | undefined {
  if (solution.length > 2000) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(solution, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { algorithm, challenge, number, salt, signature } = parsed as Record<string, unknown>;
  if (algorithm !== 'SHA-256') return undefined;
  if (typeof challenge !== 'string' || !/^[0-9a-f]{64}$/.test(challenge)) return undefined;
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/.test(signature)) return undefined;
  if (typeof salt !== 'string' || salt.length > 200) return undefined;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) return undefined;
  return { algorithm, challenge, number, salt, signature };
}
