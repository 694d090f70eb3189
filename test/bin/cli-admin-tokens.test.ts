/**
 * `sesame admin-tokens` as an operator runs it, on both engines: creating and revoking a token are audited under the
 * CLI's actor (`cli:<name>` with `--actor`), and what `audit tail` shows of them never holds the token. `list` is a
 * table for people and, with `--json`, one token a line in the one JSON style (runCli checks every `--json` line).
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
    expect(await runCli(['admin-tokens', 'revoke', String(id), '--yes', '--actor', 'ops', '--json'], env)).toEqual({ code: 0, stdout: `${JSON.stringify({ id, revoked: true })}\n`, stderr: '' });
    const tail = await runCli(['audit', 'tail', '--json'], env);
    expect(tail.code, tail.stderr).toBe(0);
    const events = jsonLines(tail.stdout).filter((event) => String(event['type']).startsWith('admin_token.'));
    // The detail is an object (it was a JSON string inside the JSON), its keys in snake_case.
    expect(events.map((event) => [event['type'], event['actor'], event['detail']])).toEqual([
      ['admin_token.created', 'cli:ops', { token_id: id, name: 'deploy bot' }],
      ['admin_token.revoked', 'cli:ops', { token_id: id }],
    ]);
    expect(tail.stdout).not.toContain(token);

    const listed = await runCli(['admin-tokens', 'list', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(jsonLines(listed.stdout)).toEqual([
      { id, name: 'deploy bot', created_by: 'cli:ops', created_at: expect.stringMatching(/^\d{4}-/) as string, last_used_at: null, revoked_at: expect.stringMatching(/^\d{4}-/) as string },
    ]);
    const table = await runCli(['admin-tokens', 'list'], env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^ID +NAME +CREATED_BY +CREATED_AT +LAST_USED_AT +REVOKED_AT\n\d+ +deploy bot +cli:ops +\d{4}-[\d\-T:.]+Z +- +\d{4}-[\d\-T:.]+Z\n$/);
    expect(table.stdout.split('\n')[1]?.indexOf('cli:ops'), 'the columns line up under their header').toBe(table.stdout.indexOf('CREATED_BY'));
  }, 120_000);
});
