/**
 * The sign-up module's public face: who may sign up (modes, domains, invitations), the proof-of-work challenge, their
 * tables, store and settings. Other modules and the surfaces import from here only.
 * @module
 */
export { CHALLENGE_KEY_PURPOSE, ProofOfWork, type ProofChallenge, type ProofOfWorkOptions } from './challenge.js';
export { signupConfig, type ChallengeScope, type RegistrationMode, type SignupConfig } from './config.js';
export { InvitationUndeliverableError, SignupRefusedError, type SignupErrorCode } from './errors.js';
export type { SignupEvent } from './events.js';
export { signupMigrations } from './migrations.js';
export { KyselySignupStore, type LiveInvitation, type SignupStore } from './store.js';
export { Signup, type Admission, type SentInvitation, type SignupDeps, type SignupSurface, type SignupTicket } from './service.js';
export type { InvitationsTable, SpentChallengesTable } from './schema.js';
export { signupRoutes, type SignupRoutesDeps } from './http/routes.js';
