/**
 * The DB layer's public face: the storage factory and the `DB` class.
 * @module
 */
export { DB, type UserFilter } from './db.js';
export { openStorage, engineOf, redactUrl, type Storage, type StorageOptions, type Engine } from './storage.js';
export type { Database } from './schema.js';
