/**
 * The admin API's inputs and repeats, in process on SQLite (the accounts service's own rules run on both engines in
 * test/modules/accounts): a disable with no body at all (the reason is optional), a repeated disable or enable that
 * changes nothing and says so, refusals of a bad `:id` or query that name the field and what it must be, and every
 * route's answer in the one JSON style (snake_case, ISO times, `detail` an object) with exactly the fields its
 * schema in the admin OpenAPI document lists.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminServer } from '../../../src/surfaces/admin/server.js';
import { startService, type Service } from '../../support/in-process.js';
import { expectJsonStyle } from '../../support/json-style.js';

/** An OpenAPI schema as far as the field check reads it. */
interface Schema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly required?: readonly string[];
}

/**
 * Where `value` has a field its schema does not list, or lacks one it requires, at any depth (each item of an array
 * against `items`): an answer must be what the document says, and the document must say everything the answer has.
 */
function schemaDrift(value: unknown, schema: Schema, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => (schema.items === undefined ? [`${path}: no items schema`] : schemaDrift(item, schema.items, `${path}[${index}]`)));
  if (value === null || typeof value !== 'object' || schema.properties === undefined) return [];
  const record = value as Record<string, unknown>;
  const properties = schema.properties;
  return [
    ...Object.keys(record).filter((key) => !(key in properties)).map((key) => `${path}.${key}: not in the schema`),
    ...(schema.required ?? []).filter((key) => !(key in record)).map((key) => `${path}.${key}: required but missing`),
    ...Object.entries(record).flatMap(([key, item]) => (properties[key] === undefined ? [] : schemaDrift(item, properties[key], `${path}.${key}`))),
  ];
}

describe('the admin API: optional bodies, repeats and refusals', () => {
  let service: Service;
  let admin: FastifyInstance;
  let authorization: string;

  beforeAll(async () => {
    service = await startService();
    admin = await buildAdminServer(service.sesame);
    authorization = `Bearer ${(await service.sesame.adminTokens.create('inputs test', { actor: 'cli:test' })).token}`;
  });
  afterAll(async () => {
    await admin?.close();
    await service?.stop();
  });

  /** An admin request with the token; `json` sends a JSON body with its content type, otherwise none is sent. */
  async function call(method: 'GET' | 'POST', url: string, json?: string): Promise<{ status: number; code: string | undefined; body: Record<string, unknown> }> {
    const reply = await admin.inject({ method, url, headers: { authorization, ...(json === undefined ? {} : { 'content-type': 'application/json' }) }, ...(json === undefined ? {} : { payload: json }) });
    const code = reply.headers['sesame-error'];
    return { status: reply.statusCode, code: typeof code === 'string' ? code : undefined, body: reply.json() };
  }

  it('disables with no body and no content type (no reason), and a repeat changes nothing, records nothing and says so', async () => {
    const { id } = await service.sesame.password.registration.register('no-body@example.com', 'pw-no-body-123');
    await service.sesame.password.login.login('no-body@example.com', 'pw-no-body-123', undefined);
    expect(await call('POST', `/admin/users/${id}/disable`)).toEqual({ status: 200, code: undefined, body: { message: 'account disabled', sessions_ended: 1, already_disabled: false } });
    expect((await service.sesame.accounts.find(id))).toMatchObject({ state: 'disabled', disabledReason: '' });
    expect(await call('POST', `/admin/users/${id}/disable`, '{"reason":"again"}')).toEqual({
      status: 200,
      code: undefined,
      body: { message: 'account already disabled: nothing changed', sessions_ended: 0, already_disabled: true },
    });
    expect((await service.sesame.audit.list({ userId: id, type: 'account.disabled' })).length).toBe(1);

    expect(await call('POST', `/admin/users/${id}/enable`)).toEqual({ status: 200, code: undefined, body: { message: 'account enabled', already_enabled: false } });
    expect(await call('POST', `/admin/users/${id}/enable`)).toEqual({ status: 200, code: undefined, body: { message: 'account already enabled: nothing changed', already_enabled: true } });
    expect((await service.sesame.audit.list({ userId: id, type: 'account.enabled' })).length).toBe(1);
    // A body that is there is still checked.
    expect(await call('POST', `/admin/users/${id}/disable`, JSON.stringify({ reason: 'x'.repeat(257) }))).toEqual({
      status: 400,
      code: 'request.invalid',
      body: { message: 'reason must be at most 256 characters' },
    });
    expect(await call('POST', `/admin/users/${id}/disable`, '[]')).toEqual({ status: 400, code: 'request.invalid', body: { message: 'body must be a form or JSON object' } });
  });

  it('answers every route in the one JSON style, with exactly the fields of its schema in the admin OpenAPI document', async () => {
    const email = 'styled@example.com';
    const { id } = await service.sesame.password.registration.register(email, 'pw-styled-123');
    await service.sesame.password.login.login(email, 'pw-styled-123', undefined);
    // A message in its outbox, so the account's mail list has an item to check.
    await service.sesame.email.resend(email);
    const document = (await admin.inject({ method: 'GET', url: '/openapi.json', headers: { authorization } })).json<{ paths: Record<string, Record<string, { responses: Record<string, { content: { 'application/json': { schema: Schema } } }> }>> }>();
    /** The 200 schema the document gives a route. */
    const documented = (method: string, path: string): Schema => {
      const schema = document.paths[path]?.[method]?.responses['200']?.content['application/json'].schema;
      if (schema === undefined) throw new Error(`no 200 schema for ${method} ${path}`);
      return schema;
    };
    const routes: Array<[method: 'GET' | 'POST' | 'DELETE', url: string, path: string, json?: string]> = [
      ['GET', '/admin/users', '/admin/users'],
      ['GET', `/admin/users/${id}`, '/admin/users/{id}'],
      ['GET', '/admin/events', '/admin/events'],
      ['POST', `/admin/users/${id}/disable`, '/admin/users/{id}/disable'],
      ['POST', `/admin/users/${id}/enable`, '/admin/users/{id}/enable'],
      ['POST', `/admin/users/${id}/revoke-sessions`, '/admin/users/{id}/revoke-sessions'],
      ['POST', `/admin/users/${id}/force-reset`, '/admin/users/{id}/force-reset'],
      ['POST', '/admin/invitations', '/admin/invitations', '{"email":"invited-style@example.com"}'],
      ['POST', '/admin/users', '/admin/users', '{"email":"created-style@example.com","password":"pw-created-style-123"}'],
      ['DELETE', `/admin/users/${id}`, '/admin/users/{id}'],
    ];
    const answers: Record<string, Record<string, unknown>> = {};
    // Read the account first (its sessions, events and mail), then act on it, then read the log its acts wrote.
    for (const [method, url, path, json] of [...routes.slice(0, 2), ...routes.slice(3), routes[2]] as typeof routes) {
      const reply = await admin.inject({ method, url, headers: { authorization, ...(json === undefined ? {} : { 'content-type': 'application/json' }) }, ...(json === undefined ? {} : { payload: json }) });
      expect(reply.statusCode, `${method} ${url}`).toBe(200);
      const body = reply.json<Record<string, unknown>>();
      answers[`${method} ${path}`] = body;
      expectJsonStyle(body, `${method} ${url}`);
      expect(schemaDrift(body, documented(method.toLowerCase(), path)), `${method} ${url}`).toEqual([]);
    }
    // Every route was checked, and the lists held items to check.
    expect(Object.keys(answers)).toHaveLength(Object.values(document.paths).flatMap((operations) => Object.keys(operations)).length);
    const shown = answers['GET /admin/users/{id}'] as { account: Record<string, unknown>; sessions: unknown[]; events: Array<{ type: string; detail: unknown }>; mail: unknown[] };
    expect([shown.sessions.length, shown.mail.length]).toEqual([1, 1]);
    expect(shown.account).toMatchObject({ email, state: 'active', disabled_at: null, created_at: expect.stringMatching(/Z$/) as string });
    expect(shown.events.find((event) => event.type === 'email.verification_sent')?.detail).toEqual({ resend: true });
    expect(answers['POST /admin/users/{id}/force-reset']).toEqual({ sessions_ended: 0, delivery: { via: 'returned', token: expect.any(String) as string } });
    const events = (answers['GET /admin/events'] as { events: Array<{ type: string; user_id: number | null; detail: unknown }> }).events;
    // Newest first: this account's own events, read after its deletion, so under its pseudonym rather than its id.
    const pseudonymised = { user_id: null, email_pseudonym: expect.stringMatching(/^[0-9a-f]{16,}$/) as string };
    expect(events.find((event) => event.type === 'account.disabled')).toMatchObject({ ...pseudonymised, detail: { sessions_ended: 1 } });
    expect(events.find((event) => event.type === 'account.deleted')).toMatchObject({ ...pseudonymised, detail: null });
  });

  it('names the field and what it must be when an id or a query parameter is wrong', async () => {
    for (const id of ['abc', '1.5', '0', '-3']) {
      expect(await call('GET', `/admin/users/${id}`), id).toEqual({ status: 400, code: 'request.invalid', body: { message: 'id must be a positive integer' } });
      expect(await call('POST', `/admin/users/${id}/disable`), id).toEqual({ status: 400, code: 'request.invalid', body: { message: 'id must be a positive integer' } });
    }
    for (const limit of ['abc', '0', '501']) {
      expect((await call('GET', `/admin/users?limit=${limit}`)).body, limit).toEqual({ message: 'limit must be an integer from 1 to 500' });
    }
    expect((await call('GET', '/admin/users?offset=-1')).body).toEqual({ message: 'offset must be a non-negative integer' });
    expect((await call('GET', '/admin/users?state=gone')).body).toEqual({ message: 'state must be one of active, disabled' });
    expect((await call('GET', '/admin/events?user_id=x')).body).toEqual({ message: 'user_id must be a positive integer' });
  });
});
