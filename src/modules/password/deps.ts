/**
 * What the password flows (registration, login, change, reset) are built from, in one type: each flow takes the part
 * it needs, so the composition root hands in one object and no flow re-declares its dependencies field by field.
 * @module
 */
import type { Clock } from '../../kernel/clock.js';
import type { Changes } from '../../kernel/events.js';
import type { Executor } from '../../kernel/database/tables.js';
import type { TokenFormat } from '../../kernel/tokens.js';
import type { SessionService } from '../sessions/index.js';
import type { UserStore } from '../users/index.js';
import type { VerificationTokenStore } from '../verification/index.js';
import type { ResetConfig } from './config.js';
import type { PasswordEvent } from './events.js';
import type { PasswordHasher } from './hasher.js';
import type { PasswordPolicy } from './policy.js';

/** Everything a password flow may need. */
export interface PasswordFlowDeps {
  /** Transactions that carry the module's events. */
  readonly changes: Changes<PasswordEvent>;
  /** The account store. */
  readonly users: UserStore;
  /** One-time tokens (reset links). */
  readonly tokens: VerificationTokenStore;
  /** The session rules. */
  readonly sessions: SessionService;
  /** bcrypt. */
  readonly hasher: PasswordHasher;
  /** The rules for new passwords. */
  readonly policy: PasswordPolicy;
  /** The time. */
  readonly clock: Clock;
  /** How tokens are drawn. */
  readonly tokenFormat: TokenFormat;
  /** How reset tokens live and travel. */
  readonly reset: ResetConfig;
  /** With `RESET_TOKEN_DELIVERY=email`: puts the reset message in the outbox, inside the transaction that issues the token. */
  readonly resetMail?: ResetMailer;
}

/**
 * Enqueues the message carrying a reset token to an account's stored address, writing through `executor` (the
 * issuing transaction), so the token and its message commit together or not at all.
 */
export type ResetMailer = (executor: Executor, email: string, resetToken: string) => Promise<void>;
