/**
 * Accounts whose stored email fails today's address rule: rows written before the rule (see `isAcceptedEmail`),
 * which `sesame config check` lists for the operator. Nothing here rewrites a row: which mailbox such a string meant
 * is for a person to decide.
 * @module
 */
import type { Executor } from '../../kernel/database/tables.js';
import { isAcceptedEmail } from './email.js';

/** An account and the stored email that is not an address by today's rule. */
export interface NonConformingEmail {
  readonly id: number;
  readonly email: string;
}

/** Every account whose stored email fails {@link isAcceptedEmail}, by id, read a page at a time. */
export async function nonConformingEmails(db: Executor, pageSize = 1000): Promise<NonConformingEmail[]> {
  const found: NonConformingEmail[] = [];
  for (let after = 0; ; ) {
    const page = await db.selectFrom('users').select(['id', 'email']).where('id', '>', after).orderBy('id').limit(pageSize).execute();
    for (const row of page) if (!isAcceptedEmail(row.email)) found.push({ id: row.id, email: row.email });
    const last = page.at(-1);
    if (last === undefined || page.length < pageSize) return found;
    after = last.id;
  }
}
