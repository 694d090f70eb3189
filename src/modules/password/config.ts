/**
 * The password module's settings: hashing cost, the policy for new passwords, and how reset tokens live and travel.
 * The options built here are the very options the hasher, the policy and the reset flow take.
 * @module
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { defineConfig, type CheckContext } from '../../kernel/config/fragment.js';
import { boolean, duration, integer, oneOf } from '../../kernel/config/fields.js';
import { breachFilterProblem } from './breach-filter/index.js';
import type { PasswordPolicyOptions } from './policy.js';

/** How a reset token reaches the account's owner. */
export type ResetTokenDelivery = 'response' | 'webhook' | 'email';

/** Password reset settings. */
export interface ResetConfig {
  /** How long a reset token stays usable, in ms. */
  readonly tokenTtlMs: number;
  /**
   * `response` returns the token in the body (the seed's behaviour); `webhook` posts it to {@link ResetConfig.webhookUrl};
   * `email` mails a link to the account's address through the outbox.
   */
  readonly delivery: ResetTokenDelivery;
  /** Where `webhook` delivery posts `{email, reset_token}`. */
  readonly webhookUrl: string | undefined;
}

/** Everything the password module is configured with. */
export interface PasswordConfig {
  /** Bcrypt cost for new hashes; raising it re-hashes each account at its next login. */
  readonly bcryptCost: number;
  /** Hashes and comparisons waiting or running at most; past it logins and registrations are shed with 503. */
  readonly hashQueueMax: number;
  /** Rules for new passwords. */
  readonly policy: PasswordPolicyOptions;
  /** The reset flow. */
  readonly reset: ResetConfig;
}

/** `BCRYPT_COST`, `BCRYPT_QUEUE_MAX`, `PASSWORD_*` (`PASSWORD_BREACH_FILTER` is read by the policy, once, at start), `RESET_TOKEN_*` and `RESET_WEBHOOK_URL` (`email` delivery also reads the mail module's `SMTP_URL` and `MAIL_FROM`). */
export const passwordConfig = defineConfig({
  env: {
    BCRYPT_COST: integer('BCRYPT_COST', 4, 31, 12),
    BCRYPT_QUEUE_MAX: integer('BCRYPT_QUEUE_MAX', 1, 100_000, 32),
    PASSWORD_MIN_LENGTH: integer('PASSWORD_MIN_LENGTH', 1, 64),
    PASSWORD_CHECK_COMMON: boolean('PASSWORD_CHECK_COMMON'),
    PASSWORD_MIN_SCORE: integer('PASSWORD_MIN_SCORE', 0, 4),
    PASSWORD_CHECK_THREADS: integer('PASSWORD_CHECK_THREADS', 1, 64, Math.max(1, Math.floor(availableParallelism() / 2))),
    PASSWORD_CHECK_QUEUE: integer('PASSWORD_CHECK_QUEUE', 1, 100_000, 64),
    PASSWORD_CHECK_TIMEOUT: duration('PASSWORD_CHECK_TIMEOUT', '2s'),
    PASSWORD_CHECK_CLIENT_BUDGET: duration('PASSWORD_CHECK_CLIENT_BUDGET', '5s'),
    PASSWORD_BREACH_FILTER: z.string().min(1, 'PASSWORD_BREACH_FILTER must be the path of a file built by sesame breach-filter build').optional(),
    RESET_TOKEN_TTL: duration('RESET_TOKEN_TTL', '30m'),
    RESET_TOKEN_DELIVERY: oneOf('RESET_TOKEN_DELIVERY', ['response', 'webhook', 'email']),
    RESET_WEBHOOK_URL: z.string().regex(/^https?:\/\/.+/, 'RESET_WEBHOOK_URL must be an http(s) URL').optional(),
  },
  defaults: {
    // Development accepts the seed's 5-character example password and returns the reset token in the body.
    development: { PASSWORD_MIN_LENGTH: '1', PASSWORD_CHECK_COMMON: 'false', PASSWORD_MIN_SCORE: '0', RESET_TOKEN_DELIVERY: 'response' },
    production: { PASSWORD_MIN_LENGTH: '15', PASSWORD_CHECK_COMMON: 'true', PASSWORD_MIN_SCORE: '3', RESET_TOKEN_DELIVERY: 'webhook' },
  },
  build: (env): PasswordConfig => ({
    bcryptCost: env.BCRYPT_COST,
    hashQueueMax: env.BCRYPT_QUEUE_MAX,
    policy: {
      minLength: env.PASSWORD_MIN_LENGTH,
      checkCommon: env.PASSWORD_CHECK_COMMON,
      minScore: env.PASSWORD_MIN_SCORE,
      ...(env.PASSWORD_BREACH_FILTER === undefined ? {} : { breachFilter: env.PASSWORD_BREACH_FILTER }),
      strength: {
        threads: env.PASSWORD_CHECK_THREADS,
        maxQueue: env.PASSWORD_CHECK_QUEUE,
        timeoutMs: env.PASSWORD_CHECK_TIMEOUT,
        clientBudgetMs: env.PASSWORD_CHECK_CLIENT_BUDGET,
      },
    },
    reset: { tokenTtlMs: env.RESET_TOKEN_TTL, delivery: env.RESET_TOKEN_DELIVERY, webhookUrl: env.RESET_WEBHOOK_URL },
  }),
  check: ({ policy, reset }, context) => {
    // Checked with the settings, so `sesame config check` and a start both name a wrong file before anything runs.
    const breach = policy.breachFilter === undefined ? undefined : breachFilterProblem(policy.breachFilter);
    return [...(breach === undefined ? [] : [breach]), ...resetProblems(reset, context)];
  },
  refuseInProduction({ bcryptCost, policy, reset }) {
    const problems: string[] = [];
    if (policy.minLength < 8) problems.push('set PASSWORD_MIN_LENGTH to 8 or more (15 recommended): NIST SP 800-63B forbids shorter passwords');
    if (!policy.checkCommon) problems.push('set PASSWORD_CHECK_COMMON=true: common passwords fall to the first guesses');
    if ((policy.minScore ?? 0) < 3) problems.push('set PASSWORD_MIN_SCORE to 3 or 4: lower scores let long variations of common passwords through');
    if (bcryptCost < 10) problems.push('set BCRYPT_COST to 10 or more (12 recommended): lower costs are cheap to crack');
    if (reset.delivery === 'response') {
      problems.push(
        'set RESET_TOKEN_DELIVERY=email (with SMTP_URL and MAIL_FROM) or RESET_TOKEN_DELIVERY=webhook (with RESET_WEBHOOK_URL): returning the reset token in the response lets anyone who knows an email take over the account',
      );
    }
    if (reset.webhookUrl !== undefined && !isHttpsOrLoopback(reset.webhookUrl)) {
      problems.push('set RESET_WEBHOOK_URL to an https:// URL (or a loopback one): reset tokens must not cross a network in clear');
    }
    return problems;
  },
});

/** What is missing for the chosen reset delivery: a webhook URL, or the mail settings. */
function resetProblems(reset: ResetConfig, { profile, settings }: CheckContext): string[] {
  if (reset.delivery === 'webhook' && reset.webhookUrl === undefined) {
    return ['RESET_TOKEN_DELIVERY=webhook needs RESET_WEBHOOK_URL (where Sesame posts {email, reset_token} for your mailer), or set RESET_TOKEN_DELIVERY=email with SMTP_URL and MAIL_FROM'];
  }
  if (reset.delivery !== 'email') return [];
  const problems: string[] = [];
  if (settings['MAIL_FROM'] === undefined) problems.push('RESET_TOKEN_DELIVERY=email needs MAIL_FROM (the From: address of the reset messages)');
  // Development without a server writes each message to ./data/outbox/ instead.
  if (settings['SMTP_URL'] === undefined && profile !== 'development') problems.push('RESET_TOKEN_DELIVERY=email needs SMTP_URL (the SMTP server that sends the reset messages)');
  return problems;
}

/** True for an https URL, or an http URL to this machine (a mailer sidecar), where no network sees the token. */
function isHttpsOrLoopback(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  } catch {
    return false;
  }
}
