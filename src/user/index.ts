/**
 * The data layer's vocabulary: record and table types that every upper layer may name.
 * @module
 */
export type { User, NewUser, UserChanges, PublicUser, UsersTable } from './user.js';
export { USER_COLUMNS } from './user.js';
export type { SessionsTable, SessionSummary } from './session.js';
