/**
 * `toNodeHandler`'s own failure path, with a handler that fails instead of answering (what only a bug in Sesame would
 * do): Express-style hosts get the error through `next`, a bare host gets a 500 JSON refusal rather than a request left
 * hanging or an exception thrown past it; and what the adapter hands the handler (the peer's address, the path).
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { toNodeHandler, type ConnectionInfo, type SesameFetchHandler } from '../../../src/fetch.js';

/** A stand-in for the fetch handler: only `handle` is used by the adapter. */
function handlerOf(handle: (request: Request, connection?: ConnectionInfo) => Promise<Response>): SesameFetchHandler {
  return { handle } as unknown as SesameFetchHandler;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A bare `node:http` host around `serve`, on a free loopback port. */
async function host(serve: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  const server = createServer(serve);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('toNodeHandler when the handler fails', () => {
  it('hands the error to next() when the host gives one, and writes nothing itself', async () => {
    const failure = new Error('a bug in the handler');
    const seen: unknown[] = [];
    const adapter = toNodeHandler(handlerOf(() => Promise.reject(failure)));
    const url = await host((request, response) =>
      adapter(request, response, (error) => {
        seen.push(error);
        response.statusCode = 599;
        response.end('from next');
      }),
    );
    const answer = await fetch(`${url}/profile`);
    expect([answer.status, await answer.text()]).toEqual([599, 'from next']);
    expect(seen).toEqual([failure]);
  });

  it('answers a bare host 500 JSON (server.internal) itself, and keeps serving', async () => {
    let fail = true;
    const adapter = toNodeHandler(handlerOf(() => (fail ? Promise.reject(new Error('a bug in the handler')) : Promise.resolve(new Response('{}', { status: 200 })))));
    const url = await host((request, response) => adapter(request, response));
    const answer = await fetch(`${url}/profile`);
    expect(answer.status).toBe(500);
    expect(answer.headers.get('sesame-error')).toBe('server.internal');
    expect(await answer.json()).toEqual({ message: expect.any(String) as string });
    fail = false;
    expect((await fetch(`${url}/profile`)).status).toBe(200);
  });
});

describe('what toNodeHandler hands the handler', () => {
  it("passes the peer's address, the path and query as sent, the Host's origin, headers and the body", async () => {
    const handed: Array<{ url: string; clientAddress: string | undefined; header: string | null; body: string; method: string }> = [];
    const adapter = toNodeHandler(
      handlerOf(async (request, connection) => {
        handed.push({ url: request.url, clientAddress: connection?.clientAddress, header: request.headers.get('x-probe'), body: await request.text(), method: request.method });
        return new Response('ok', { status: 201, statusText: 'Made', headers: [['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-answer', 'yes']] });
      }),
    );
    const url = await host((request, response) => adapter(request, response));
    const answer = await fetch(`${url}/auth/users?x=1`, { method: 'POST', body: 'email=a%40x.io', headers: { 'x-probe': 'p' } });
    expect([answer.status, answer.statusText, answer.headers.get('x-answer'), answer.headers.getSetCookie()]).toEqual([201, 'Made', 'yes', ['a=1', 'b=2']]);
    expect(handed).toEqual([{ url: `${url}/auth/users?x=1`, clientAddress: '127.0.0.1', header: 'p', body: 'email=a%40x.io', method: 'POST' }]);
    // A GET carries no body to the handler.
    await fetch(`${url}/auth/profile`);
    expect(handed[1]).toMatchObject({ method: 'GET', body: '' });
  });

  it('writes no Set-Cookie header when the answer sets no cookie', async () => {
    const adapter = toNodeHandler(handlerOf(() => Promise.resolve(new Response('{}', { status: 200 }))));
    const url = await host((request, response) => adapter(request, response));
    const answer = await fetch(`${url}/profile`);
    expect(answer.headers.has('set-cookie')).toBe(false);
  });
});
