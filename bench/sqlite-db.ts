/**
 * The bench database on SQLite: a fresh file, bulk seeding through one prepared statement per table inside transactions, and EXPLAIN QUERY PLAN.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import { captureHotQueries } from './capture-sql.js';
import { seededEmail, type BenchDatabase, type PlanReport } from './database.js';

/** Rows per transaction: large enough to amortise the commit, small enough to keep the WAL modest. */
const BATCH = 50_000;

/** Session lifetime of the seeded sessions (seven days, the service default). */
const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

/** Opens (creates) `<name>.db` in the temp directory; the caller migrates it. */
export function openSqliteBench(tempDir: string, name: string): BenchDatabase {
  const path = join(tempDir, `${name}.db`);
  let seeded = 0;
  return {
    url: `sqlite:${path}`,
    get seeded() {
      return seeded;
    },
    seedTo(total, hashedPassword) {
      const db = new SqliteDatabase(path);
      try {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = OFF');
        const insertUser = db.prepare('INSERT INTO users (email, hashed_password, created_at, updated_at) VALUES (?, ?, ?, ?)');
        const insertSession = db.prepare('INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)');
        const insertBatch = db.transaction((from: number, to: number) => {
          const now = Date.now();
          const random = randomBytes(32 * (to - from));
          for (let n = from; n < to; n += 1) {
            const { lastInsertRowid } = insertUser.run(seededEmail(n), hashedPassword, now, now);
            const offset = 32 * (n - from);
            insertSession.run(random.toString('hex', offset, offset + 32), lastInsertRowid, now, now + SESSION_TTL_MS);
          }
        });
        for (let from = seeded + 1; from <= total; from += BATCH) insertBatch(from, Math.min(total + 1, from + BATCH));
        db.pragma('wal_checkpoint(TRUNCATE)');
        seeded = Math.max(seeded, total);
      } finally {
        db.close();
      }
      return Promise.resolve();
    },
    async explain(): Promise<PlanReport[]> {
      const queries = await captureHotQueries(new SqliteDialect({ database: new SqliteDatabase(path, { readonly: true }) }), 'sqlite', seededEmail(1));
      const db = new SqliteDatabase(path, { readonly: true });
      try {
        return queries.map(({ query, sql, parameters }) => {
          const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as Array<{ detail: string }>;
          return { query, sql, plan: rows.map((row) => row.detail) };
        });
      } finally {
        db.close();
      }
    },
    drop() {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
      return Promise.resolve();
    },
  };
}
