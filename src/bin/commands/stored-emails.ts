/**
 * The part of `sesame config check` that looks at the data: accounts whose stored email is not an address by
 * today's rule (written before it), listed so an operator can sort them out; nothing is rewritten. It reads only:
 * a database that is missing, unreachable or not migrated is reported as not checked, never created or changed.
 * @module
 */
import type { Config } from '../../config.js';
import { nonConformingEmails, type NonConformingEmail } from '../../modules/users/index.js';
import { openForReading } from './database.js';

/** What the check found: the accounts, or why it could not look. */
export type StoredEmailReport = { readonly checked: true; readonly invalid: readonly NonConformingEmail[] } | { readonly checked: false; readonly reason: string };

/** Lists the accounts whose stored email fails the address rule, if the configured database can be read as it is. */
export async function storedEmailReport({ database }: Config): Promise<StoredEmailReport> {
  let storage;
  try {
    // The read-only commands' opener: a read-only connection, no migration, no file or secret created. One try only:
    // a check of the settings must answer at once, not wait DATABASE_STARTUP_WAIT for a database that is not there.
    storage = await openForReading({ ...database, startupWaitMs: 0 });
  } catch (error) {
    return { checked: false, reason: error instanceof Error ? error.message : String(error) };
  }
  try {
    return { checked: true, invalid: await nonConformingEmails(storage.kysely) };
  } finally {
    await storage.close();
  }
}

/** The report as lines for a person; emails JSON-quoted, so an odd stored string cannot garble the terminal. */
export function describeStoredEmails(report: StoredEmailReport): string {
  if (!report.checked) return `stored emails not checked: ${report.reason}`;
  if (report.invalid.length === 0) return 'every stored email is an address Sesame accepts';
  return [
    `${report.invalid.length} stored email(s) are not addresses Sesame accepts today (written before the rule; nothing was changed):`,
    ...report.invalid.map((row) => `  account ${row.id}  ${JSON.stringify(row.email)}`),
  ].join('\n');
}
