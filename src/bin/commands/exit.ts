/**
 * The CLI's exit codes and the error that carries one: apart from the rest of the commands' shared code so that the
 * database opener and the output helpers can both use them.
 * @module
 */

/** Exit codes, the same for every command, so a script can branch on them. */
export const EXIT = {
  /** It did what was asked. */
  ok: 0,
  /** It could not (the database is unreachable, the operation failed). */
  failed: 1,
  /** The command line or the settings are wrong; nothing was done. */
  usage: 2,
  /** The account, token or file named does not exist. */
  notFound: 3,
  /** A destructive act was not confirmed (no `--yes`, and the answer was not yes). */
  notConfirmed: 4,
  /**
   * The database a read-only command was pointed at is missing, holds no Sesame schema (under the table prefix), or
   * one at another version than this Sesame's: `sesame migrate` (or an upgrade) first. Nothing was created or changed.
   */
  notMigrated: 5,
} as const;

/** A failure a command reports with its exit code and a one-line reason (never a stack). */
export class CommandError extends Error {
  /** Builds it with the exit code the process should end with. */
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}
