/**
 * `sesame admin-tokens create|list|revoke`: the admin API's bearer tokens. `create` prints the token once (only its
 * hash is kept); `revoke` stops one at once. Each change is audited with the CLI's actor.
 * @module
 */
import type { AdminTokenSummary } from '../../modules/admin-tokens/index.js';
import { confirm } from './confirm.js';
import { EXIT, CommandError, withSesame, type Output } from './io.js';

/** An ISO time or a dash. */
function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}

/** The usage line every malformed `admin-tokens` command gets. */
const USAGE = 'usage: sesame admin-tokens create --name NAME | list | revoke ID [--yes]';

/** Runs one `admin-tokens` subcommand; a malformed one is refused before the database is opened. */
export async function adminTokens(out: Output, sub: string | undefined, args: readonly string[], options: { readonly name?: string; readonly yes: boolean; readonly actor: string }): Promise<void> {
  if (sub === 'create' && args.length === 0) {
    const name = options.name ?? '';
    if (name === '' || name.length > 128) throw new CommandError('admin-tokens create needs --name NAME (who or what will use it, up to 128 characters)', EXIT.usage);
    await withSesame(async (sesame) => {
      const { id, token } = await sesame.adminTokens.create(name, { actor: options.actor });
      out.result({ id, name, token }, () => `created admin token ${id} (${name}); it is shown only now:\n${token}`);
    }, 'read-write');
    return;
  }
  if (sub === 'list' && args.length === 0) {
    await withSesame(async (sesame) => {
      const tokens = await sesame.adminTokens.list();
      if (out.json) for (const token of tokens) out.result(token, () => '');
      else out.result(tokens, (list: AdminTokenSummary[]) => (list.length === 0 ? 'no admin tokens' : list.map((t) => `${t.id}  ${t.name}  created ${when(t.createdAt)} by ${t.createdBy}  last used ${when(t.lastUsedAt)}  ${t.revokedAt === null ? 'live' : `revoked ${when(t.revokedAt)}`}`).join('\n')));
    }, 'read-only');
    return;
  }
  if (sub === 'revoke' && args.length === 1 && /^\d+$/.test(args[0] ?? '')) {
    const id = Number(args[0]);
    await withSesame(async (sesame) => {
      await confirm(`Revoke admin token ${id}? Requests with it are refused from now on.`, options.yes);
      if (!(await sesame.adminTokens.revoke(id, { actor: options.actor }))) throw new CommandError(`no live admin token ${id}`, EXIT.notFound);
      out.result({ id, revoked: true }, () => `revoked admin token ${id}`);
    }, 'read-write');
    return;
  }
  throw new CommandError(USAGE, EXIT.usage);
}
