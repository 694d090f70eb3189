/**
 * The accounts module's public face: the operations operators and owners use on whole accounts (disable, enable,
 * force a reset, delete, export), their store port and its Kysely implementation, the owner's routes and the
 * module's refusals. Other modules and surfaces import from here only.
 * @module
 */
export { AccountsService, toView, type AccountsServiceDeps } from './service.js';
export { KyselyAccountStore, type AccountStore, type AccountFilter, type StateChange, type StoredAccountMail, type StoredAccountSession } from './store.js';
export type {
  AccountDetails,
  AccountEvent,
  AccountExport,
  AccountQuery,
  AccountState,
  AccountView,
  Disabled,
  Enabled,
  ForcedReset,
  ForcedResetDelivery,
  MailRecord,
  Page,
  SessionRecord,
} from './schema.js';
export { AccountError, type AccountsErrorCode } from './errors.js';
export type { AccountsEvent } from './events.js';
export { accountsRoutes } from './http/routes.js';
export { eventJson, exportJson } from './http/export-json.js';
export type { AccountRoutesDeps } from './http/deps.js';
