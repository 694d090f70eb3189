/**
 * The sign-up module's settings: who may sign up (`REGISTRATION`, `REGISTRATION_DOMAINS`), how long an invitation
 * lives (`INVITATION_TTL`), and the proof-of-work challenge against sign-up bots (`REGISTRATION_CHALLENGE*`).
 * @module
 */
import { z } from 'zod';
import { defineConfig } from '../../kernel/config/fragment.js';
import { duration, integer, oneOf } from '../../kernel/config/fields.js';

/** Who may sign up: anyone, no one (operators create accounts), or the holders of an invitation. */
export type RegistrationMode = 'open' | 'closed' | 'invite';

/** Where the challenge is asked for: nowhere, on the hosted sign-up page, or on `POST /users` too. */
export type ChallengeScope = 'off' | 'pages' | 'all';

/** What the sign-up module is configured with. */
export interface SignupConfig {
  /** `REGISTRATION`. */
  readonly mode: RegistrationMode;
  /** `REGISTRATION_DOMAINS`, lower-cased, without `@`: with `open`, only these domains may sign up; empty means any. */
  readonly domains: readonly string[];
  /** How long an invitation works, in ms. */
  readonly invitationTtlMs: number;
  /** `REGISTRATION_CHALLENGE`. */
  readonly challenge: ChallengeScope;
  /** The largest number the puzzle's answer may be: the work is half of it on average, in SHA-256 hashes. */
  readonly challengeMaxNumber: number;
  /** How long a challenge may be solved and used, in ms. */
  readonly challengeTtlMs: number;
}

/** A domain as `REGISTRATION_DOMAINS` lists it: labels of letters, digits and hyphens, at least one dot. */
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

/** `REGISTRATION_DOMAINS`: comma-separated domains (`example.com, example.org`; a leading `@` is accepted). */
const domainList = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const domains = text
      .split(',')
      .map((entry) => entry.trim().toLowerCase().replace(/^@/, ''))
      .filter((entry) => entry !== '');
    const bad = domains.filter((domain) => !DOMAIN.test(domain));
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `REGISTRATION_DOMAINS must be comma-separated domains like example.com (not ${bad.map((b) => JSON.stringify(b)).join(', ')})` });
      return z.NEVER;
    }
    return [...new Set(domains)];
  });

/** `REGISTRATION`, `REGISTRATION_DOMAINS`, `INVITATION_TTL` and `REGISTRATION_CHALLENGE*`. */
export const signupConfig = defineConfig({
  env: {
    REGISTRATION: oneOf('REGISTRATION', ['open', 'closed', 'invite']),
    REGISTRATION_DOMAINS: domainList,
    INVITATION_TTL: duration('INVITATION_TTL', '7d'),
    REGISTRATION_CHALLENGE: oneOf('REGISTRATION_CHALLENGE', ['off', 'pages', 'all']),
    REGISTRATION_CHALLENGE_MAX_NUMBER: integer('REGISTRATION_CHALLENGE_MAX_NUMBER', 1000, 10_000_000, 100_000),
    REGISTRATION_CHALLENGE_TTL: duration('REGISTRATION_CHALLENGE_TTL', '10m'),
  },
  defaults: {
    // Development keeps the seed's flow: anyone signs up, with no puzzle to solve.
    development: { REGISTRATION: 'open', REGISTRATION_CHALLENGE: 'off' },
    // Production keeps sign-up open, as it was before these settings existed (an upgrade must not lock new users
    // out), but the hosted page asks for the proof of work: it costs a person a second and a bot farm real money.
    // JSON clients are the operator's own front ends and keep working unchanged until REGISTRATION_CHALLENGE=all.
    production: { REGISTRATION: 'open', REGISTRATION_CHALLENGE: 'pages' },
  },
  build: (env): SignupConfig => ({
    mode: env.REGISTRATION,
    domains: env.REGISTRATION_DOMAINS,
    invitationTtlMs: env.INVITATION_TTL,
    challenge: env.REGISTRATION_CHALLENGE,
    challengeMaxNumber: env.REGISTRATION_CHALLENGE_MAX_NUMBER,
    challengeTtlMs: env.REGISTRATION_CHALLENGE_TTL,
  }),
  // A list that would silently do nothing is refused: with `closed` or `invite` no stranger signs up at all.
  check: ({ mode, domains }) => (domains.length > 0 && mode !== 'open' ? [`REGISTRATION_DOMAINS applies only with REGISTRATION=open (it is ${mode}): remove it, or open sign-up`] : []),
});
