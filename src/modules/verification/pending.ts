/**
 * The one remedy for one-time tokens that every way of taking an account back applies: a force-reset, a disable, an
 * operator ending its sessions, a deletion, a password reset and a password change all call it, so none of them can
 * forget a purpose, and a purpose added later is added here once.
 * @module
 */
import type { Executor } from '../../kernel/database/tables.js';
import type { VerificationTokenStore } from './store.js';

/** What {@link CancelPendingProofs} spent or cancelled. */
export interface CancelledProofs {
  /** Reset links (and their codes) that no longer work. */
  readonly resetLinks: number;
  /** Pending changes of address that can no longer be confirmed. */
  readonly emailChanges: number;
}

/**
 * Spends every unspent reset link of an account and cancels its pending change of address, inside the caller's
 * transaction. Why both: someone who knew the password can ask `PUT /email` to a mailbox of theirs; if the change
 * outlived the remedy, confirming it later would move the account, kill the owner's reset links (a move does) and let
 * them reset the password through the new address. A path that issues a reset link of its own (a force-reset) calls
 * this first, so its own link survives. Verification links are left: they go to the account's current address, the
 * owner's own. Enabling an account is no remedy and revives nothing: what this deleted stays deleted. The owner's own
 * `POST /sessions/end` does not call it (ending one's sessions is not a statement that the password leaked).
 */
export type CancelPendingProofs = (executor: Executor, userId: number) => Promise<CancelledProofs>;

/** Builds {@link CancelPendingProofs} over the token store (the composition root hands the result to each remedy). */
export function pendingProofCanceller(tokens: VerificationTokenStore): CancelPendingProofs {
  return async (executor, userId) => {
    const store = tokens.in(executor);
    const resetLinks = await store.revokeAllOfUser('password_reset', userId);
    const emailChanges = await store.revokeAllOfUser('email_change', userId);
    return { resetLinks, emailChanges };
  };
}

/**
 * What a remedy's audit event adds when it cancelled a pending change of address (nothing otherwise): the account's
 * events then show the owner and operators that someone had asked to move it, and that the move died here.
 */
export function cancelledDetail(cancelled: CancelledProofs): { readonly emailChangeCancelled?: true } {
  return cancelled.emailChanges > 0 ? { emailChangeCancelled: true } : {};
}
