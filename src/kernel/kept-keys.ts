/**
 * Keys Sesame keeps in the database, sealed under the keyring, because they must outlive a rotation of `SECRET_KEY`:
 * today only the audit log's pseudonym key (see `modules/audit/audit-log.ts` for why it must not rotate). A kept key
 * is stored in `sesame_secrets` as a sealed value naming the secret it was sealed under, so a copy of the database
 * alone does not reveal it, a previous key still opens it after a rotation, and `sesame secret-key rewrap` re-seals it
 * under the new one, after which the previous key is no longer needed for it.
 * @module
 */
import type { Kysely } from 'kysely';
import type { SesameTables } from './database/tables.js';
import { keyringSealer, type Sealer, UnknownSealingKeyError } from './sealing.js';
import type { SecretKeyring } from './secrets.js';

/** The purpose the kept keys' sealing key is derived under. */
export const KEPT_KEY_PURPOSE = 'kept-keys';

/** The sealer of kept keys under a keyring. */
function sealerOf(keys: SecretKeyring): Sealer {
  return keyringSealer(keys.derive(KEPT_KEY_PURPOSE), 'the kept-keys key');
}

/**
 * The kept key `name`: read and opened when stored; otherwise `initial` (the key in use before it was kept, so
 * keeping it changes nothing), stored sealed when `write` (insert-if-absent then read back, so processes starting
 * together agree). A caller that writes nothing (the CLI's read-only commands) gets `initial` without storing it.
 * A stored key no configured secret opens stops start-up with a message naming the key id and the remedy: going on
 * with another key would silently break what the kept key was kept for.
 */
export async function loadKeptKey(
  db: Kysely<SesameTables>,
  keys: SecretKeyring,
  name: string,
  initial: () => Buffer,
  now: number,
  options: { readonly write: boolean },
): Promise<Buffer> {
  const sealer = sealerOf(keys);
  const stored = async (): Promise<string | undefined> => (await db.selectFrom('sesame_secrets').select('value').where('name', '=', name).executeTakeFirst())?.value;
  let value = await stored();
  if (value === undefined) {
    if (!options.write) return initial();
    await db
      .insertInto('sesame_secrets')
      .values({ name, value: sealer.seal(initial().toString('base64')), created_at: now })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute();
    value = await stored();
    if (value === undefined) throw new Error(`sesame_secrets lost the row ${name} it just wrote`);
  }
  try {
    return Buffer.from(sealer.open(value), 'base64');
  } catch (error) {
    if (error instanceof UnknownSealingKeyError) throw new Error(`the ${name} kept in sesame_secrets: ${error.message}`);
    throw error;
  }
}

/** What {@link rewrapKeptKeys} did: how many kept keys it re-sealed, and the names of those no configured secret opens. */
export interface KeptKeysRewrap {
  /** Kept keys re-sealed under the current secret now. */
  readonly rewrapped: number;
  /** Names of kept keys sealed under a secret that is not configured (left as they are). */
  readonly unopenable: readonly string[];
}

/** Re-seals under the current secret every kept key sealed under another; each row only if unchanged since read. */
export async function rewrapKeptKeys(db: Kysely<SesameTables>, keys: SecretKeyring): Promise<KeptKeysRewrap> {
  const sealer = sealerOf(keys);
  const current = sealer.currentPrefix ?? '';
  const rows = await db.selectFrom('sesame_secrets').select(['name', 'value']).where('value', 'like', 'sealed:%').where('value', 'not like', `${current}%`).execute();
  let rewrapped = 0;
  const unopenable: string[] = [];
  for (const row of rows) {
    let opened: string;
    try {
      opened = sealer.open(row.value);
    } catch (error) {
      if (!(error instanceof UnknownSealingKeyError)) throw error;
      unopenable.push(row.name);
      continue;
    }
    const result = await db.updateTable('sesame_secrets').set({ value: sealer.seal(opened) }).where('name', '=', row.name).where('value', '=', row.value).executeTakeFirst();
    rewrapped += Number(result.numUpdatedRows);
  }
  return { rewrapped, unopenable };
}

/** The kept keys by the secret they are sealed under: key id to the names sealed under it (`v1` for none named). */
export async function keptKeysByKey(db: Kysely<SesameTables>): Promise<Readonly<Record<string, readonly string[]>>> {
  const rows = await db.selectFrom('sesame_secrets').select(['name', 'value']).where('value', 'like', 'sealed:%').orderBy('name').execute();
  const byKey: Record<string, string[]> = {};
  for (const row of rows) {
    const id = /^sealed:v2:([0-9a-f]{8}):/.exec(row.value)?.[1] ?? 'v1';
    (byKey[id] ??= []).push(row.name);
  }
  return byKey;
}
