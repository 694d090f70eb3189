/**
 * `sesame audit tail`: the newest account events from the audit log, filtered by account and type, and with
 * `--follow` every new one as it is written (polling the table once a second: it works the same on both engines and
 * across every process that writes to it). With `--json` each event is the admin API's (`GET /admin/events`), one per
 * line; without, one aligned line per event.
 * @module
 */
import { AUDITED_EVENT_TYPES, destinationOf } from '../../event-types.js';
import type { Sesame } from '../../sesame.js';
import { auditEventJson } from '../../surfaces/admin/json.js';
import { EXIT, CommandError, withSesame, type Output } from './io.js';
import { cell, facts } from './text.js';

/** What `audit tail` was asked for. */
export interface AuditTailOptions {
  /** An account's email or numeric id. */
  readonly user?: string;
  /** Only events of this type (e.g. `session.logged_in`). */
  readonly type?: string;
  /** How many of the newest events to print first (default 20). */
  readonly limit: number;
  /** Keep printing new events until interrupted (or until `followForMs` when set, for tests). */
  readonly follow: boolean;
  /** Stop following after this long (tests and scripted checks). */
  readonly followForMs?: number;
}

/** The account id an email or id names (the accounts service's own lookup), or a not-found error. */
async function accountId(sesame: Sesame, user: string): Promise<number> {
  const found = await sesame.accounts.find(user);
  if (found === undefined) throw new CommandError(`no account ${JSON.stringify(user)}`, EXIT.notFound);
  return found.id;
}

/** The widest type the log holds: the type column is this wide on every line, so a followed tail stays aligned. */
const TYPE_WIDTH = Math.max(...AUDITED_EVENT_TYPES.map((type) => type.length));

/**
 * One event as a line: time, type, account, actor, request, address and the detail's facts as `key=value`. The
 * columns whose width is known (time, type, account) are padded to it; a tail is printed as it comes, so the rest
 * cannot be measured first.
 */
function line(event: ReturnType<typeof auditEventJson>): string {
  const who = event.user_id === null ? '-' : `user ${event.user_id}`;
  return [event.created_at, event.type.padEnd(TYPE_WIDTH), who.padEnd(12), event.actor, cell(event.request_id), cell(event.ip), facts(event.detail)].join('  ').trimEnd();
}

/** How many single-character edits turn `a` into `b` (Levenshtein), for suggesting the type that was meant. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Refuses a `--type` the audit log can never hold, before the database is opened: a mistyped type would otherwise
 * print nothing, or with `--follow` wait forever, as if nothing had happened. Names the nearest type when one is
 * close, and the types the log holds.
 */
export function checkEventType(type: string): void {
  const destination = destinationOf(type);
  if (destination === 'audited') return;
  if (destination !== undefined) {
    throw new CommandError(`${type} events are never stored in the audit log: they are logged and counted only (see the metrics)`, EXIT.usage);
  }
  const [nearest] = [...AUDITED_EVENT_TYPES].map((known) => ({ known, edits: distance(type, known) })).sort((a, b) => a.edits - b.edits);
  // Within a third of the word: close enough to be a typo of it rather than another word.
  const hint = nearest !== undefined && nearest.edits <= Math.max(2, Math.floor(type.length / 3)) ? ` (did you mean ${nearest.known}?)` : '';
  throw new CommandError(`unknown event type ${JSON.stringify(type)}${hint}; the audit log holds ${AUDITED_EVENT_TYPES.join(', ')}`, EXIT.usage);
}

/** Prints the newest events, then (with `follow`) new ones as they come. */
export async function auditTail(out: Output, options: AuditTailOptions): Promise<void> {
  if (options.type !== undefined) checkEventType(options.type);
  await withSesame(async (sesame) => {
    const filter = { ...(options.user === undefined ? {} : { userId: await accountId(sesame, options.user) }), ...(options.type === undefined ? {} : { type: options.type }) };
    const newest = await sesame.audit.list({ ...filter, limit: options.limit });
    let last = 0;
    for (const event of [...newest].reverse()) {
      out.result(auditEventJson(event), line);
      last = Math.max(last, event.id);
    }
    if (!options.follow) return;
    const until = options.followForMs === undefined ? Infinity : Date.now() + options.followForMs;
    let stopped = false;
    const stop = (): void => {
      stopped = true;
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      while (!stopped && Date.now() < until) {
        await new Promise((wake) => setTimeout(wake, 1000));
        const fresh = (await sesame.audit.list({ ...filter, limit: 500 })).filter((event) => event.id > last).reverse();
        for (const event of fresh) {
          out.result(auditEventJson(event), line);
          last = Math.max(last, event.id);
        }
      }
    } finally {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    }
  }, 'read-only');
}
