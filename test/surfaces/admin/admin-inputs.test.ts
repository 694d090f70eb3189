/**
 * The admin API's inputs and repeats, in process on SQLite (the accounts service's own rules run on both engines in
 * test/modules/accounts): a disable with no body at all (the reason is optional), a repeated disable or enable that
 * changes nothing and says so, and refusals of a bad `:id` or query that name the field and what it must be.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminServer } from '../../../src/surfaces/admin/server.js';
import { startService, type Service } from '../../support/in-process.js';

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
