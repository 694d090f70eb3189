/**
 * The auth layer's public face.
 * @module
 */
export { Auth, toPublicUser, DEFAULT_SESSION_TTL_MS, DEFAULT_RESET_TOKEN_TTL_MS, type AuthOptions } from './auth.js';
export { BcryptHasher, type PasswordHasher } from './password-hasher.js';
export { startExpirySweeper, type SweepLogger } from './sweeper.js';
