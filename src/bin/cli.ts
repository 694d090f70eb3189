#!/usr/bin/env node
/**
 * The `sesame` command an installed package puts on the PATH: the server (`serve`) and the operator's tools, all on
 * the same services as the server (the composition root, no HTTP), with the settings read from the environment as the
 * server reads them. Human-readable by default, `--json` for scripts, and exit codes a script can trust (EXIT).
 * @module
 */
import { parseArgs } from 'node:util';
import { auditTail } from './commands/audit-tail.js';
import { breachFilter } from './commands/breach-filter.js';
import { configCheck } from './commands/config-check.js';
import { adminTokens } from './commands/admin-tokens.js';
import { CommandError, EXIT, cliActor, output } from './commands/io.js';
import { backup, purgeExpired } from './commands/maintenance.js';
import { migrate } from './commands/migrate.js';
import { DEFAULT_REWRAP_BATCH, generateSecretKey, rewrapSecretKey } from './commands/secret-key.js';
import { users } from './commands/users.js';
import { printWebhookSecret } from './commands/webhook-secret.js';
import { SESAME_VERSION } from '../kernel/version.js';

/** What `sesame --help` prints. */
export const USAGE = `usage: sesame <command> [options]

commands:
  serve                      run the standalone server (settings from the environment; see README)
  migrate [--dry-run]        apply pending schema migrations; --dry-run prints them and their SQL
  config check               check the settings, print them with secrets masked; exit 2 listing every problem
  sessions purge-expired     delete expired sessions, tokens and counters once (what the sweeper does)
  audit tail [--user U] [--type T] [--limit N] [--follow]
                             the newest account events; --follow prints new ones as they come
  backup FILE [--yes]        copy the SQLite database while it runs (PostgreSQL: use pg_dump)
  users list [--email-prefix P] [--state active|disabled] [--limit N] [--offset N]
  users show|disable|enable|delete|revoke-sessions|force-reset EMAIL|ID [--reason R] [--yes]
  users create EMAIL [--unverified]
                             create an account (its address counts as verified unless --unverified);
                             the password is asked on the terminal without echo, or read from piped input
  users invite EMAIL [--language en|fr]
                             mail a single-use invitation to sign up with EMAIL (valid INVITATION_TTL)
  admin-tokens create --name NAME | list | revoke ID [--yes]
                             bearer tokens for the admin API (ADMIN_PORT); a token is shown once
  webhook secret             the whsec_ key receivers verify reset webhooks with (derived from SECRET_KEY)
  secret-key generate        print a fresh key for SECRET_KEY (32 random bytes, base64)
  secret-key rewrap [--batch N]
                             re-seal what previous keys sealed under SECRET_KEY (see README, Rotating the secret key)
  breach-filter build --from FILE [--top N] --out PATH
                             build the PASSWORD_BREACH_FILTER file from SHA1:count lines or a password list

options:
  --table-prefix P           the table prefix of Sesame's tables (as DATABASE_TABLE_PREFIX, which it overrides)
  --json                     machine-readable output, one JSON value per line
  --actor NAME               audit this command's changes as cli:NAME (default cli:<os user>)
  --yes, -y                  do a destructive act without asking
  -h, --help                 show this help
  -v, --version              print Sesame's version

read-only commands (users list|show, audit tail, admin-tokens list, config check, migrate --dry-run, backup)
never create or migrate the database; the others migrate it first, as the server does.

exit codes: 0 done, 1 failed, 2 bad command line or settings, 3 not found, 4 not confirmed,
  5 no database or not migrated (run sesame migrate)`;

/** Parses the options every command may take; unknown ones are a usage error. */
function options(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      'dry-run': { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      user: { type: 'string' },
      type: { type: 'string' },
      limit: { type: 'string' },
      follow: { type: 'boolean', short: 'f' },
      'follow-for': { type: 'string' },
      offset: { type: 'string' },
      'email-prefix': { type: 'string' },
      state: { type: 'string' },
      reason: { type: 'string' },
      name: { type: 'string' },
      actor: { type: 'string' },
      unverified: { type: 'boolean' },
      language: { type: 'string' },
      'table-prefix': { type: 'string' },
      batch: { type: 'string' },
    },
  });
}

/** Runs the command line; resolves with the exit code. */
async function run(argv: readonly string[]): Promise<number> {
  // It takes options of its own and touches no settings or database, so it is dispatched before the shared parse.
  if (argv[0] === 'breach-filter') return breachFilter(argv.slice(1)).then(() => EXIT.ok);
  let parsed;
  try {
    parsed = options(argv);
  } catch (error) {
    process.stderr.write(`sesame: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  // The flag is the setting's command-line spelling: every command (and `serve`, which reads the environment itself)
  // takes its settings from the environment, so it is put there once, before any command reads it, and checked by
  // the same rule as the setting.
  if (values['table-prefix'] !== undefined) process.env['DATABASE_TABLE_PREFIX'] = values['table-prefix'];
  const [command, sub, ...rest] = positionals;
  if (values.help === true || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (values.version === true) {
    output(values.json === true).result({ version: SESAME_VERSION }, ({ version }) => `sesame ${version}`);
    return EXIT.ok;
  }
  if (command === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return EXIT.usage;
  }
  const out = output(values.json === true);
  const words = [command, sub, ...rest].filter((word): word is string => word !== undefined).join(' ');
  const actor = cliActor(values.actor);
  const whole = (name: string, text: string | undefined, fallback: number, max: number): number => {
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(value) || value < 0 || value > max) throw new CommandError(`--${name} must be a whole number from 0 to ${max}`, EXIT.usage);
    return value;
  };
  if (command === 'users') {
    await users(out, sub, rest, {
      yes: values.yes === true,
      unverified: values.unverified === true,
      ...(values.language === undefined ? {} : { language: values.language }),
      actor,
      limit: whole('limit', values.limit, 50, 1000),
      offset: whole('offset', values.offset, 0, Number.MAX_SAFE_INTEGER),
      ...(values.reason === undefined ? {} : { reason: values.reason }),
      ...(values['email-prefix'] === undefined ? {} : { emailPrefix: values['email-prefix'] }),
      ...(values.state === undefined ? {} : { state: values.state }),
    });
    return EXIT.ok;
  }
  if (command === 'admin-tokens') {
    await adminTokens(out, sub, rest, { yes: values.yes === true, actor, ...(values.name === undefined ? {} : { name: values.name }) });
    return EXIT.ok;
  }
  switch (command === 'backup' || command === 'serve' || command === 'migrate' ? command : words) {
    case 'serve':
      if (positionals.length > 1) break;
      await import('./server.js');
      return -1;
    case 'migrate':
      if (positionals.length > 1) break;
      await migrate(out, values['dry-run'] === true);
      return EXIT.ok;
    case 'config check':
      await configCheck(out);
      return EXIT.ok;
    case 'sessions purge-expired':
      await purgeExpired(out);
      return EXIT.ok;
    case 'audit tail': {
      const limit = values.limit === undefined ? 20 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CommandError('--limit must be a whole number from 1 to 1000', EXIT.usage);
      const followFor = values['follow-for'] === undefined ? undefined : Number(values['follow-for']);
      await auditTail(out, {
        limit,
        follow: values.follow === true || followFor !== undefined,
        ...(values.user === undefined ? {} : { user: values.user }),
        ...(values.type === undefined ? {} : { type: values.type }),
        ...(followFor === undefined ? {} : { followForMs: followFor * 1000 }),
      });
      return EXIT.ok;
    }
    case 'webhook secret':
      await printWebhookSecret(out);
      return EXIT.ok;
    case 'secret-key generate':
      generateSecretKey(out);
      return EXIT.ok;
    case 'secret-key rewrap': {
      const batch = values.batch === undefined ? DEFAULT_REWRAP_BATCH : Number(values.batch);
      if (!Number.isInteger(batch) || batch < 1 || batch > 100_000) throw new CommandError('--batch must be a whole number from 1 to 100000', EXIT.usage);
      await rewrapSecretKey(out, batch);
      return EXIT.ok;
    }
    case 'backup':
      if (positionals.length > 2) break;
      await backup(out, sub, values.yes === true);
      return EXIT.ok;
  }
  process.stderr.write(`sesame: unknown command ${JSON.stringify(words)}\n${USAGE}\n`);
  return EXIT.usage;
}

try {
  const code = await run(process.argv.slice(2));
  // `serve` keeps the process alive with its server; every other command ends here.
  if (code >= 0) process.exit(code);
} catch (error) {
  if (error instanceof CommandError) {
    if (error.message !== '') process.stderr.write(`sesame: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`sesame: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(EXIT.failed);
}
