/**
 * `toNodeHandler` under a bare `node:http` server, with nothing in front of it to catch a throw: every request gets
 * an answer and the host keeps serving. A method the WHATWG `Request` refuses, a `Host` that makes no URL, a target in
 * absolute form or starting `//`, a body that breaks off: each is sent on a raw socket, then a normal request must
 * still be answered. The same adapter under `node:http2` (cleartext), whose compatibility API hands it methods
 * HTTP/1.1's parser refuses (`TRACK`) and pseudo-headers (`:method`, `:path`) that are no header names.
 * @module
 */
import { createServer, type Server } from 'node:http';
import http2 from 'node:http2';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchHandler, toNodeHandler, type SesameFetchHandler } from '../../../src/fetch.js';
import { makeTempDir, type TempDir } from '../../support/temp.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A raw answer: status, lower-case headers, body; status 0 when the connection closed without one. */
interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Writes `parts` on a fresh socket (each after the previous one is flushed), then half-closes, and reads the answer. */
function rawExchange(port: number, parts: readonly string[]): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      const write = (index: number): void => {
        if (index === parts.length) {
          socket.end();
          return;
        }
        socket.write(parts[index] ?? '', () => write(index + 1));
      };
      write(0);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = (split < 0 ? text : text.slice(0, split)).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body: split < 0 ? '' : text.slice(split + 4) });
    });
  });
}

/** Asserts Sesame's refusal shape: the status, `{"message"}` JSON, the code in `Sesame-Error` and a request id. */
function expectRefusal(answer: RawAnswer, status: number, code: string): void {
  expect(answer.status, answer.body).toBe(status);
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(answer.headers['sesame-error']).toBe(code);
  expect(answer.headers['x-request-id']).toMatch(UUID);
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(Object.keys(JSON.parse(answer.body) as object)).toEqual(['message']);
}

describe('toNodeHandler under a bare node:http server', () => {
  let dir: TempDir;
  let handler: SesameFetchHandler;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    dir = makeTempDir('node-host');
    handler = await createFetchHandler({
      profile: 'development',
      prefix: '/auth',
      settings: { DATABASE_URL: `sqlite:${join(dir.path, 'node-host.db')}`, BCRYPT_COST: '4', LOG_LEVEL: 'silent' },
    });
    server = createServer(toNodeHandler(handler));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ({ port } = server.address() as AddressInfo);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    await handler?.close();
    dir?.remove();
  });

  /** A request that must be answered normally after each hostile one. */
  async function stillServing(): Promise<void> {
    const answer = await rawExchange(port, ['GET /auth/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n']);
    expect([answer.status, answer.body]).toEqual([200, '{"message":"Bienvenue"}']);
  }

  it('answers TRACE (which a Request refuses) with 501, and keeps serving', async () => {
    expectRefusal(await rawExchange(port, ['TRACE /auth/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n']), 501, 'request.method_not_implemented');
    await stillServing();
  });

  it("keeps serving after TRACK and CONNECT, which Node's parser answers itself (400) or closes (no 'connect' listener)", async () => {
    expect((await rawExchange(port, ['TRACK /auth/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'])).status).toBe(400);
    await stillServing();
    expect((await rawExchange(port, ['CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\n\r\n'])).status).toBe(0);
    await stillServing();
  });

  it('answers a Host that makes no URL with 400, and keeps serving', async () => {
    // Each part a bare host and port must not have: a space, a path, a query, a fragment, a user, a password.
    for (const host of ['a b', 'exa mple.test:80', 'evil.example/x?', 'evil.example?x', 'evil.example#x', 'user@evil.example', ':secret@evil.example']) {
      expectRefusal(await rawExchange(port, [`GET /auth/ HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`]), 400, 'request.invalid_host');
    }
    await stillServing();
  });

  it('routes an absolute-form target by its path, as the standalone server does, and never by its authority', async () => {
    const answer = await rawExchange(port, ['GET http://evil.example/auth/profile HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n']);
    expectRefusal(answer, 403, 'session.required');
    const elsewhere = await rawExchange(port, ['GET http://localhost/profile HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n']);
    expectRefusal(elsewhere, 404, 'route.not_found');
    expectRefusal(await rawExchange(port, ['OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n']), 400, 'request.malformed_url');
    await stillServing();
  });

  it('takes a target starting // as a path, never as an authority: //evil.example/auth/profile is no route', async () => {
    const answer = await rawExchange(port, ['GET //evil.example/auth/profile HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n']);
    expectRefusal(answer, 404, 'route.not_found');
    expect(answer.body).toContain('//evil.example/auth/profile');
    await stillServing();
  });

  it('survives a body that breaks off mid-stream (a broken chunk, a short body) and keeps serving', async () => {
    const head = 'POST /auth/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n';
    const broken = await rawExchange(port, [`${head}Transfer-Encoding: chunked\r\n\r\n5\r\nemail\r\n`, 'zz\r\n\r\n']);
    expect(broken.status).toBe(400);
    const short = await rawExchange(port, [`${head}Content-Length: 100\r\n\r\nemail=a`]);
    expect(short.status).toBe(400);
    await stillServing();
  });
});

describe('toNodeHandler under node:http2 (cleartext)', () => {
  let dir: TempDir;
  let handler: SesameFetchHandler;
  let server: http2.Http2Server;
  let url: string;

  beforeAll(async () => {
    dir = makeTempDir('h2-host');
    handler = await createFetchHandler({
      profile: 'development',
      prefix: '/auth',
      settings: { DATABASE_URL: `sqlite:${join(dir.path, 'h2-host.db')}`, BCRYPT_COST: '4', LOG_LEVEL: 'silent' },
    });
    server = http2.createServer(toNodeHandler(handler) as unknown as Parameters<typeof http2.createServer>[0]);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    await handler?.close();
    dir?.remove();
  });

  /** One HTTP/2 request; resolves with the status, the headers and the body. */
  function h2(method: string, path: string): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const client = http2.connect(url);
      client.on('error', reject);
      const stream = client.request({ ':method': method, ':path': path }, { endStream: true });
      let headers: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.on('response', (received) => (headers = received));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', reject);
      stream.on('end', () => {
        client.close();
        resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
  }

  it('serves a normal request (pseudo-headers are not passed on as headers) and answers TRACK and TRACE with 501', async () => {
    expect(await h2('GET', '/auth/')).toMatchObject({ status: 200, body: '{"message":"Bienvenue"}' });
    for (const method of ['TRACK', 'TRACE']) {
      const answer = await h2(method, '/auth/');
      expect(answer.status).toBe(501);
      expect(answer.headers['sesame-error']).toBe('request.method_not_implemented');
    }
    expect((await h2('GET', '/auth/')).status).toBe(200);
  });
});
