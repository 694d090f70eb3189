/**
 * Who may sign up, decided before any work that depends on the address's owner: the mode (`open`, `closed`,
 * `invite`), the domain list, an invitation, and the proof of work. The registration flow asks {@link Signup.admit}
 * first and spends what it returns inside the transaction that creates the account, so an invitation is used by
 * exactly one account. Operators send invitations with {@link Signup.invite}: a token mailed once, its hash stored.
 * @module
 */
import type { Clock } from '../../kernel/clock.js';
import type { Executor } from '../../kernel/database/tables.js';
import type { Changes, EventContext } from '../../kernel/events.js';
import { generateToken, hashToken } from '../../kernel/tokens.js';
import type { Courier } from '../mail/index.js';
import { checkedEmail } from '../users/index.js';
import type { ProofChallenge, ProofOfWork } from './challenge.js';
import type { SignupConfig } from './config.js';
import { InvitationUndeliverableError, SignupRefusedError, type SignupErrorCode } from './errors.js';
import type { SignupEvent } from './events.js';
import type { LiveInvitation, SignupStore } from './store.js';

/** Where a sign-up comes from: the challenge may be asked of the hosted page only (`REGISTRATION_CHALLENGE=pages`). */
export type SignupSurface = 'api' | 'pages';

/** What a sign-up brings besides the address and password. */
export interface SignupTicket {
  /** Where it was sent from. */
  readonly surface: SignupSurface;
  /** The invitation's token, from the mailed link. */
  readonly invitation?: string | undefined;
  /** The solved challenge (the `altcha` field). */
  readonly challenge?: string | undefined;
}

/** A sign-up let through: whether by invitation, and what to spend inside the transaction that creates the account. */
export interface Admission {
  /** True when a valid invitation let it in (the address is then proved: the link came from its mailbox). */
  readonly invited: boolean;
  /** Spends the invitation in the account's transaction; raises `signup.invitation_invalid` if a racing sign-up spent it first. */
  readonly spend: (executor: Executor) => Promise<void>;
}

/** What {@link Signup} is built from. */
export interface SignupDeps {
  readonly store: SignupStore;
  readonly changes: Changes<SignupEvent>;
  /** Carries the invitation mail through the outbox. */
  readonly courier: Pick<Courier, 'send' | 'reaches'>;
  /** The puzzle, when the challenge is on anywhere. */
  readonly proof: ProofOfWork;
  readonly clock: Clock;
  readonly config: SignupConfig;
}

/** An invitation as sent: to whom, until when. */
export interface SentInvitation {
  readonly email: string;
  readonly expiresAt: number;
}

/** Decides who may sign up and sends invitations. */
export class Signup {
  readonly #deps: SignupDeps;

  /** Takes the store, the event-carrying transactions, the courier, the puzzle, the clock and the settings. */
  constructor(deps: SignupDeps) {
    this.#deps = deps;
  }

  /** The settings in force (the pages show a closed or invitation-only notice instead of the form). */
  get config(): SignupConfig {
    return this.#deps.config;
  }

  /** Whether a sign-up from `surface` must bring a solved challenge. */
  challengeRequired(surface: SignupSurface): boolean {
    const { challenge } = this.#deps.config;
    return challenge === 'all' || (challenge === 'pages' && surface === 'pages');
  }

  /** A fresh challenge for a client to solve. */
  issueChallenge(): Promise<ProofChallenge> {
    return this.#deps.proof.issue();
  }

  /** The live invitation a token names, or undefined (the sign-up page fixes the address from it). */
  invitation(token: string): Promise<LiveInvitation | undefined> {
    return this.#deps.store.findLive(hashToken(token), this.#deps.clock());
  }

  /**
   * Lets a sign-up of `email` (already normalised) through, or raises a `SignupRefusedError`. A valid invitation for
   * this very address admits in every mode and whatever the domain list (an operator vouched for it) and needs no
   * puzzle (no bot holds one); otherwise `closed` refuses, `invite` wants an invitation, `open` checks the domain list,
   * then the challenge is checked and spent where it is required. Nothing here looks at accounts: the refusals are the
   * same for an address that has one and for one that has not.
   */
  async admit(email: string, ticket: SignupTicket, context: EventContext): Promise<Admission> {
    try {
      return await this.#admit(email, ticket);
    } catch (error) {
      if (error instanceof SignupRefusedError) this.#refused(error.code, ticket.surface, context);
      throw error;
    }
  }

  /** {@link admit} without the refusal's event: the decision itself, in the order the doc comment gives. */
  async #admit(email: string, ticket: SignupTicket): Promise<Admission> {
    const { mode, domains } = this.#deps.config;
    const presented = ticket.invitation !== undefined && ticket.invitation !== '';
    if (presented) {
      const tokenHash = hashToken(ticket.invitation ?? '');
      const live = await this.#deps.store.findLive(tokenHash, this.#deps.clock());
      // Bound to its address: another address is refused like an unknown token, so nobody learns whom it was for.
      if (live === undefined || live.email !== email) throw new SignupRefusedError('signup.invitation_invalid');
      return {
        invited: true,
        spend: async (executor) => {
          if (!(await this.#deps.store.in(executor).spend(tokenHash, email, this.#deps.clock()))) throw new SignupRefusedError('signup.invitation_invalid');
        },
      };
    }
    if (mode === 'closed') throw new SignupRefusedError('signup.closed');
    if (mode === 'invite') throw new SignupRefusedError('signup.invitation_required');
    if (domains.length > 0 && !domains.includes(domainOf(email))) throw new SignupRefusedError('signup.domain_not_allowed');
    if (this.challengeRequired(ticket.surface)) await this.#deps.proof.spend(ticket.challenge);
    return { invited: false, spend: () => Promise.resolve() };
  }

  /**
   * Sends an invitation to `email`: a random 256-bit token, its hash stored with the address and the expiry
   * (`INVITATION_TTL`), the raw token only in the mail (enqueued in the same transaction, never held back: an
   * operator asked for it). Raises `InvalidEmailError` for a bad address and `InvitationUndeliverableError` when no
   * message can leave. Earlier invitations to the address stay valid until they expire or one is used.
   */
  async invite(email: string, context: EventContext, language = 'en'): Promise<SentInvitation> {
    const address = checkedEmail(email);
    if (!this.#deps.courier.reaches('invitation')) throw new InvitationUndeliverableError();
    const token = generateToken('random');
    const now = this.#deps.clock();
    const expiresAt = now + this.#deps.config.invitationTtlMs;
    await this.#deps.changes.transact(async (tx, record) => {
      await this.#deps.store.in(tx).invite(address, hashToken(token), context.actor, now, expiresAt);
      await this.#deps.courier.send(tx, { kind: 'invitation', to: { address, language }, token, expiresAt }, { alwaysSend: true });
      await record({ type: 'invitation.created', context, account: { email: address }, detail: { expiresAt: new Date(expiresAt).toISOString() } });
    });
    return { email: address, expiresAt };
  }

  /** Deletes invitations and spent challenges past their expiry (the sweeper calls it). */
  purgeExpired(): Promise<{ readonly invitations: number; readonly spentChallenges: number }> {
    return this.#deps.store.purgeExpired(this.#deps.clock());
  }

  /** Tells the log and the metrics of a refused sign-up (never stored: it is anonymous traffic). */
  #refused(code: SignupErrorCode, surface: SignupSurface, context: EventContext): void {
    this.#deps.changes.publish({ type: 'signup.refused', context, detail: { reason: code, surface }, traffic: true });
  }
}

/** The domain of a normalised address (after its last `@`). */
function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}
