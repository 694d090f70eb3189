/**
 * The admin API on its own listener, as an operator uses it: the built server with ADMIN_PORT set, a token made by
 * the `sesame admin-tokens` CLI on the same database, and real HTTP. Every request without a valid token is refused
 * (none, a wrong one, a revoked one); public routes never answer on the admin port nor admin routes on the public
 * one; the account routes act and are audited as `admin-token:<id>`, and answer in the one JSON style (snake_case,
 * ISO times, `detail` an object), as `sesame admin-tokens list --json` prints.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, baseEnvironment, findFreePort, startBuiltServer, type RunningServer } from '../../support/built-server.js';
import { expectJsonStyle } from '../../support/json-style.js';
import { SLOW_START_MS, SLOW_TEST_MS, waitUntil } from '../../support/ops-doubles.js';

/** Runs the compiled CLI on the server's database; returns its parsed JSON output and exit code. */
function cli(databasePath: string, args: readonly string[]): { code: number | null; json: Record<string, unknown> } {
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'bin', 'cli.js'), ...args, '--json'], {
    env: { ...baseEnvironment(), DATABASE_URL: `sqlite:${databasePath}` },
    encoding: 'utf8',
  });
  const line = run.stdout.trim().split('\n')[0] ?? '';
  return { code: run.status, json: line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : {} };
}

/** A form POST to the public API. */
function form(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
}

describe('the admin API', () => {
  let server: RunningServer;
  let admin: string;
  let token: string;
  let tokenId: number;
  const bearer = (): { authorization: string } => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    const port = await findFreePort();
    server = await startBuiltServer({ env: { ADMIN_PORT: String(port) }, startTimeoutMs: SLOW_START_MS });
    // The public port's listening line comes first; the admin listener is ready once the server says so.
    await waitUntil(() => server.logs().includes('sesame is ready'), 'the admin listener', SLOW_START_MS);
    admin = `http://127.0.0.1:${port}`;
    const created = cli(server.databasePath, ['admin-tokens', 'create', '--name', 'ops test']);
    expect(created.code).toBe(0);
    token = String(created.json['token']);
    tokenId = Number(created.json['id']);
    expect(token).toMatch(/^sesame_admin_[A-Za-z0-9_-]{43}$/);
  }, SLOW_TEST_MS);

  afterAll(async () => {
    await server?.stop();
  });

  it('refuses every request without a valid token, with one answer that names no reason', async () => {
    for (const headers of <Array<Record<string, string>>>[{}, { authorization: 'Bearer sesame_admin_wrong' }, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, { authorization: `Bearer ${token}x` }]) {
      const reply = await fetch(`${admin}/admin/users`, { headers });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="sesame-admin"');
      expect(reply.headers.get('sesame-error')).toBe('admin.unauthorized');
      expect(await reply.json()).toEqual({ message: 'a valid admin token is required' });
    }
    // Even the document and unknown paths need the token.
    expect((await fetch(`${admin}/openapi.json`)).status).toBe(401);
    expect((await fetch(`${admin}/nowhere`)).status).toBe(401);
  });

  it('keeps the listeners apart: no public route on the admin port, no admin route on the public port', async () => {
    expect((await fetch(`${admin}/profile`, { headers: bearer() })).status).toBe(404);
    expect((await fetch(`${admin}/`, { headers: bearer() })).status).toBe(404);
    expect((await fetch(`${server.url}/admin/users`, { headers: bearer() })).status).toBe(404);
  });

  it('finds, disables, enables, ends sessions, forces a reset and deletes, each audited as the token', async () => {
    const email = `managed-${Date.now()}@example.test`;
    expect((await form(`${server.url}/users`, { email, password: 'pw-managed' })).status).toBe(200);
    const login = await form(`${server.url}/sessions`, { email, password: 'pw-managed' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const wrong = await form(`${server.url}/sessions`, { email, password: 'not-it' });
    const wrongBody = await wrong.text();

    const list = (await (await fetch(`${admin}/admin/users?email_prefix=${encodeURIComponent(email)}`, { headers: bearer() })).json()) as { users: Array<{ id: number; email: string; state: string }> };
    expect(list.users.map((user) => [user.email, user.state])).toEqual([[email, 'active']]);
    expectJsonStyle(list, 'GET /admin/users');
    const id = list.users[0]?.id ?? 0;
    const shown = (await (await fetch(`${admin}/admin/users/${id}`, { headers: bearer() })).json()) as Record<string, unknown>;
    expectJsonStyle(shown, 'GET /admin/users/:id');
    expect(shown['account']).toMatchObject({ id, email, state: 'active', disabled_at: null, created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) as string });
    expect(shown['sessions']).toEqual([expect.objectContaining({ id: expect.stringMatching(/^[0-9a-f]{16}$/) as string, ended_at: null })]);
    expect(JSON.stringify(shown)).toContain(email);
    expect(JSON.stringify(shown)).not.toMatch(/\$2[aby]\$/);
    expect(shown['mail']).toEqual([]);
    // A message to the account shows with its delivery state, never its body (which carries a link and a code).
    expect((await form(`${server.url}/email/verify/resend`, { email })).status).toBe(200);
    // The dispatcher sends in the background: wait until the message shows as sent (at most 60 s).
    let mail: Array<Record<string, unknown>> = [];
    await waitUntil(async () => {
      mail = ((await (await fetch(`${admin}/admin/users/${id}`, { headers: bearer() })).json()) as { mail: Array<Record<string, unknown>> }).mail;
      return mail[0]?.['status'] === 'sent';
    }, 'the verification message to be sent', 60_000, 25);
    expect(mail).toEqual([
      { id: expect.any(Number) as number, kind: 'email_verify', channel: 'email', status: 'sent', attempts: 1, last_error: null, created_at: expect.stringMatching(/^\d{4}-/) as string, sent_at: expect.stringMatching(/^\d{4}-/) as string },
    ]);
    expect((await fetch(`${admin}/admin/users/999999`, { headers: bearer() })).status).toBe(404);
    expect((await fetch(`${admin}/admin/users/abc`, { headers: bearer() })).status).toBe(400);

    const disabled = await fetch(`${admin}/admin/users/${id}/disable`, { method: 'POST', headers: { ...bearer(), 'content-type': 'application/json' }, body: '{"reason":"compromised"}' });
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toEqual({ message: 'account disabled', sessions_ended: 1, already_disabled: false });
    expect((await fetch(`${server.url}/profile`, { headers: { cookie } })).status).toBe(403);
    // A disabled account's right password answers exactly as a wrong one.
    const refused = await form(`${server.url}/sessions`, { email, password: 'pw-managed' });
    expect([refused.status, refused.headers.get('sesame-error'), await refused.text()]).toEqual([wrong.status, wrong.headers.get('sesame-error'), wrongBody]);

    expect((await fetch(`${admin}/admin/users/${id}/enable`, { method: 'POST', headers: bearer() })).status).toBe(200);
    expect((await form(`${server.url}/sessions`, { email, password: 'pw-managed' })).status).toBe(200);
    const revoked = (await (await fetch(`${admin}/admin/users/${id}/revoke-sessions`, { method: 'POST', headers: bearer() })).json()) as { sessions_ended: number };
    expect(revoked).toEqual({ sessions_ended: 1 });

    // The same key as disable and revoke-sessions (it was `sessionsEnded` here).
    const reset = (await (await fetch(`${admin}/admin/users/${id}/force-reset`, { method: 'POST', headers: bearer() })).json()) as { delivery: { via: string } };
    expect(reset).toEqual({ sessions_ended: 0, delivery: { via: 'returned', token: expect.any(String) as string } });
    expect((await form(`${server.url}/sessions`, { email, password: 'pw-managed' })).status).toBe(401);

    const events = (await (await fetch(`${admin}/admin/events?user_id=${id}`, { headers: bearer() })).json()) as { events: Array<{ type: string; actor: string; detail: unknown }> };
    expectJsonStyle(events, 'GET /admin/events');
    expect(events.events.find((event) => event.type === 'account.force_reset')?.detail).toEqual({ sessions_ended: 0, delivery: 'returned' });
    const byToken = events.events.filter((event) => event.actor === `admin-token:${tokenId}`).map((event) => event.type);
    expect(byToken).toEqual(expect.arrayContaining(['account.disabled', 'account.enabled', 'account.force_reset']));
    // Paged: two at a time, each page older than the last, together the whole log of the account.
    const first = (await (await fetch(`${admin}/admin/events?user_id=${id}&limit=2`, { headers: bearer() })).json()) as { events: Array<{ id: number }> };
    const second = (await (await fetch(`${admin}/admin/events?user_id=${id}&limit=2&before_id=${first.events[1]?.id ?? 0}`, { headers: bearer() })).json()) as { events: Array<{ id: number }> };
    expect(first.events).toHaveLength(2);
    expect([...first.events, ...second.events].map((event) => event.id)).toEqual(
      (events.events as unknown as Array<{ id: number }>).slice(0, first.events.length + second.events.length).map((event) => event.id),
    );

    expect((await fetch(`${admin}/admin/users/${id}`, { method: 'DELETE', headers: bearer() })).status).toBe(200);
    expect((await fetch(`${admin}/admin/users/${id}`, { headers: bearer() })).status).toBe(404);
  });

  it('describes itself in its own OpenAPI document, with the bearer scheme on every operation', async () => {
    const document = (await (await fetch(`${admin}/openapi.json`, { headers: bearer() })).json()) as {
      info: { title: string };
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<string, Record<string, { operationId: string; security: unknown }>>;
    };
    expect(document.info.title).toBe('Sesame admin API');
    expect(document.components.securitySchemes).toEqual({ adminToken: { type: 'http', scheme: 'bearer' } });
    const operations = Object.values(document.paths).flatMap((path) => Object.values(path));
    expect(operations.length).toBe(10);
    for (const operation of operations) {
      expect(operation.operationId).toMatch(/^admin[A-Z]/);
      expect(operation.security).toEqual([{ adminToken: [] }]);
    }
  });

  it('stops accepting a token the CLI revoked, at once', async () => {
    const second = cli(server.databasePath, ['admin-tokens', 'create', '--name', 'short-lived']);
    const other = String(second.json['token']);
    expect((await fetch(`${admin}/admin/users`, { headers: { authorization: `Bearer ${other}` } })).status).toBe(200);
    expect(cli(server.databasePath, ['admin-tokens', 'revoke', String(second.json['id'])]).code).toBe(4);
    expect(cli(server.databasePath, ['admin-tokens', 'revoke', String(second.json['id']), '--yes']).code).toBe(0);
    expect((await fetch(`${admin}/admin/users`, { headers: { authorization: `Bearer ${other}` } })).status).toBe(401);
    const listed = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'bin', 'cli.js'), 'admin-tokens', 'list', '--json'], { env: { ...baseEnvironment(), DATABASE_URL: `sqlite:${server.databasePath}` }, encoding: 'utf8' });
    const tokens = listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { name: string; revoked_at: string | null; last_used_at: string | null });
    expectJsonStyle(tokens, 'sesame admin-tokens list --json');
    expect(tokens.map((t) => [t.name, t.revoked_at === null, t.last_used_at !== null])).toEqual([['ops test', true, true], ['short-lived', false, true]]);
    expect(listed.stdout).not.toContain('sesame_admin_');
    // Four CLI runs, each a Node process loading the compiled CLI: seconds apiece on a loaded machine.
  }, SLOW_TEST_MS);
});
