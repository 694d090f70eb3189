/**
 * Request ids on the admin listener: every answer (a refusal, a 404, a success, a URL Fastify cannot decode) carries
 * `X-Request-Id`, a fresh UUID (never a counter, never the client's), and the id is on the request's log lines; the
 * malformed-URL answer is the table's and echoes nothing of the URL, whose query may hold a secret.
 * @module
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminServer } from '../../../src/surfaces/admin/server.js';
import { startService, type Service } from '../../support/in-process.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Writes a request byte for byte (fetch refuses a URL it cannot decode) and returns the raw answer. */
function rawRequest(url: string, head: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(head));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

describe('X-Request-Id on the admin listener', () => {
  let service: Service;
  let admin: FastifyInstance;
  let url: string;
  let token: string;

  beforeAll(async () => {
    service = await startService({ LOG_LEVEL: 'info', TRUST_PROXY: 'loopback' });
    admin = await buildAdminServer(service.sesame);
    await admin.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(admin.server.address() as AddressInfo).port}`;
    ({ token } = await service.sesame.adminTokens.create('request-id test', { actor: 'cli:test' }));
  });
  afterAll(async () => {
    await admin?.close();
    await service?.stop();
  });

  it('is a fresh UUID on every answer, whatever id the client sends, and a different one each time', async () => {
    const authorization = `Bearer ${token}`;
    const answers = [
      await fetch(`${url}/admin/users`, { headers: { 'x-request-id': 'client-chosen' } }),
      await fetch(`${url}/admin/users`, { headers: { authorization, 'x-request-id': 'client-chosen' } }),
      await fetch(`${url}/nowhere`, { headers: { authorization } }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([401, 200, 404]);
    const ids = answers.map((answer) => answer.headers.get('x-request-id') ?? '');
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(3);
    expect(service.logs()).not.toContain('client-chosen');
    expect(service.logs()).not.toMatch(/"reqId":"req-/);
  });

  it('answers a URL it cannot decode from the table, with an id, and echoes nothing of the URL', async () => {
    const answer = await rawRequest(url, `GET /admin/%E0%A4%A?secret=hunter2 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/^sesame-error: request\.malformed_url$/im);
    expect(/^x-request-id: ([^\r\n]*)$/im.exec(answer)?.[1]).toMatch(UUID);
    expect(answer).not.toContain('hunter2');
    expect(answer).not.toContain('%E0');
    expect(answer.slice(answer.indexOf('\r\n\r\n') + 4)).toBe('{"message":"URL is malformed"}');
  });
});
