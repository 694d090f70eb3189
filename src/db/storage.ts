/**
 * The storage factory: turns a `DATABASE_URL` into a Kysely instance on SQLite or PostgreSQL, so nothing above it asks which engine runs.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrateToLatest } from './migrations.js';

/** The two engines Sesame runs on. */
export type Engine = 'sqlite' | 'postgres';

/** An open database: the query builder, which engine it is, and how to let go of it. */
export interface Storage {
  /** Typed query builder over the open connection(s). */
  readonly kysely: Kysely<Database>;
  /** Which engine the URL selected; only migrations need to know. */
  readonly engine: Engine;
  /** The driver's own handle, for libraries that take one (the database rate-limit store); queries go through `kysely`. */
  readonly client: StorageClient;
  /** Closes the file or drains the pool; call once at shutdown. */
  close(): Promise<void>;
}

/** The underlying driver object of a {@link Storage}. */
export type StorageClient =
  | { readonly engine: 'sqlite'; readonly database: SqliteDatabase.Database }
  | { readonly engine: 'postgres'; readonly pool: pg.Pool };

/** Knobs for {@link openStorage}; all optional. */
export interface StorageOptions {
  /** Largest PostgreSQL pool size (default 10). */
  readonly poolSize?: number;
  /** How long a SQLite writer waits for another process's lock before failing, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /** Apply pending migrations before returning (default true). */
  readonly migrate?: boolean;
}

/** Tells which engine a URL selects, or null for a URL that names neither. */
export function engineOf(url: string): Engine | null {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  return null;
}

/** Opens (creating if needed) the database a URL names and brings its schema up to date. */
export async function openStorage(url: string, options: StorageOptions = {}): Promise<Storage> {
  const engine = engineOf(url);
  if (engine === null) throw new Error(`DATABASE_URL must start with sqlite: or postgres://, got ${JSON.stringify(redactUrl(url))}`);
  const { kysely, client } = engine === 'sqlite' ? openSqlite(url, options) : openPostgres(url, options);
  const storage: Storage = { kysely, engine, client, close: () => kysely.destroy() };
  if (options.migrate !== false) {
    try {
      await migrateToLatest(storage.kysely, engine);
    } catch (error) {
      await storage.close();
      throw error;
    }
  }
  return storage;
}

/** Drops any password from a URL so it can appear in an error message or log line. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

/** Path of the SQLite file a `sqlite:` URL names (`sqlite:./x.db`, `sqlite:///abs/x.db`, `sqlite::memory:`). */
function sqlitePath(url: string): string {
  const rest = url.slice('sqlite:'.length);
  if (rest === ':memory:') return rest;
  return resolve(rest.startsWith('//') ? rest.slice(2) : rest);
}

/** SQLite through better-sqlite3, tuned for several processes sharing one file. */
function openSqlite(url: string, options: StorageOptions): { kysely: Kysely<Database>; client: StorageClient } {
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
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(db) }) });
  return { kysely, client: { engine: 'sqlite', database: db } };
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
function openPostgres(url: string, options: StorageOptions): { kysely: Kysely<Database>; client: StorageClient } {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  return { kysely: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), client: { engine: 'postgres', pool } };
}
