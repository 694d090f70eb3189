/**
 * The storage factory: turns a `DATABASE_URL` into a Kysely instance on SQLite or PostgreSQL, with the few ways the
 * two engines differ written down once as traits, so no store or migration asks which engine runs.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  type ColumnDefinitionBuilder,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDriver,
} from 'kysely';
import type pg from 'pg';
import { prepareEveryQuery, prepareNoQuery } from './prepared-statements.js';
import { checkTablePrefix, TablePrefixPlugin } from './table-prefix.js';
import type { SesameTables } from './tables.js';

/** The two engines Sesame runs on. */
export type Engine = 'sqlite' | 'postgres';

/** A read prepared once and run with positional parameters, outside the query builder. */
export interface PreparedRead {
  /** Runs the statement and returns its first row, or undefined (at once on SQLite, as a promise on PostgreSQL). */
  get(...parameters: unknown[]): unknown;
}

/**
 * What differs between the engines, as capabilities (Kysely's dialect-adapter style) rather than `if engine` checks
 * scattered through stores and migrations.
 */
export interface EngineTraits {
  /** Which engine this is, for messages and the few tools that need the name (the rate-limit store). */
  readonly engine: Engine;
  /** Makes an integer column an auto-assigned primary key (an identity column on PostgreSQL, AUTOINCREMENT on SQLite). */
  autoIncrementPrimaryKey(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** True for a unique-constraint failure (SQLite's extended code, PostgreSQL's SQLSTATE 23505). */
  isUniqueViolation(error: unknown): boolean;
  /**
   * Whether a statement must lock the rows it reads to see a concurrent change serialised (`FOR SHARE` on
   * PostgreSQL). SQLite serialises every write transaction on the file, so it needs (and has) no row locks.
   */
  readonly rowLocks: boolean;
  /**
   * Prepares a per-request read on the driver itself, skipping Kysely's driver (a mutex or a pool checkout and
   * several promise hops per query), about half the cost of the read: on better-sqlite3's synchronous handle, and on
   * PostgreSQL as one `pool.query` (a named statement unless prepared statements are off). Undefined where a read
   * must go through Kysely (tests that capture SQL).
   */
  readonly prepareRead: ((sql: string) => PreparedRead) | undefined;
}

/** An open database: the query builder, the engine's traits, the driver handle, and how to let go of it. */
export interface Storage {
  /** Typed query builder over the open connection(s). */
  readonly kysely: Kysely<SesameTables>;
  /** Which engine the URL selected. */
  readonly engine: Engine;
  /**
   * What every table, index and constraint name of Sesame's starts with (empty: none). `kysely` adds it to the
   * queries it builds; SQL written by hand, or by a library handed `client`, must add it itself.
   */
  readonly tablePrefix: string;
  /** How this engine differs from the other. */
  readonly traits: EngineTraits;
  /** The driver's own handle, for libraries that take one (the database rate-limit store); queries go through `kysely`. */
  readonly client: StorageClient;
  /** Closes the file or drains the pool; call once at shutdown. */
  close(): Promise<void>;
}

/** The underlying driver object of a {@link Storage}. */
export type StorageClient =
  | { readonly engine: 'sqlite'; readonly database: SqliteDatabase.Database }
  | { readonly engine: 'postgres'; readonly pool: pg.Pool };

/** Knobs for {@link connectStorage}; all optional. */
export interface StorageOptions {
  /**
   * Put before every table, index and constraint name, Kysely's migration tables included (default none), so Sesame
   * can share a database with a host application's own tables: letters, digits and underscores, starting with a
   * letter, at most 20 characters.
   */
  readonly tablePrefix?: string;
  /** Largest PostgreSQL pool size (default 10). */
  readonly poolSize?: number;
  /**
   * PostgreSQL: send parameterised queries as named prepared statements (default true), so the server parses and
   * plans each SQL text once per connection. Off for a pooler in transaction mode that cannot track them.
   */
  readonly preparedStatements?: boolean;
  /** How long a SQLite writer waits for another process's lock before failing, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /** PostgreSQL: how long to wait for a connection (a new one, or a free one from the pool), in ms (default 1000). */
  readonly connectTimeoutMs?: number;
  /**
   * PostgreSQL: the longest a statement may run, in ms (default 1500), enforced by the server (`statement_timeout`)
   * and by the client for a server that stops answering altogether.
   */
  readonly statementTimeoutMs?: number;
  /** PostgreSQL: how long an idle pooled connection is kept, in ms (default 30000). */
  readonly idleTimeoutMs?: number;
  /**
   * Told of a pooled connection that failed while idle (a restart, a failover, a pooler's idle cut). The pool drops
   * it and opens another when needed; without a listener node-postgres would crash the process.
   */
  readonly onConnectionError?: (error: Error) => void;
}

/** Tells which engine a URL selects, or null for a URL that names neither. */
export function engineOf(url: string): Engine | null {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  return null;
}

/** Opens (creating if needed) the database a URL names; bringing its schema up to date is the migrator's job. */
export function connectStorage(url: string, options: StorageOptions = {}): Storage {
  const engine = engineOf(url);
  if (engine === null) throw new Error(`DATABASE_URL must start with sqlite: or postgres://, got ${JSON.stringify(redactUrl(url))}`);
  const tablePrefix = checkTablePrefix(options.tablePrefix ?? '');
  const opened = engine === 'sqlite' ? openSqlite(url, options) : openPostgres(url, options);
  const { client, traits } = opened;
  // Only installed when there is a prefix: the plugin rewrites every query's tree, work the default need not pay for.
  const kysely = tablePrefix === '' ? opened.kysely : opened.kysely.withPlugin(new TablePrefixPlugin(tablePrefix));
  return { kysely, engine, tablePrefix, traits, client, close: () => kysely.destroy() };
}

/** Drops any password from a URL so it can appear in an error message or log line. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

/**
 * An engine's traits without a connection (no `prepareRead`): enough to build its schema statements, which is how
 * the migrations' SQL is produced for a host that applies it itself.
 */
export function engineTraits(engine: Engine): EngineTraits {
  return engine === 'sqlite'
    ? {
        engine,
        autoIncrementPrimaryKey: (column) => column.primaryKey().autoIncrement(),
        isUniqueViolation: (error) => codeOf(error) === 'SQLITE_CONSTRAINT_UNIQUE',
        rowLocks: false,
        prepareRead: undefined,
      }
    : {
        engine,
        autoIncrementPrimaryKey: (column) => column.primaryKey().generatedByDefaultAsIdentity(),
        isUniqueViolation: (error) => codeOf(error) === '23505',
        rowLocks: true,
        prepareRead: undefined,
      };
}

/** Path of the SQLite file a `sqlite:` URL names (`sqlite:./x.db`, `sqlite:///abs/x.db`, `sqlite::memory:`). */
export function sqlitePath(url: string): string {
  const rest = url.slice('sqlite:'.length);
  if (rest === ':memory:') return rest;
  return resolve(rest.startsWith('//') ? rest.slice(2) : rest);
}

/** The parts of a {@link Storage} each opener builds. */
type Opened = Pick<Storage, 'kysely' | 'client' | 'traits'>;

/** SQLite through better-sqlite3, tuned for several processes sharing one file. */
function openSqlite(url: string, options: StorageOptions): Opened {
  const path = sqlitePath(url);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new SqliteDatabase(path);
  // WAL lets readers run beside one writer; the busy timeout makes a second process wait for the
  // write lock instead of surfacing SQLITE_BUSY to a client; NORMAL sync is durable in WAL mode
  // except for the last commits on power loss, the usual trade for a session store.
  db.pragma('journal_mode = WAL');
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Read pages through a memory map instead of a read() call each: the session check on every request is a read.
  db.pragma('mmap_size = 268435456');
  const kysely = new Kysely<SesameTables>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(db) }) });
  const traits: EngineTraits = { ...engineTraits('sqlite'), prepareRead: (sql) => db.prepare(sql) };
  return { kysely, client: { engine: 'sqlite', database: db }, traits };
}

/**
 * Kysely's SQLite dialect, with transactions that take the write lock when they begin (`BEGIN IMMEDIATE`). A deferred
 * `BEGIN` that reads and then writes fails at once with `SQLITE_BUSY` (no busy wait is possible) when another process
 * (`WORKERS` > 1) wrote in between; an immediate one waits for the lock up to the busy timeout instead.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  /** Kysely's adapter, telling the truth about DDL (see {@link TransactionalDdlSqliteAdapter}). */
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  /** Kysely's driver, with `beginTransaction` replaced. */
  override createDriver(): Driver {
    const driver = super.createDriver() as SqliteDriver;
    driver.beginTransaction = async (connection: DatabaseConnection): Promise<void> => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

/**
 * SQLite rolls back `CREATE TABLE`, `ALTER TABLE` and `CREATE INDEX` like any write, yet Kysely's adapter says it
 * cannot, so its migrator would run migrations bare and a failure halfway would leave a half-built schema that the
 * next start trips over. Saying so makes the migrator run every pending migration, and its bookkeeping row, in one
 * `BEGIN IMMEDIATE` transaction, as it does on PostgreSQL; the immediate lock also makes a second process starting
 * at the same moment wait, then find the migrations applied.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  /** True: SQLite's DDL is transactional. */
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Wraps better-sqlite3 so each distinct SQL text is prepared once, not on every query (Kysely prepares per call). */
function withStatementCache(db: SqliteDatabase.Database): { close(): void; prepare(sql: string): SqliteDatabase.Statement } {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => db.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        // Queries are built from a fixed set of shapes; the cap only guards against a caller
        // generating unbounded distinct SQL (e.g. IN lists of varying length).
        if (cache.size >= 256) cache.clear();
        statement = db.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/** PostgreSQL through a node-postgres pool, with BIGINT read back as a JS number (epoch ms fits). */
function openPostgres(url: string, options: StorageOptions): Opened {
  const statementTimeout = options.statementTimeoutMs ?? 1500;
  // Loaded here, not imported: node-postgres costs about 8 MiB and 25 ms, which a SQLite deployment (the default, and
  // every library user on SQLite) must not pay; `require` because opening storage is synchronous.
  const { Pool, types } = createRequire(import.meta.url)('pg') as typeof pg;
  const pool = new Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 1000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    // The server cancels a statement past this; the client gives up on one that gets no answer at all (a stalled
    // server or network) a little later, so a caller never waits for ever.
    statement_timeout: statementTimeout,
    query_timeout: statementTimeout + 250,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === types.builtins.INT8 ? Number : types.getTypeParser(oid, format)) as typeof types.getTypeParser,
    },
  });
  const traits: EngineTraits = {
    ...engineTraits('postgres'),
    prepareRead: (text) => ({ get: async (...values: unknown[]) => (await pool.query(text, values)).rows[0] }),
  };
  pool.on('connect', (options.preparedStatements ?? true) ? prepareEveryQuery : prepareNoQuery);
  // An idle connection that fails emits 'error' on the pool; unhandled, that event would end the process (and a host
  // application with it). The pool has already dropped the connection and opens another when one is needed.
  pool.on('error', (error) => options.onConnectionError?.(error));
  // A connection lost while checked out (mid-request) fails its query, which the request answers 503, and then also
  // emits 'error' on the client, which the pool only listens to while the client is idle: without a listener of its
  // own that second report would crash the process.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return { kysely: new Kysely<SesameTables>({ dialect: new PostgresDialect({ pool }) }), client: { engine: 'postgres', pool }, traits };
}

/** The driver's error code of a failure, if it has one. */
function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}
