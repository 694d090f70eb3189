/**
 * `sesame users list|show|create|invite|disable|enable|delete|revoke-sessions|force-reset`: an operator's account tools
 * on the accounts service (the same one the admin API uses), an account named by email or id; `invite` mails a
 * single-use link to sign up with an address (the sign-up service, as `POST /admin/invitations`). Every change is audited
 * with the CLI's actor; destructive ones ask first unless `--yes`. With `--json` an account, its sessions, events and
 * mail are the admin API's objects (one serialiser, `surfaces/admin/json.ts`); without, the same fields as text.
 * @module
 */
import type { AccountView } from '../../modules/accounts/index.js';
import { checkedEmail } from '../../modules/users/index.js';
import type { Sesame } from '../../sesame.js';
import { accountDetailsJson, accountJson, disabledJson, enabledJson, forcedResetJson, invitationJson, sessionsEndedJson } from '../../surfaces/admin/json.js';
import { confirm } from './confirm.js';
import { EXIT, CommandError, withSesame, type Output } from './io.js';
import { readNewPassword } from './password-prompt.js';
import { columns, facts, fields, section } from './text.js';

/** The options the users commands take. */
export interface UsersOptions {
  readonly yes: boolean;
  /** `users create`: leave the address unverified (the owner proves it from the verification mail). */
  readonly unverified?: boolean;
  /** `users invite`: the language of the invitation mail (`en`, the default, or `fr`). */
  readonly language?: string;
  readonly actor: string;
  readonly reason?: string;
  readonly emailPrefix?: string;
  readonly state?: string;
  readonly limit: number;
  readonly offset: number;
}

/** The columns of `users list`, as the JSON names them. */
const LIST_COLUMNS = ['id', 'email', 'state', 'created_at', 'email_verified_at', 'disabled_at'] as const;

/** A page of accounts as aligned columns under a header. */
function table(accounts: ReadonlyArray<ReturnType<typeof accountJson>>): string {
  if (accounts.length === 0) return 'no accounts';
  return columns(
    LIST_COLUMNS.map((name) => name.toUpperCase()),
    accounts.map((account) => LIST_COLUMNS.map((name) => account[name])),
  );
}

/** `users show` for people: the account's fields, then its sessions, events and mail as tables. */
function details(shown: ReturnType<typeof accountDetailsJson>): string {
  return [
    fields(shown.account),
    section('sessions', ['ID', 'CREATED_AT', 'EXPIRES_AT', 'LAST_USED_AT'], shown.sessions.map((s) => [s.id, s.created_at, s.expires_at, s.last_used_at])),
    section('events', ['ID', 'CREATED_AT', 'TYPE', 'ACTOR', 'IP', 'DETAIL'], shown.events.map((e) => [e.id, e.created_at, e.type, e.actor, e.ip, facts(e.detail)])),
    section('mail', ['ID', 'CREATED_AT', 'KIND', 'CHANNEL', 'STATUS', 'ATTEMPTS', 'SENT_AT', 'LAST_ERROR'], shown.mail.map((m) => [m.id, m.created_at, m.kind, m.channel, m.status, m.attempts, m.sent_at, m.last_error])),
  ].join('\n\n');
}

/** The account an email or id names, or a not-found error. */
async function account(sesame: Sesame, who: string | undefined): Promise<AccountView> {
  if (who === undefined || who === '') throw new CommandError('name the account by email or id', EXIT.usage);
  const found = await sesame.accounts.find(who);
  if (found === undefined) throw new CommandError(`no account ${JSON.stringify(who)}`, EXIT.notFound);
  return found;
}

/** The subcommands that only read: they open the database read-only (see `withSesame`); every other one writes. */
const READ_ONLY: ReadonlySet<string> = new Set(['list', 'show']);

/** Every subcommand, so a mistyped one is a usage error before the database is opened. */
const SUBCOMMANDS: ReadonlySet<string> = new Set(['list', 'show', 'create', 'invite', 'disable', 'enable', 'delete', 'revoke-sessions', 'force-reset']);

/** Refuses a bad command line before the database is opened: a usage error touches nothing. */
function checkUsage(sub: string | undefined, args: readonly string[], options: UsersOptions): void {
  if (sub === undefined || !SUBCOMMANDS.has(sub)) throw new CommandError('usage: sesame users list|show|create|invite|disable|enable|delete|revoke-sessions|force-reset [EMAIL|ID]', EXIT.usage);
  // `list` names no account; every other subcommand names exactly one.
  const named = sub === 'list' ? 0 : 1;
  const extra = args.slice(named);
  if (extra.length > 0) throw new CommandError(`unexpected ${JSON.stringify(extra.join(' '))}`, EXIT.usage);
  if (sub === 'create' && args.length === 0) throw new CommandError('usage: sesame users create EMAIL (the password is asked on the terminal, or read from standard input)', EXIT.usage);
  if (named === 1 && (args[0] ?? '') === '') throw new CommandError('name the account by email or id', EXIT.usage);
  if (options.state !== undefined && options.state !== 'active' && options.state !== 'disabled') throw new CommandError('--state must be active or disabled', EXIT.usage);
  if (options.language !== undefined && options.language !== 'en' && options.language !== 'fr') throw new CommandError('--language must be en or fr', EXIT.usage);
  if (sub === 'create' || sub === 'invite') {
    try {
      checkedEmail(args[0] ?? '');
    } catch (error) {
      throw new CommandError(`${JSON.stringify(args[0])} is not an address Sesame accepts: ${error instanceof Error ? error.message : String(error)}`, EXIT.usage);
    }
  }
}

/** Runs one `users` subcommand. */
export async function users(out: Output, sub: string | undefined, args: readonly string[], options: UsersOptions): Promise<void> {
  const context = { actor: options.actor };
  checkUsage(sub, args, options);
  // Asked before the database is opened: nobody types a password while a connection (or a write lock) waits, and an
  // empty one is refused having touched nothing.
  const password = sub === 'create' ? await readNewPassword() : '';
  await withSesame(async (sesame) => {
    // checkUsage made sure an account is named wherever one is needed.
    const who = args[0] ?? '';
    switch (sub) {
      case 'list': {
        const list = await sesame.accounts.list({
          ...(options.emailPrefix === undefined ? {} : { emailPrefix: options.emailPrefix }),
          ...(options.state === 'active' || options.state === 'disabled' ? { state: options.state } : {}),
          limit: options.limit,
          offset: options.offset,
        });
        const page = list.map(accountJson);
        // One account per line for scripts (`| jq` line by line), one table for people.
        if (out.json) for (const item of page) out.result(item, () => '');
        else out.result(page, table);
        return;
      }
      case 'show': {
        const { id } = await account(sesame, who);
        const shown = await sesame.accounts.show(id);
        out.result(accountDetailsJson(shown, await sesame.mail.recentFor(shown.account.email)), details);
        return;
      }
      case 'create': {
        // The operator vouches for the address (no verification mail); `--unverified` leaves the proof to the owner.
        const created = await sesame.password.registration.register(who, password, context, options.unverified === true ? {} : { emailVerifiedAt: Date.now() });
        out.result({ id: created.id, email: created.email }, (user) => `created account ${user.id} (${user.email})`);
        return;
      }
      case 'invite': {
        // The address is the one the account will have: the link fixes it, in every REGISTRATION mode.
        const sent = await sesame.signup.invite(who, context, options.language ?? 'en');
        out.result(invitationJson(sent), (json) => `invitation mailed to ${json.email} (valid until ${json.expires_at})`);
        return;
      }
      case 'disable': {
        const found = await account(sesame, who);
        const result = await sesame.accounts.disable(found.id, options.reason ?? '', context);
        out.result({ id: found.id, disabled: true, ...disabledJson(result) }, () =>
          result.alreadyDisabled ? `${found.email} is already disabled: nothing changed` : `disabled ${found.email}; ${result.sessionsEnded} sessions ended`,
        );
        return;
      }
      case 'enable': {
        const found = await account(sesame, who);
        const result = await sesame.accounts.enable(found.id, context);
        out.result({ id: found.id, enabled: true, ...enabledJson(result) }, () => (result.alreadyEnabled ? `${found.email} is already enabled: nothing changed` : `enabled ${found.email}`));
        return;
      }
      case 'delete': {
        const found = await account(sesame, who);
        await confirm(`Delete ${found.email} (account ${found.id}) with its sessions and tokens? This cannot be undone.`, options.yes);
        await sesame.accounts.delete(found.id, context);
        out.result({ id: found.id, deleted: true }, () => `deleted ${found.email}`);
        return;
      }
      case 'revoke-sessions': {
        const found = await account(sesame, who);
        await confirm(`End every session of ${found.email}?`, options.yes);
        const ended = await sesame.accounts.revokeSessions(found.id, context);
        out.result({ id: found.id, ...sessionsEndedJson(ended) }, () => `ended ${ended} sessions of ${found.email}`);
        return;
      }
      case 'force-reset': {
        const found = await account(sesame, who);
        await confirm(`Force a password reset of ${found.email}? Its sessions end and its password stops working.`, options.yes);
        const result = await sesame.accounts.forceReset(found.id, context);
        const { delivery } = result;
        out.result({ id: found.id, ...forcedResetJson(result) }, () => `forced a reset of ${found.email}: ${result.sessionsEnded} sessions ended, reset ${delivery.via === 'returned' ? `token ${delivery.token}` : `delivery: ${delivery.via}${delivery.via === 'webhook-failed' ? ` (${delivery.error})` : ''}`}`);
        return;
      }
    }
  }, sub !== undefined && READ_ONLY.has(sub) ? 'read-only' : 'read-write');
}
