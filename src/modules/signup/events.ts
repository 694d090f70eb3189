/**
 * What the sign-up module records: invitations sent (audited, so "who invited this address, when" has an answer) and
 * refused sign-ups (counted and logged only: they are anonymous traffic, mostly bots).
 * @module
 */
import type { SesameEvent } from '../../kernel/events.js';

/** The sign-up module's events. */
export type SignupEvent = SesameEvent<'invitation.created' | 'signup.refused'>;
