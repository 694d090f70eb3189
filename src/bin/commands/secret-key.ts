/**
 * `sesame secret-key generate` and `sesame secret-key rewrap`, and the look at the data `sesame config check` gives
 * of the keyring: what an operator needs to rotate `SECRET_KEY` without losing mail or signing anyone out (README,
 * "Rotating the secret key"). `generate` prints a fresh key; `rewrap` re-seals what previous keys sealed under the
 * current one, in batches, safe to run again or while servers run; the report says which previous key is still
 * needed, which no longer is, and which sealed data no configured key opens.
 * @module
 */
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { SesameTables } from '../../kernel/database/tables.js';
import { keptKeysByKey, rewrapKeptKeys } from '../../kernel/kept-keys.js';
import { loadSecretKey, SecretKey } from '../../kernel/secrets.js';
import { KyselyMailOutboxStore, type RewrapBatch } from '../../modules/mail/index.js';
import { KyselyVerificationStore } from '../../modules/verification/index.js';
import { openForReading } from './database.js';
import { snakeKeys } from '../../kernel/json-style.js';
import { CommandError, EXIT, withSesame, type Output } from './io.js';

/** Prints a fresh key in the form `SECRET_KEY` and `SECRET_KEYS_PREVIOUS` take: 32 bytes from the CSPRNG, base64. */
export function generateSecretKey(out: Output): void {
  const key = SecretKey.generate();
  // stdout is the key alone, for `SECRET_KEY=$(sesame secret-key generate)`; its id lets the operator tell keys apart.
  out.result({ key: key.toBase64(), id: key.id }, ({ key: text }) => text);
}

/** How many rows {@link rewrapSecretKey} re-seals per batch unless told otherwise. */
export const DEFAULT_REWRAP_BATCH = 500;

/**
 * Re-seals under the current `SECRET_KEY` every outbox body and kept key sealed under a previous one (or before key
 * ids), `batchSize` outbox rows at a time. Exit 1 when some data opens with no configured key, naming the key ids.
 */
export async function rewrapSecretKey(out: Output, batchSize: number): Promise<void> {
  const result = await withSesame(async (sesame) => {
    const batches: RewrapBatch[] = [];
    const outbox = await sesame.mail.rewrap(batchSize, (batch) => batches.push(batch));
    const kept = await rewrapKeptKeys(sesame.storage.kysely, sesame.keys);
    return {
      key: sesame.keys.current.id,
      outboxBodies: outbox.rewrapped,
      batches: batches.filter((batch) => batch.found > 0).length,
      keptKeys: kept.rewrapped,
      unopenable: { outbox: outbox.unopenable, keptKeys: kept.unopenable },
    };
  }, 'read-write');
  // `--json` in the one style of every command's output (snake_case keys).
  out.result(snakeKeys(result), () =>
    [
      `re-sealed under key ${result.key}: ${result.outboxBodies} outbox message(s) in ${result.batches} batch(es), ${result.keptKeys} kept key(s)`,
      'run sesame config check to see which previous key is still needed',
    ].join('\n'),
  );
  const lost = [...new Set([...result.unopenable.outbox.map((row) => row.keyId ?? 'from before key ids'), ...(result.unopenable.keptKeys.length > 0 ? ['(kept keys)'] : [])])];
  if (lost.length > 0) {
    throw new CommandError(
      `${result.unopenable.outbox.length} outbox message(s) and ${result.unopenable.keptKeys.length} kept key(s) open with no configured key (${lost.join(', ')}): ` +
        'add the key they were sealed under to SECRET_KEYS_PREVIOUS and run sesame secret-key rewrap again',
      EXIT.failed,
    );
  }
}

/** One key as the report sees it: what is still sealed under it. */
export interface KeyUse {
  /** The key's id (`SecretKey.id`). */
  readonly id: string;
  /** Outbox messages whose bodies are sealed under it. */
  readonly outboxBodies: number;
  /** Kept keys (`sesame_secrets`) sealed under it. */
  readonly keptKeys: readonly string[];
}

/** What the data says of the keyring: see {@link keyReport}. */
export type KeyReport =
  | {
      readonly checked: true;
      /** The current key's id, or undefined in development before a key was generated. */
      readonly current: string | undefined;
      /** Each previous key, and whether sealed data still needs it. */
      readonly previous: readonly (KeyUse & { readonly needed: boolean })[];
      /** Data sealed under keys that are not configured: it opens with none until the key is added back. */
      readonly unknown: readonly KeyUse[];
      /** Outbox messages sealed before key ids (under whichever key was current then; `rewrap` moves them). */
      readonly beforeKeyIds: number;
      /** When the last live mailed code expires (epoch ms): codes mailed before a rotation work until then under a previous key. */
      readonly codesLiveUntil: number | undefined;
    }
  | { readonly checked: false; readonly reason: string };

/**
 * Reads which key seals what, on the read-only opener (nothing created, migrated or written): outbox bodies and kept
 * keys by key id, and when the last live code expires. A database that cannot be read as it is is reported as not
 * checked.
 */
export async function keyReport(config: Config, now: number = Date.now()): Promise<KeyReport> {
  let storage;
  try {
    storage = await openForReading({ ...config.database, startupWaitMs: 0 });
  } catch (error) {
    return { checked: false, reason: error instanceof Error ? error.message : String(error) };
  }
  try {
    return await reportOn(storage.kysely, config, now);
  } finally {
    await storage.close();
  }
}

/** {@link keyReport} on an open database. */
async function reportOn(db: Kysely<SesameTables>, config: Config, now: number): Promise<KeyReport> {
  const loaded = await loadSecretKey(db, config.secrets.key, now, { generate: false });
  const current = loaded.kept ? loaded.key.id : undefined;
  const bodies = await new KyselyMailOutboxStore(db).bodiesByKey();
  const kept = await keptKeysByKey(db);
  const use = (id: string): KeyUse => ({ id, outboxBodies: bodies[id] ?? 0, keptKeys: kept[id] ?? [] });
  const beforeKeyIds = (bodies['v1'] ?? 0) + (kept['v1']?.length ?? 0);
  const configured = new Set([current, ...config.secrets.previousKeys.map((key) => key.id)]);
  const sealedUnder = new Set([...Object.keys(bodies), ...Object.keys(kept)].filter((id) => /^[0-9a-f]{8}$/.test(id)));
  return {
    checked: true,
    current,
    previous: config.secrets.previousKeys.map((key) => {
      const found = use(key.id);
      // Data sealed before key ids may be under a previous key (a rotation before the rewrap): needed until rewrapped.
      return { ...found, needed: found.outboxBodies > 0 || found.keptKeys.length > 0 || beforeKeyIds > 0 };
    }),
    unknown: [...sealedUnder].filter((id) => !configured.has(id)).map(use),
    beforeKeyIds,
    codesLiveUntil: await new KyselyVerificationStore(db).lastCodeExpiry(now),
  };
}

/** What a key still seals, in words. */
function sealedWords(use: KeyUse): string {
  const parts = [...(use.outboxBodies > 0 ? [`${use.outboxBodies} outbox message(s)`] : []), ...use.keptKeys.map((name) => `the kept ${name}`)];
  return parts.join(' and ');
}

/** The problems of a report: data sealed under a key that is not configured (config check exits 2 on them). */
export function keyProblems(report: KeyReport): string[] {
  if (!report.checked) return [];
  return report.unknown.map(
    (use) =>
      `${sealedWords(use)} ${use.outboxBodies + use.keptKeys.length === 1 ? 'is' : 'are'} sealed under key ${use.id}, which is neither SECRET_KEY nor in SECRET_KEYS_PREVIOUS: ` +
      'add that key to SECRET_KEYS_PREVIOUS (a wrong or dropped previous key), then run sesame secret-key rewrap',
  );
}

/** The report as lines for a person: each previous key, still needed or not and why, and any problem. */
export function describeKeys(report: KeyReport): string {
  if (!report.checked) return `secret keys not checked: ${report.reason}`;
  const lines: string[] = [];
  const until = report.codesLiveUntil === undefined ? undefined : new Date(report.codesLiveUntil).toISOString();
  for (const key of report.previous) {
    if (key.needed) {
      const what = sealedWords(key) || `${report.beforeKeyIds} value(s) sealed before key ids`;
      lines.push(`warning: previous key ${key.id} is still needed: ${what} sealed under it; run sesame secret-key rewrap`);
    } else {
      lines.push(
        `previous key ${key.id} is no longer needed for sealed data; ` +
          (until === undefined ? 'no mailed code is live, ' : `codes mailed before the rotation work until ${until}, `) +
          'page forms opened before it for an hour, and webhook calls carry its signature too: drop it from SECRET_KEYS_PREVIOUS once those have passed and receivers have the new secret (sesame webhook secret)',
      );
    }
  }
  if (report.previous.length === 0 && report.unknown.length === 0) lines.push(`secret key ${report.current ?? '(none yet)'}: no previous key configured, none needed`);
  lines.push(...keyProblems(report).map((problem) => `problem: ${problem}`));
  return lines.join('\n');
}
