/**
 * What every `sesame` command shares: exit codes a script can trust, human or `--json` output, the actor its changes
 * are audited under, the settings read from the environment, and a Sesame instance built on them without HTTP.
 * @module
 */
import { userInfo } from 'node:os';
import { ConfigError, loadConfig, type Config } from '../../config.js';
import { createSesame, type Sesame } from '../../sesame.js';

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

/** How a command writes: JSON for scripts, lines for people. */
export interface Output {
  /** Whether `--json` was given. */
  readonly json: boolean;
  /** Writes one result: `value` as JSON, or `human(value)` as text. */
  result<T>(value: T, human: (value: T) => string): void;
}

/** Output to stdout in the chosen form. */
export function output(json: boolean): Output {
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human(value)}\n`);
    },
  };
}

/** The actor the CLI's changes are audited under: `cli:<os user>`, or `cli:<name>` with `--actor NAME`. */
export function cliActor(name: string | undefined): string {
  if (name !== undefined && name !== '') return `cli:${name}`;
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container's arbitrary uid): the actor still says it was the CLI.
  }
  return `cli:${user}`;
}

/** The settings from the environment, or a usage error listing every problem. */
export function settingsFromEnvironment(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CommandError(error.message, EXIT.usage);
    throw error;
  }
}

/**
 * Runs `work` on a Sesame built from the environment (no sweeper, no mail dispatcher, no HTTP), closing it whatever
 * happens. A message a command enqueues (a force-reset's mail) waits in the outbox for the server's dispatcher, so a
 * one-shot command never blocks on an SMTP server or sends other processes' mail.
 */
export async function withSesame<T>(work: (sesame: Sesame) => Promise<T>): Promise<T> {
  const config = settingsFromEnvironment();
  let sesame: Sesame;
  try {
    sesame = await createSesame({ ...config, log: { ...config.log, level: 'warn' } }, { sweeper: false, mailDispatcher: false });
  } catch (error) {
    throw new CommandError(error instanceof Error ? error.message : String(error), EXIT.failed);
  }
  try {
    return await work(sesame);
  } finally {
    await sesame.close();
  }
}
