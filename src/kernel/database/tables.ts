/**
 * The whole database as Kysely sees it. The kernel names no table: each module adds its own to {@link SesameTables}
 * by declaration merging (in its `schema.ts`), so every query's types still derive from one interface while the
 * kernel stays ignorant of features.
 * @module
 */
import type { Kysely, Transaction } from 'kysely';

/**
 * Maps table names to their column types; empty here, filled by the modules' `declare module` blocks. Kysely's
 * `Kysely<DB>` is invariant in `DB`, so one shared interface is what lets a store hand its executor to another's.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging in the modules
export interface SesameTables {}

/** A query executor over every table: the database itself, or a transaction that several stores write in together. */
export type Executor = Kysely<SesameTables> | Transaction<SesameTables>;
