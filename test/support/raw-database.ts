/**
 * An empty database on either engine, reached with the driver itself rather than through Sesame: for suites that set
 * up what a host application already has (its own tables), apply SQL text, or compare the schema two ways of
 * migrating leave behind.
 * @module
 */
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { Engine } from '../../src/kernel/database/storage.js';
import { createPostgresSchema } from './engines.js';
import { makeTempDir } from './temp.js';

/** One table's or index's place in a schema, engine-neutral enough to compare two databases of one engine. */
export type SchemaEntry = Readonly<Record<string, unknown>>;

/** An empty database and direct access to it. */
export interface RawDatabase {
  /** Which engine. */
  readonly engine: Engine;
  /** Its `DATABASE_URL` (a SQLite file, or a PostgreSQL schema through `search_path`). */
  readonly url: string;
  /** Runs statements in order, in one transaction. */
  run(statements: readonly string[]): Promise<void>;
  /** The rows one query returns. */
  rows<Row>(statement: string): Promise<Row[]>;
  /** Names of the tables in it, sorted. */
  tables(): Promise<string[]>;
  /** Names of the indexes in it (the engine's automatic ones included), sorted. */
  indexes(): Promise<string[]>;
  /** Every table's columns, index and constraint, as comparable rows (schema names taken out). */
  schema(): Promise<SchemaEntry[]>;
  /** Removes it. */
  drop(): Promise<void>;
}

/** A fresh, empty database on the engine: a SQLite file in a temp dir, or a PostgreSQL schema of its own. */
export async function emptyDatabase(engine: Engine, label = 'raw'): Promise<RawDatabase> {
  return engine === 'sqlite' ? emptySqlite(label) : emptyPostgres(label);
}

/** SQLite: each call opens the file briefly, so it never holds a lock Sesame's own connection would wait on. */
function emptySqlite(label: string): RawDatabase {
  const dir = makeTempDir(label);
  const path = join(dir.path, 'host.db');
  const using = <T>(work: (db: SqliteDatabase.Database) => T): Promise<T> => {
    const db = new SqliteDatabase(path);
    try {
      return Promise.resolve(work(db));
    } finally {
      db.close();
    }
  };
  return {
    engine: 'sqlite',
    url: `sqlite:${path}`,
    run: (statements) => using((db) => db.transaction(() => statements.forEach((statement) => db.exec(statement)))()),
    rows: <Row>(statement: string) => using((db) => db.prepare(statement).all() as Row[]),
    tables: () =>
      using((db) =>
        (db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").all() as Array<{ name: string }>).map((r) => r.name),
      ),
    indexes: () => using((db) => (db.prepare("select name from sqlite_master where type = 'index' order by name").all() as Array<{ name: string }>).map((r) => r.name)),
    schema: () => using((db) => db.prepare("select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_%' order by type, name").all() as SchemaEntry[]),
    drop: () => {
      dir.remove();
      return Promise.resolve();
    },
  };
}

/** PostgreSQL: a schema of its own in the test database, reached with one short-lived client per call. */
async function emptyPostgres(label: string): Promise<RawDatabase> {
  const { url, drop } = await createPostgresSchema(label);
  const using = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  const rows = <Row>(statement: string): Promise<Row[]> => using(async (client) => (await client.query(statement)).rows as Row[]);
  return {
    engine: 'postgres',
    url,
    run: (statements) =>
      using(async (client) => {
        await client.query('begin');
        try {
          for (const statement of statements) await client.query(statement);
          await client.query('commit');
        } catch (error) {
          await client.query('rollback');
          throw error;
        }
      }),
    rows,
    tables: async () =>
      (await rows<{ name: string }>('select table_name as name from information_schema.tables where table_schema = current_schema() order by table_name')).map((r) => r.name),
    indexes: async () => (await rows<{ name: string }>('select indexname as name from pg_indexes where schemaname = current_schema() order by indexname')).map((r) => r.name),
    schema: async () => [
      ...(await rows<SchemaEntry>(
        `select table_name, column_name, data_type, character_maximum_length, is_nullable, column_default, is_identity
         from information_schema.columns where table_schema = current_schema() order by table_name, ordinal_position`,
      )),
      ...(await rows<SchemaEntry>(
        `select tablename, indexname, replace(indexdef, current_schema() || '.', '') as indexdef
         from pg_indexes where schemaname = current_schema() order by indexname`,
      )),
      ...(await rows<SchemaEntry>(
        `select conrelid::regclass::text as table_name, conname, contype, replace(pg_get_constraintdef(oid), current_schema() || '.', '') as definition
         from pg_constraint where connamespace = current_schema()::regnamespace order by conname`,
      )),
    ],
    drop,
  };
}
