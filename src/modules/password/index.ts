/**
 * The password module's public face: hashing, the policy for new passwords, and the flows built on them
 * (registration, login, change, reset), with their settings, refusals and routes. Other modules import from here only.
 * @module
 */
export type { PasswordFlowDeps, PasswordNotices, ResetMailer, ResetMailOptions } from './deps.js';
export { passwordConfig, type PasswordConfig, type ResetConfig, type ResetTokenDelivery } from './config.js';
export { BcryptHasher, preparePassword, type PasswordHasher } from './hasher.js';
export { BoundedHasher } from './bounded-hasher.js';
export { PasswordPolicy, LENIENT_POLICY, type PasswordPolicyOptions } from './policy.js';
export { StrengthEstimator, type StrengthEstimatorOptions, type StrengthScorer } from './strength-estimator.js';
export { BreachFilter, BinaryFuse16, buildBreachFilter, BreachInputError, passwordKeys, type BuildResult, type LineSource } from './breach-filter/index.js';
export { loadCommonPasswords, commonPasswordEntries, type CommonPasswords } from './common-passwords.js';
export { Registration, type SignUpOutcome } from './registration.js';
export { PasswordLogin, type LoggedIn } from './login.js';
export { PasswordChange } from './change.js';
export { PasswordReset, type IssuedResetToken, type ResetRequestOptions } from './reset.js';
export { webhookSender, type ResetTokenSender } from './reset-webhook.js';
export { WeakPasswordError, BreachedPasswordError, PasswordCheckBusyError, PasswordTooCostlyError, InvalidResetTokenError, PasswordError, type PasswordErrorCode } from './errors.js';
export { CHECKS_PER_CLIENT } from './strength-estimator.js';
export type { PasswordEvent } from './events.js';
export { passwordRoutes } from './http/routes.js';
export type { PasswordRoutesDeps } from './http/deps.js';
