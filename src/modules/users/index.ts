/**
 * The users module's public face: accounts (the seed's `User`), their store port and its Kysely implementation, email
 * normalisation and the module's refusals. Other modules import from here only.
 * @module
 */
export { usersMigrations } from './migrations.js';
export { KyselyUserStore, type NewAccountFields, type UserStore, type UserFilter } from './store.js';
export { checkedEmail, isAcceptedEmail, normaliseEmail } from './email.js';
export { nonConformingEmails, type NonConformingEmail } from './legacy-emails-store.js';
export { isDisabled, toPublicUser, USER_COLUMNS, type User, type NewUser, type UserChanges, type PublicUser, type UsersTable } from './schema.js';
export { InvalidEmailError, NoResultFoundError, UnknownColumnError, UserAlreadyExistsError, type UsersErrorCode } from './errors.js';
