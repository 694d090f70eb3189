/**
 * `sesame admin-tokens create|list|revoke`: the admin API's bearer tokens. `create` prints the token once (only its
 * hash is kept); `revoke` stops one at once. Each change is audited with the CLI's actor. `list --json` prints each
 * token in the one JSON style (`surfaces/admin/json.ts`), without it an aligned table of the same fields.
 * @module
 */
import { adminTokenJson } from '../../surfaces/admin/json.js';
import { confirm } from './confirm.js';
import { EXIT, CommandError, withSesame, type Output } from './io.js';
import { columns } from './text.js';

/** The columns of `admin-tokens list`, as the JSON names them. */
const LIST_COLUMNS = ['id', 'name', 'created_by', 'created_at', 'last_used_at', 'revoked_at'] as const;

/** The tokens as aligned columns under a header; a live token's `REVOKED_AT` is `-`. */
function table(tokens: ReadonlyArray<ReturnType<typeof adminTokenJson>>): string {
  if (tokens.length === 0) return 'no admin tokens';
  return columns(
    LIST_COLUMNS.map((name) => name.toUpperCase()),
    tokens.map((token) => LIST_COLUMNS.map((name) => token[name])),
  );
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
      const tokens = (await sesame.adminTokens.list()).map(adminTokenJson);
      if (out.json) for (const token of tokens) out.result(token, () => '');
      else out.result(tokens, table);
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
