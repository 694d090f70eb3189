/**
 * The email module's public face: verifying an account's address, changing it, and the language mail is written in,
 * with its settings, refusals, events and routes. Other modules and surfaces import from here only.
 * @module
 */
export { emailConfig, type EmailConfig } from './config.js';
export { EmailChangeLimitedError, EmailError, type EmailErrorCode } from './errors.js';
export type { EmailEvent } from './events.js';
export { emailRoutes } from './http/routes.js';
export type { EmailRoutesDeps } from './http/deps.js';
export { isTokenProof, type Proof } from './proof.js';
export { CHANGES_PER_HOUR, EmailAddresses, REGISTRATION_NOTICE_WINDOW_MS, RESENDS_PER_HOUR, type Confirmed, type EmailAddressesDeps } from './service.js';
