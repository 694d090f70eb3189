/**
 * Which failures mean "the database cannot serve now" rather than "Sesame has a bug": a dropped or refused
 * connection, a timeout, a server shutting down, a busy, full or read-only file. Those are answered 503 with
 * `Retry-After` and heal by themselves when the database does; anything else stays a 500 (a bug).
 * @module
 */
import { ServerBusyError } from '../errors.js';

/** Raised (or recognised) when the database cannot be reached or cannot take writes for now. */
export class DatabaseUnavailableError extends ServerBusyError<'database.unavailable'> {
  /** Builds the error; the cause is kept for the log, never shown to a client. */
  constructor(cause?: unknown) {
    super('database.unavailable', 'the database is unreachable', 5);
    if (cause !== undefined) this.cause = cause;
  }
}

/** Network errors of a connection that dropped, was refused or timed out. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * PostgreSQL SQLSTATEs of a server that cannot serve now: admin/crash shutdown, cannot connect now, too many
 * connections, a statement cancelled by `statement_timeout`, a read-only server, a full disk, out of memory.
 */
const POSTGRES_CODES = new Set(['57P01', '57P02', '57P03', '53300', '57014', '25006', '53100', '53200']);

/** SQLite result codes of a file that is busy, locked, full, read-only or failing. */
const SQLITE_CODE = /^SQLITE_(BUSY|LOCKED|FULL|READONLY|IOERR|CANTOPEN|NOMEM)/;

/** node-postgres's own messages for a pool that cannot hand out a working connection. */
const POOL_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|Query read timeout|not queryable|connection error/i;

/** True when `error` (or the error it wraps) says the database cannot serve now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current !== null && current !== undefined && depth < 4; depth += 1) {
    if (current instanceof DatabaseUnavailableError) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code) || POSTGRES_CODES.has(code) || code.startsWith('08') || SQLITE_CODE.test(code)) return true;
    }
    if (current instanceof Error && POOL_MESSAGES.test(current.message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
