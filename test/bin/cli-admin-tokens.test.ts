/**
 * `sesame admin-tokens` as an operator runs it, on both engines: creating and revoking a token are audited under the
 * CLI's actor (`cli:<name>` with `--actor`), and what `audit tail` shows of them never holds the token.
 * @module
 */
import { afterEach, expect, it } from 'vitest';
import { jsonLines, runCli } from '../support/cli.js';
import { describeEngines } from '../support/engines.js';
import { emptyDatabase, type RawDatabase } from '../support/raw-database.js';
import { TEST_SECRET_KEY } from '../support/settings.js';

const databases: RawDatabase[] = [];
afterEach(async () => {
  for (const raw of databases.splice(0)) await raw.drop();
});

describeEngines('sesame admin-tokens', (engine) => {
  it('create and revoke write admin_token.created and admin_token.revoked with the operator as actor, never the token', async () => {
    const raw = await emptyDatabase(engine.name, 'cli-tokens');
    databases.push(raw);
    const env = { DATABASE_URL: raw.url, SECRET_KEY: TEST_SECRET_KEY };
    const created = await runCli(['admin-tokens', 'create', '--name', 'deploy bot', '--actor', 'ops', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const { id, token } = jsonLines(created.stdout)[0] as { id: number; token: string };
    expect((await runCli(['admin-tokens', 'revoke', String(id), '--yes', '--actor', 'ops'], env)).code).toBe(0);
    const tail = await runCli(['audit', 'tail', '--json'], env);
    expect(tail.code, tail.stderr).toBe(0);
    const events = jsonLines(tail.stdout).filter((event) => String(event['type']).startsWith('admin_token.'));
    expect(events.map((event) => [event['type'], event['actor'], JSON.parse(String(event['detail'])) as unknown])).toEqual([
      ['admin_token.created', 'cli:ops', { tokenId: id, name: 'deploy bot' }],
      ['admin_token.revoked', 'cli:ops', { tokenId: id }],
    ]);
    expect(tail.stdout).not.toContain(token);
  }, 120_000);
});
