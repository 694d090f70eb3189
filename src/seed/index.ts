/**
 * The seed's code face: `DB` and `Auth`, facades over the modules with the seed's method names.
 * @module
 */
export { Auth, type AuthServices } from './auth.js';
export { DB } from './db.js';
