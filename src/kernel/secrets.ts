/**
 * The server secret (`SECRET_KEY`) and the keys derived from it. One secret of at least 32 random bytes; every keyed
 * use derives its own key by purpose with HKDF, so the audit log's email pseudonyms, form tokens and webhook
 * signatures never share a key, and one leaking reveals nothing of the others.
 *
 * The secret can be rotated without losing data or signing anyone out: `SECRET_KEYS_PREVIOUS` lists the keys it
 * replaced, and the {@link SecretKeyring} writes with the current key while still reading what the previous ones made.
 * What is sealed records the {@link SecretKey.id} of its key, so a reader picks the right one.
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

/** The message every refusal of a key's format gives: the accepted forms, and how to make one. */
const KEY_FORMAT = `at least ${MIN_SECRET_BYTES} random bytes in hex or base64 (e.g. the output of: sesame secret-key generate, or openssl rand -base64 32)`;

/** The server secret; it only ever leaves this object as a derived key. */
export class SecretKey {
  readonly #key: Buffer;
  readonly #derived = new Map<string, Buffer>();
  /**
   * The key's id: the first 8 hex digits of HMAC-SHA-256(key, 'sesame key id'). Sealed data records it so a reader
   * knows which key opens it; being a MAC of a fixed text, it says nothing of the key (it cannot be reversed, and
   * 32 bits could not be searched towards a 256-bit key anyway), so it may appear in the database and in messages.
   */
  readonly id: string;

  /** Wraps raw key bytes (at least {@link MIN_SECRET_BYTES}). */
  constructor(key: Buffer) {
    if (key.length < MIN_SECRET_BYTES) throw new Error(`a secret key needs at least ${MIN_SECRET_BYTES} bytes`);
    this.#key = Buffer.from(key);
    this.id = createHmac('sha256', this.#key).update('sesame key id', 'utf8').digest('hex').slice(0, 8);
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

/** A key derived for one purpose, with the id of the secret it came from (what sealed data records). */
export interface KeyedBytes {
  /** The {@link SecretKey.id} of the secret it was derived from. */
  readonly id: string;
  /** The derived key. */
  readonly key: Buffer;
}

/**
 * The current secret and the previous ones still accepted (`SECRET_KEY`, then `SECRET_KEYS_PREVIOUS` in order): every
 * write uses the current key; a reader uses the key sealed data names, or, for what cannot name one (a code's hash, a
 * form token, a pseudonym), tries the current key first, then the previous ones. That is what lets the secret be
 * replaced while sealed mail, mailed codes and open forms made under the old one keep working.
 */
export class SecretKeyring {
  /** The key every new seal, hash and signature is made with. */
  readonly current: SecretKey;
  /** Keys that are read but never written with, newest first. */
  readonly previous: readonly SecretKey[];

  /** Takes the current key and the previous ones; a previous key equal to the current one or to another is dropped. */
  constructor(current: SecretKey, previous: readonly SecretKey[] = []) {
    this.current = current;
    const kept: SecretKey[] = [];
    for (const key of previous) if (key.id !== current.id && !kept.some((other) => other.id === key.id)) kept.push(key);
    this.previous = kept;
  }

  /** Every key, the current one first. */
  get all(): readonly SecretKey[] {
    return [this.current, ...this.previous];
  }

  /** The key with this id, current or previous, or undefined when neither is configured. */
  byId(id: string): SecretKey | undefined {
    return this.all.find((key) => key.id === id);
  }

  /** The key of one purpose under every secret, the current one first (see {@link SecretKey.derive}). */
  derive(purpose: string, length = 32): readonly KeyedBytes[] {
    return this.all.map((key) => ({ id: key.id, key: key.derive(purpose, length) }));
  }

  /** The MAC of a value under every secret, the current one first (see {@link SecretKey.mac}): a reader accepts any. */
  macs(purpose: string, value: string): readonly string[] {
    return this.all.map((key) => key.mac(purpose, value));
  }

  /** Keeps the keys out of logs and JSON, as {@link SecretKey.toJSON} does. */
  toJSON(): string {
    return `[secret keyring: ${this.current.id}${this.previous.map((key) => `, ${key.id}`).join('')}]`;
  }
}

/** A comma-separated list of keys (`SECRET_KEYS_PREVIOUS`): each as {@link SecretKey.parse} reads one, blanks skipped. */
function parseKeyList(text: string): { readonly keys: readonly SecretKey[]; readonly bad: readonly number[] } {
  const keys: SecretKey[] = [];
  const bad: number[] = [];
  text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .forEach((part, index) => {
      const key = SecretKey.parse(part);
      if (key === null) bad.push(index + 1);
      else keys.push(key);
    });
  return { keys, bad };
}

/**
 * `SECRET_KEY`: required in production; development generates one and keeps it in the database.
 * `SECRET_KEYS_PREVIOUS`: the keys it replaced, still read (never written with) until `sesame secret-key rewrap` has
 * moved what they sealed and what they signed has expired. Each is refused, naming the setting and its place in the
 * list, when it is not a key or is the current key (a typo that would otherwise look like a finished rotation).
 */
export const secretsConfig = defineConfig({
  env: {
    SECRET_KEY: z
      .string()
      .optional()
      .transform((text, ctx) => {
        if (text === undefined) return undefined;
        const key = SecretKey.parse(text);
        if (key === null) {
          ctx.addIssue({ code: 'custom', message: `SECRET_KEY must be ${KEY_FORMAT}` });
          return z.NEVER;
        }
        return key;
      }),
    SECRET_KEYS_PREVIOUS: z
      .string()
      .optional()
      .transform((text, ctx) => {
        if (text === undefined) return [];
        const { keys, bad } = parseKeyList(text);
        for (const place of bad) {
          ctx.addIssue({ code: 'custom', message: `SECRET_KEYS_PREVIOUS: key ${place} of the list is not a key: each must be ${KEY_FORMAT}` });
        }
        return bad.length > 0 ? z.NEVER : keys;
      }),
  },
  build: (env): { readonly key: SecretKey | undefined; readonly previousKeys: readonly SecretKey[] } => ({ key: env.SECRET_KEY, previousKeys: env.SECRET_KEYS_PREVIOUS }),
  check: (secrets) => {
    const problems: string[] = [];
    if (secrets.previousKeys.length > 0 && secrets.key === undefined) {
      problems.push('SECRET_KEYS_PREVIOUS is set without SECRET_KEY: previous keys only make sense beside the current key that replaced them');
    }
    secrets.previousKeys.forEach((key, index) => {
      if (key.id === secrets.key?.id) {
        problems.push(`SECRET_KEYS_PREVIOUS: key ${index + 1} of the list is SECRET_KEY itself: list only the keys SECRET_KEY replaced`);
      } else if (secrets.previousKeys.findIndex((other) => other.id === key.id) < index) {
        problems.push(`SECRET_KEYS_PREVIOUS: key ${index + 1} of the list repeats an earlier one`);
      }
    });
    return problems;
  },
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
