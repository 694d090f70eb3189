/**
 * Counts the database work a flow does, for the equal-work tests (no account enumeration by timing): a storage whose
 * Kysely records every statement as `Kind:table` (`InsertQueryNode:users`) and counts the transactions begun, so a
 * test compares two paths by what they ask of the database rather than by how long they took.
 * @module
 */
import type { Kysely, PluginTransformQueryArgs, PluginTransformResultArgs, RootOperationNode } from 'kysely';
import type { Storage } from '../../src/kernel/database/storage.js';
import type { SesameTables } from '../../src/kernel/database/tables.js';

/** A storage that records what is asked of it, and what it recorded. */
export interface RecordedStorage {
  /** The same database, through a Kysely that records: hand it to `createSesame` or `buildSesame`. */
  readonly storage: Storage;
  /** Every statement since the last {@link reset}, in order, as `Kind:table[,table]`. */
  readonly statements: string[];
  /** Transactions begun since the last {@link reset}. */
  transactions(): number;
  /** Forgets what was recorded so far. */
  reset(): void;
}

/** Wraps `storage` (which the caller still owns and closes) so that its statements and transactions are recorded. */
export function recordStatements(storage: Storage): RecordedStorage {
  const statements: string[] = [];
  let transactions = 0;
  const recording = storage.kysely.withPlugin({
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      statements.push(`${args.node.kind}:${tablesOf(args.node).join(',')}`);
      return args.node;
    },
    transformResult: (args: PluginTransformResultArgs) => Promise.resolve(args.result),
  });
  // A transaction's statements go through `recording` (and are recorded there); this only counts the transactions.
  const kysely = new Proxy(recording, {
    get(target, property) {
      if (property === 'transaction') {
        return () => {
          transactions += 1;
          return target.transaction();
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      // Bound to the real instance: Kysely's methods read private fields a proxy does not have.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as Kysely<SesameTables>;
  return {
    storage: { ...storage, kysely },
    statements,
    transactions: () => transactions,
    reset() {
      statements.length = 0;
      transactions = 0;
    },
  };
}

/** The tables a query node names (its FROM, INTO or UPDATE target). */
export function tablesOf(node: RootOperationNode): string[] {
  const names: string[] = [];
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (record['kind'] === 'TableNode') {
      const table = record['table'] as { identifier?: { name?: string } } | undefined;
      if (table?.identifier?.name !== undefined) names.push(table.identifier.name);
      return;
    }
    for (const child of Object.values(record)) visit(child);
  };
  visit(node);
  return [...new Set(names)];
}
