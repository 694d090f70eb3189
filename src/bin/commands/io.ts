/**
 * What every `sesame` command shares: exit codes a script can trust, human or `--json` output, the actor its changes
 * are audited under, the settings read from the environment, and a Sesame instance built on them without HTTP.
 * @module
 */
import { userInfo } from 'node:os';
import { ConfigError, loadConfig, type Config } from '../../config.js';
import type { Storage } from '../../kernel/database/storage.js';
import { createSesame, type Sesame } from '../../sesame.js';
import { openForReading, refuseOtherPrefixes, type Access } from './database.js';
import { CommandError, EXIT } from './exit.js';

export { EXIT, CommandError } from './exit.js';
export type { Access } from './database.js';

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
 *
 * `access` says what the command does to the database, read-only unless it says otherwise (so a command that forgets
 * can create nothing): a read-only one opens an existing database at this version's schema on a read-only
 * connection, and never migrates, creates a file or a schema, or generates the development secret; a read-write one
 * migrates first, as the server does. Both refuse a database holding Sesame's tables under another prefix only
 * (see `database.ts`).
 */
export async function withSesame<T>(work: (sesame: Sesame) => Promise<T>, access: Access = 'read-only'): Promise<T> {
  const config = settingsFromEnvironment();
  let storage: Storage | undefined;
  if (access === 'read-only') storage = await openForReading(config.database);
  else await refuseOtherPrefixes(config.database);
  let sesame: Sesame;
  try {
    sesame = await createSesame(
      { ...config, log: { ...config.log, level: 'warn' } },
      { sweeper: false, mailDispatcher: false, ...(storage === undefined ? {} : { storage, generateSecret: false }) },
    );
  } catch (error) {
    await storage?.close();
    throw new CommandError(error instanceof Error ? error.message : String(error), EXIT.failed);
  }
  try {
    return await work(sesame);
  } finally {
    await sesame.close();
    await storage?.close();
  }
}
