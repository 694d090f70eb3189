/**
 * The table prefix: a Kysely plugin that puts one prefix before every table, index and constraint name a query or
 * migration names, so Sesame can live in a host application's database beside its own `users` table and its own
 * Kysely migrations, while stores and migrations keep naming their tables plainly (`selectFrom('users')`).
 * @module
 */
import {
  AliasNode,
  CommonTableExpressionNameNode,
  IdentifierNode,
  OperationNodeTransformer,
  type AddIndexNode,
  type CheckConstraintNode,
  type CreateIndexNode,
  type DropConstraintNode,
  type ForeignKeyConstraintNode,
  type KyselyPlugin,
  type OnConflictNode,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimaryKeyConstraintNode,
  type QueryId,
  type QueryResult,
  type RenameConstraintNode,
  type RootOperationNode,
  type SchemableIdentifierNode,
  type UniqueConstraintNode,
  type UnknownRow,
} from 'kysely';

/**
 * Longest prefix accepted: PostgreSQL cuts identifiers at 63 bytes, and the longest name Sesame makes
 * (`verification_tokens_expires_idx`, 31) plus a prefix must stay well under it, with room for later indexes.
 */
export const MAX_TABLE_PREFIX_LENGTH = 20;

/**
 * Why a prefix cannot be used, as the end of a sentence naming it ("must be ..."), or undefined when it can (the
 * empty prefix, no prefix, included). Letters, digits and underscores, starting with a letter: such a name needs no
 * quoting on either engine, so hand-written SQL (a host's own reports, the rate-limit library's statements) names
 * the same table Kysely's quoted identifiers do.
 */
export function tablePrefixProblem(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  if (prefix.length > MAX_TABLE_PREFIX_LENGTH) return `must be at most ${MAX_TABLE_PREFIX_LENGTH} characters, got ${prefix.length}`;
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(prefix)) return `must be letters, digits and underscores, starting with a letter (e.g. sesame_), got ${JSON.stringify(prefix)}`;
  return undefined;
}

/** Throws on a prefix {@link tablePrefixProblem} refuses; returns it otherwise. */
export function checkTablePrefix(prefix: string): string {
  const problem = tablePrefixProblem(prefix);
  if (problem !== undefined) throw new Error(`tablePrefix ${problem}`);
  return prefix;
}

/**
 * Prefixes table names in every query and schema statement run through the Kysely instance it is installed on. Kysely
 * has a schema plugin but none for prefixes; this is its counterpart. Names an SQL text writes out itself are not
 * seen: raw fragments must name tables with `sql.table(...)` or `sql.ref('table.column')`, never as plain text.
 */
export class TablePrefixPlugin implements KyselyPlugin {
  readonly #prefix: string;

  /** Takes the prefix, checked by {@link checkTablePrefix}. */
  constructor(prefix: string) {
    this.#prefix = checkTablePrefix(prefix);
  }

  /** The prefix this plugin adds. */
  get prefix(): string {
    return this.#prefix;
  }

  /** Rewrites one query's tree; a fresh transformer per query, since the local names it must skip are per query. */
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return new PrefixTransformer(this.#prefix, localNames(args.node)).transformNode(args.node, args.queryId);
  }

  /** Results name columns, never tables: passed through. */
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** Node kinds whose alias names a table-like thing (a renamed table, a derived table), which then must not be prefixed. */
const ALIASED_RELATIONS: ReadonlySet<string> = new Set(['TableNode', 'SelectQueryNode', 'RawNode', 'ValuesNode']);

/**
 * Names in a query that stand for something other than a stored table: table aliases (`users as u`), derived tables
 * and common table expressions. Collected over the whole tree up front, because a select list that uses an alias is
 * visited before the `from` that declares it. Not scope-aware: a real table spelled like an alias used elsewhere in
 * the same query would be left unprefixed, which Sesame's queries never do.
 */
function localNames(root: OperationNode): ReadonlySet<string> {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    // Only operation nodes are walked: a parameter value (a Buffer, a JSON object) is data, not part of the tree.
    if (typeof value !== 'object' || value === null || typeof (value as { kind?: unknown }).kind !== 'string') return;
    const node = value as OperationNode;
    if (AliasNode.is(node) && IdentifierNode.is(node.alias) && ALIASED_RELATIONS.has(node.node.kind)) names.add(node.alias.name);
    if (CommonTableExpressionNameNode.is(node)) names.add(node.table.table.identifier.name);
    for (const child of Object.values(node)) visit(child);
  };
  visit(root);
  return names;
}

/** The tree rewrite behind {@link TablePrefixPlugin}. */
class PrefixTransformer extends OperationNodeTransformer {
  readonly #prefix: string;
  readonly #local: ReadonlySet<string>;

  /** Takes the prefix and the query's names that are not tables. */
  constructor(prefix: string, local: ReadonlySet<string>) {
    super();
    this.#prefix = prefix;
    this.#local = local;
  }

  /** The prefixed form of a name. */
  #named(node: IdentifierNode): IdentifierNode {
    return IdentifierNode.create(`${this.#prefix}${node.name}`);
  }

  /** As {@link PrefixTransformer.#named}, for the optional names of constraints. */
  #maybeNamed(node: IdentifierNode | undefined): IdentifierNode | undefined {
    return node === undefined ? undefined : this.#named(node);
  }

  /**
   * Every table reference reaches here: `from`, joins, `into`, `update`, qualified columns (`users.id`), foreign-key
   * targets, `create/alter/drop table`, and the name of a dropped index (Kysely makes it schemable).
   */
  protected override transformSchemableIdentifier(node: SchemableIdentifierNode, queryId?: QueryId): SchemableIdentifierNode {
    const transformed = super.transformSchemableIdentifier(node, queryId);
    if (this.#local.has(node.identifier.name)) return transformed;
    return { ...transformed, identifier: this.#named(transformed.identifier) };
  }

  /** Index names share one namespace per schema on PostgreSQL (and per file on SQLite) with a host's own. */
  protected override transformCreateIndex(node: CreateIndexNode, queryId?: QueryId): CreateIndexNode {
    const transformed = super.transformCreateIndex(node, queryId);
    return { ...transformed, name: this.#named(transformed.name) };
  }

  /** As {@link PrefixTransformer.transformCreateIndex}, for an index added by `alter table` (MySQL style). */
  protected override transformAddIndex(node: AddIndexNode, queryId?: QueryId): AddIndexNode {
    const transformed = super.transformAddIndex(node, queryId);
    return { ...transformed, name: this.#named(transformed.name) };
  }

  /** Named constraints share the index namespace on PostgreSQL. */
  protected override transformUniqueConstraint(node: UniqueConstraintNode, queryId?: QueryId): UniqueConstraintNode {
    const transformed = super.transformUniqueConstraint(node, queryId);
    return { ...transformed, name: this.#maybeNamed(transformed.name) };
  }

  /** See {@link PrefixTransformer.transformUniqueConstraint}. */
  protected override transformPrimaryKeyConstraint(node: PrimaryKeyConstraintNode, queryId?: QueryId): PrimaryKeyConstraintNode {
    const transformed = super.transformPrimaryKeyConstraint(node, queryId);
    return { ...transformed, name: this.#maybeNamed(transformed.name) };
  }

  /** See {@link PrefixTransformer.transformUniqueConstraint}. */
  protected override transformForeignKeyConstraint(node: ForeignKeyConstraintNode, queryId?: QueryId): ForeignKeyConstraintNode {
    const transformed = super.transformForeignKeyConstraint(node, queryId);
    return { ...transformed, name: this.#maybeNamed(transformed.name) };
  }

  /** See {@link PrefixTransformer.transformUniqueConstraint}. */
  protected override transformCheckConstraint(node: CheckConstraintNode, queryId?: QueryId): CheckConstraintNode {
    const transformed = super.transformCheckConstraint(node, queryId);
    return { ...transformed, name: this.#maybeNamed(transformed.name) };
  }

  /** A constraint dropped by name was created with the prefix. */
  protected override transformDropConstraint(node: DropConstraintNode, queryId?: QueryId): DropConstraintNode {
    const transformed = super.transformDropConstraint(node, queryId);
    return { ...transformed, constraintName: this.#named(transformed.constraintName) };
  }

  /** Both names of a renamed constraint are Sesame's. */
  protected override transformRenameConstraint(node: RenameConstraintNode, queryId?: QueryId): RenameConstraintNode {
    const transformed = super.transformRenameConstraint(node, queryId);
    return { ...transformed, oldName: this.#named(transformed.oldName), newName: this.#named(transformed.newName) };
  }

  /** `on conflict on constraint <name>` names a constraint created with the prefix. */
  protected override transformOnConflict(node: OnConflictNode, queryId?: QueryId): OnConflictNode {
    const transformed = super.transformOnConflict(node, queryId);
    return { ...transformed, constraint: this.#maybeNamed(transformed.constraint) };
  }
}
