/**
 * The HTTP layer's public face.
 * @module
 */
export { sesamePlugin, type SesamePluginOptions } from './plugin.js';
export { requireSession } from './require-session.js';
export { sesameErrorHandler } from './error-handler.js';
export { SESSION_COOKIE, HOST_SESSION_COOKIE } from './session-cookie.js';
