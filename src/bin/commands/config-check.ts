/**
 * `sesame config check`: reads the environment as the server would, prints the effective settings with every secret
 * masked, and exits 2 listing every problem (a production refusal included) before a deployment finds them at start.
 * With valid settings it also lists accounts whose stored email the address rule would refuse today (see
 * `stored-emails.ts`): a warning, not a problem, since nothing but the operator can fix those rows. And it says of
 * each previous secret key (`SECRET_KEYS_PREVIOUS`) whether sealed data still needs it (see `secret-key.ts`); data
 * sealed under a key that is not configured at all is a problem (exit 2), since it opens with no key until it is
 * added back.
 * @module
 */
import { redactUrl } from '../../kernel/database/storage.js';
import { ConfigError, loadConfig } from '../../config.js';
import { snakeKeys } from '../../kernel/json-style.js';
import { EXIT, CommandError, type Output } from './io.js';
import { describeKeys, keyProblems, keyReport } from './secret-key.js';
import { describeStoredEmails, storedEmailReport } from './stored-emails.js';
import { fields } from './text.js';

/** Settings that hold the operator's own keys (text ids such as `account.sessions.endOne`): printed as given. */
const VERBATIM: ReadonlySet<string> = new Set(['texts']);

/** Keys whose values are secrets wherever they appear in the settings (`previousKeys` too). */
const SECRET_KEY_NAME = /(secret|password|token|key)s?$/i;

/** The settings with secrets replaced and passwords cut out of URLs, safe to print or paste in a ticket. */
export function maskSettings(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (SECRET_KEY_NAME.test(key) && value !== '') return '***';
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? redactUrl(value) : value;
  }
  if (value instanceof URL) return redactUrl(value.toString());
  if (Array.isArray(value)) return value.map((item) => maskSettings(item, key));
  if (value instanceof Set) return [...value].map((item) => maskSettings(item, key));
  if (value !== null && typeof value === 'object') {
    if (SECRET_KEY_NAME.test(key)) return '***';
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, maskSettings(item, name)]));
  }
  return value;
}

/** Runs the check: exit 0 with the masked settings, or 2 listing every problem (text on stderr, or JSON on stdout). */
export async function configCheck(out: Output): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (out.json) out.result({ ok: false, problems: error.problems }, () => '');
    throw new CommandError(out.json ? '' : error.message, EXIT.usage);
  }
  // In the one JSON style of every `--json` output: snake_case names (`smtp_url` for the setting's `smtpUrl`).
  const settings = snakeKeys(maskSettings(config), VERBATIM) as Record<string, unknown>;
  const storedEmails = await storedEmailReport(config);
  const keys = await keyReport(config);
  const problems = keyProblems(keys);
  // `codesLiveUntil` is epoch milliseconds in the report: written as an ISO time, as every time in `--json` is.
  const keysJson = snakeKeys(keys.checked && keys.codesLiveUntil !== undefined ? { ...keys, codesLiveUntil: new Date(keys.codesLiveUntil).toISOString() } : keys);
  out.result({ ok: problems.length === 0, settings, stored_emails: storedEmails, keys: keysJson, ...(problems.length === 0 ? {} : { problems }) }, () =>
    [`settings are valid (profile ${config.profile}):`, fields(settings, '  '), describeStoredEmails(storedEmails), describeKeys(keys)].join('\n'),
  );
  // Settings that parse but leave sealed data unopenable (a previous key dropped too early, or mistyped) are wrong.
  if (problems.length > 0) throw new CommandError('', EXIT.usage);
}
