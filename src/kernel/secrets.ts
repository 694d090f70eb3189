/**
 * The server secret (`SECRET_KEY`) and the keys derived from it. One secret of at least 32 random bytes; every keyed
 * use derives its own key by purpose with HKDF, so the audit log's email pseudonyms, later form tokens and webhook
 * signatures never share a key, and one leaking reveals nothing of the others.
 * @module
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { defineConfig } from './config/fragment.js';
import type { SesameTables } from './database/tables.js';
import type { MigrationSet } from './database/migrator.js';

declare module './database/tables.js' {
  /** The kernel's own table. */
  interface SesameTables {
    /** Secrets the kernel generated for itself (development only: production is given `SECRET_KEY`). */
    sesame_secrets: SecretsTable;
  }
}

/** Column types of `sesame_secrets`. */
export interface SecretsTable {
  /** Which secret (`secret_key`). */
  name: string;
  /** Its value, base64. */
  value: string;
  /** When it was generated, in epoch ms. */
  created_at: number;
}

/** Fewest bytes a server secret may have. */
export const MIN_SECRET_BYTES = 32;

/** The server secret; it only ever leaves this object as a derived key. */
export class SecretKey {
  readonly #key: Buffer;
  readonly #derived = new Map<string, Buffer>();

  /** Wraps raw key bytes (at least {@link MIN_SECRET_BYTES}). */
  constructor(key: Buffer) {
    if (key.length < MIN_SECRET_BYTES) throw new Error(`a secret key needs at least ${MIN_SECRET_BYTES} bytes`);
    this.#key = Buffer.from(key);
  }

  /** A fresh key from the CSPRNG. */
  static generate(): SecretKey {
    return new SecretKey(randomBytes(MIN_SECRET_BYTES));
  }

  /**
   * Reads a key written as hex (64 or more hex digits) or base64 / base64url; null when it is neither or decodes to
   * fewer than {@link MIN_SECRET_BYTES} bytes.
   */
  static parse(text: string): SecretKey | null {
    const value = text.trim();
    const bytes = /^(?:[0-9a-fA-F]{2})+$/.test(value)
      ? Buffer.from(value, 'hex')
      : /^[A-Za-z0-9+/_-]+={0,2}$/.test(value)
        ? Buffer.from(value.replaceAll('-', '+').replaceAll('_', '/'), 'base64')
        : null;
    return bytes !== null && bytes.length >= MIN_SECRET_BYTES ? new SecretKey(bytes) : null;
  }

  /** The key for one purpose (`audit-pseudonym`): HKDF-SHA-256 of the secret, the same for the same purpose. */
  derive(purpose: string, length = 32): Buffer {
    const cacheKey = `${purpose}:${length}`;
    let key = this.#derived.get(cacheKey);
    if (key === undefined) {
      key = Buffer.from(hkdfSync('sha256', this.#key, 'sesame', purpose, length));
      this.#derived.set(cacheKey, key);
    }
    return key;
  }

  /** HMAC-SHA-256 (hex) of a value under the key of a purpose: a stable pseudonym that needs the secret to compute. */
  mac(purpose: string, value: string): string {
    return createHmac('sha256', this.derive(purpose)).update(value, 'utf8').digest('hex');
  }

  /** The key as base64, for storing a generated development key; never logged. */
  toBase64(): string {
    return this.#key.toString('base64');
  }

  /** Keeps the key out of logs and JSON: a key that reaches a log line is only ever this placeholder. */
  toJSON(): string {
    return '[secret key]';
  }
}

/** `SECRET_KEY`: required in production; development generates one and keeps it in the database. */
export const secretsConfig = defineConfig({
  env: {
    SECRET_KEY: z
      .string()
      .optional()
      .transform((text, ctx) => {
        if (text === undefined) return undefined;
        const key = SecretKey.parse(text);
        if (key === null) {
          ctx.addIssue({
            code: 'custom',
            message: `SECRET_KEY must be at least ${MIN_SECRET_BYTES} random bytes in hex or base64 (e.g. the output of: openssl rand -base64 32)`,
          });
          return z.NEVER;
        }
        return key;
      }),
  },
  build: (env): { readonly key: SecretKey | undefined } => ({ key: env.SECRET_KEY }),
  refuseInProduction: (secrets) =>
    secrets.key === undefined
      ? ['set SECRET_KEY (openssl rand -base64 32): without it the keys derived from it (audit pseudonyms, later signed links) would be generated per database, not managed by you']
      : [],
});

/** The kernel's migration: the table a development key is kept in. */
export const kernelMigrations: MigrationSet = () => ({
  '0005_kernel_secrets': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('sesame_secrets')
        .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('sesame_secrets').execute();
    },
  },
});

/**
 * The configured key, or in development the one kept in the database, generated on first start. Several processes
 * starting at once all end up with the one that was inserted first (insert-if-absent, then read back).
 *
 * With `generate: false` (a caller that must write nothing: the CLI's read-only commands) a missing key is not
 * generated and kept; a throwaway one stands in (`kept: false`) and is never stored, so it leaves no trace and nothing
 * derived from it can outlive the process. Such a caller only reads rows, none of which depends on the key.
 */
export async function loadSecretKey(
  db: Kysely<SesameTables>,
  configured: SecretKey | undefined,
  now: number,
  options: { readonly generate?: boolean } = {},
): Promise<{ readonly key: SecretKey; readonly generated: boolean; readonly kept: boolean }> {
  if (configured !== undefined) return { key: configured, generated: false, kept: true };
  const stored = async (): Promise<string | undefined> =>
    (await db.selectFrom('sesame_secrets').select('value').where('name', '=', 'secret_key').executeTakeFirst())?.value;
  let value = await stored();
  if (value === undefined && options.generate === false) return { key: SecretKey.generate(), generated: false, kept: false };
  const generated = value === undefined;
  if (value === undefined) {
    await db
      .insertInto('sesame_secrets')
      .values({ name: 'secret_key', value: SecretKey.generate().toBase64(), created_at: now })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute();
    value = await stored();
  }
  const key = value === undefined ? null : SecretKey.parse(value);
  if (key === null) throw new Error('the secret key stored in sesame_secrets is unreadable: set SECRET_KEY, or delete the row to generate another');
  return { key, generated, kept: true };
}
