/**
 * Sesame for any framework: a web-standard handler, `(Request) => Promise<Response>`, that serves the very routes the
 * Fastify plugin serves, with the same behaviour (validation, limits, the cross-site guard, cookies, errors, headers),
 * because it *is* the plugin: the request is handed to an internal Fastify instance through its in-memory `inject`
 * (no socket, no port), and its answer is turned back into a `Response`. One implementation, so the two faces can
 * never drift apart; the cost is a copy of each body, small for a form of three fields.
 * @module
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { parse } from 'cookie';
import { ConfigError, loadConfig } from '../../config.js';
import { peerTrust, REQUEST_ID_HEADER, requestIdGenerator } from '../../kernel/http/request-id.js';
import type { PublicUser } from '../../modules/users/index.js';
import { toPublicUser } from '../../modules/users/index.js';
import { sessionHandle } from '../../modules/sessions/index.js';
import type { Sesame } from '../../sesame.js';
import { answerFor, ERROR_HEADER, RequestError, sendError, type RequestErrorCode } from '../api/errors.js';
import { standaloneOnlyProblems } from '../api/host-settings.js';
import { API_BODY_LIMIT, sesamePlugin, type SesamePluginOptions } from '../api/plugin.js';
import { seedReasonPhrase } from '../api/reason-phrases.js';
import { SECURITY_HEADERS } from '../api/security-headers.js';

/** Options of {@link createFetchHandler}: the plugin's (a required `profile`, `settings`, `prefix`, ...). */
export type FetchHandlerOptions = SesamePluginOptions;

/** What the host knows about the connection a request came on, which a `Request` does not carry. */
export interface ConnectionInfo {
  /**
   * The peer's IP address (e.g. Node's `req.socket.remoteAddress`). The rate limits count per client address, so
   * without it every client shares one budget (127.0.0.1). `TRUST_PROXY` is checked against it: when it names this
   * peer, `X-Forwarded-For`, `-Proto`, `-Host` and `X-Request-Id` are believed. Without it they never are, whatever
   * `TRUST_PROXY` says: nothing then tells the host's proxy from a client that sends those headers itself. May be
   * `undefined` outright, so a host can pass its framework's optional address as it is (under
   * `exactOptionalPropertyTypes` too).
   */
  readonly clientAddress?: string | undefined;
}

/** A host's view of a signed-in request: the account (without its hashes) and the session's opaque handle. */
export interface HostSession {
  /** The signed-in account. */
  readonly user: PublicUser;
  /** The session's 16-hex-digit handle, as `GET /sessions` lists it (never the credential). */
  readonly handle: string;
}

/** The handler and what goes with it. */
export interface SesameFetchHandler {
  /** Serves one request for any of Sesame's routes (mount it under `prefix`); never throws for a bad request. */
  handle(request: Request, connection?: ConnectionInfo): Promise<Response>;
  /** The live session a request's `Cookie` header presents, or null: for a host's own routes (validated, never cached). */
  getSession(headers: Headers | Readonly<Record<string, string | string[] | undefined>>): Promise<HostSession | null>;
  /** The Sesame instance behind it (its services, settings and facades). */
  readonly sesame: Sesame;
  /** Closes the instance (database, sweeper, threads); call once when the host stops. */
  close(): Promise<void>;
}

/** Reads at most `limit` + 1 bytes of a body: enough for Fastify to see it is too large, never a whole flood in memory. */
async function readCapped(request: Request, limit: number): Promise<Buffer | undefined> {
  if (request.body === null) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size > limit) break;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit + 1);
}

/**
 * Whether something before Sesame read this request's body: a host's body parser (Hono's `c.req.json()`, a
 * middleware that parsed the form) leaves the stream used or held by a reader, and what is left is no body at all.
 */
export function bodyConsumed(request: Request): boolean {
  return request.bodyUsed || request.body?.locked === true;
}

/** Instances already warned about a consumed body: the warning is for the operator, once, not once per request. */
const warnedOfConsumedBodies = new WeakSet<Sesame>();

/**
 * The answer when the host's own body parser read the body before Sesame's handler: `host.body_consumed`, which says
 * what to change, rather than a refusal that blames the client for a body it did send. Logged as a warning the first
 * time for each instance, since every later request fails the same way until the host is fixed.
 */
export function consumedBodyRefusal(sesame: Sesame, path: string): Response {
  if (!warnedOfConsumedBodies.has(sesame)) {
    warnedOfConsumedBodies.add(sesame);
    sesame.log.warn({ code: 'host.body_consumed', path }, "the request body was read before Sesame's handler: mount Sesame's handler before any body parser");
  }
  return refusalResponse('host.body_consumed');
}

/**
 * Headers only a trusted proxy may set: the forwarded client address, scheme and host, and the request id. Dropped
 * when the host gives no `clientAddress`, so that `TRUST_PROXY` (checked against the peer's address, which is then
 * unknown) can never be satisfied by a stand-in address: with `TRUST_PROXY=loopback` a client could otherwise pick
 * its own address, and so its own rate-limit budget, through `X-Forwarded-For`.
 */
const PROXY_HEADERS: ReadonlySet<string> = new Set(['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', REQUEST_ID_HEADER]);

/**
 * The request's headers as Fastify's inject takes them (a body cut at the limit keeps its announced length, so
 * Fastify refuses it as too large), without the proxy's headers when the peer is unknown.
 */
function headersOf(request: Request, peerKnown: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    if (peerKnown || !PROXY_HEADERS.has(name)) headers[name] = value;
  });
  return headers;
}

/** Turns inject's answer into a `Response`, every `Set-Cookie` line kept apart. */
function responseOf(answer: { statusCode: number; statusMessage: string; headers: Record<string, string | string[] | number | undefined>; rawPayload: Buffer }, method: string): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value === undefined || name === 'content-length' || name === 'connection' || name === 'transfer-encoding') continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, String(item));
  }
  // A Response refuses a body on these statuses; HEAD answers carry none either.
  const bodyless = method === 'HEAD' || [101, 204, 205, 304].includes(answer.statusCode);
  // The seed's reason phrase (`401 UNAUTHORIZED`) rides on statusText; whether the host's server writes it on the
  // status line is up to its adapter (Node's own response does; @hono/node-server writes the standard phrase).
  return new Response(bodyless ? null : new Uint8Array(answer.rawPayload), { status: answer.statusCode, statusText: answer.statusMessage, headers });
}

/**
 * A refusal made without the internal server, in the table's shape (status, `{"message"}`, `Sesame-Error`, the
 * security headers, a fresh request id): for what never becomes a request Fastify can see, such as a body that broke
 * off, or a method or `Host` a WHATWG `Request` cannot even be built from (the Node adapter).
 */
export function refusalResponse(code: RequestErrorCode): Response {
  const { status, message } = answerFor(new RequestError(code));
  const headers = new Headers(SECURITY_HEADERS);
  headers.set('content-type', 'application/json; charset=utf-8');
  headers.set(ERROR_HEADER, code);
  headers.set(REQUEST_ID_HEADER, randomUUID());
  return new Response(JSON.stringify({ message }), { status, statusText: seedReasonPhrase(status), headers });
}

/**
 * Builds the handler: an internal Fastify instance carrying the plugin under `prefix` (mount the handler at the same
 * path in the host), with the standalone server's proxy trust and body limit. Rejects as the plugin does for a
 * missing profile or a refused setting.
 */
export async function createFetchHandler(options: FetchHandlerOptions): Promise<SesameFetchHandler> {
  const { TRUST_PROXY: proxySetting, ...pluginSettings } = (options.settings ?? {}) as Readonly<Record<string, string | undefined>>;
  const standalone = standaloneOnlyProblems(options.settings ?? {}, 'fetch');
  if (standalone.length > 0) throw new ConfigError(standalone);
  // The server-level settings (proxy trust) come from the same settings the plugin reads; the plugin itself, which a
  // Fastify host would give its own trustProxy, does not see TRUST_PROXY.
  const trustProxy = loadConfig({ ...pluginSettings, ...(proxySetting === undefined ? {} : { TRUST_PROXY: proxySetting }), SESAME_PROFILE: options.profile }, { strict: true }).server.trustProxy;
  const bodyLimit = options.bodyLimit ?? API_BODY_LIMIT;
  const app: FastifyInstance = Fastify({
    logger: false,
    bodyLimit,
    trustProxy: typeof trustProxy === 'boolean' ? trustProxy : [...trustProxy],
    // The standalone server's request ids: a trusted proxy's X-Request-Id kept, else a fresh UUID, echoed on every answer.
    requestIdHeader: false,
    genReqId: requestIdGenerator(peerTrust(trustProxy)),
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.header(REQUEST_ID_HEADER, String(request.id));
    done(null, payload);
  });
  // Outside the prefix (a host that hands every path over), the table's 404 rather than Fastify's, which quotes the
  // URL with its query string.
  app.setNotFoundHandler((request, reply) => {
    void reply.headers(SECURITY_HEADERS);
    void sendError(reply, new RequestError('route.not_found', `no route for ${request.method} ${request.url.split('?')[0] ?? ''}`));
  });
  await app.register(sesamePlugin, { ...options, settings: pluginSettings });
  await app.ready();
  const { sesame } = app;
  const cookieName = sesame.config.sessions.cookie.name;

  return {
    sesame,
    async handle(request, connection = {}) {
      const url = new URL(request.url);
      // Checked before reading: a used stream would otherwise fail in the reader, and look like a client's broken body.
      if (bodyConsumed(request)) return consumedBodyRefusal(sesame, url.pathname);
      let payload: Buffer | undefined;
      try {
        payload = await readCapped(request, bodyLimit);
      } catch {
        // The body broke off (the client went away, the host's stream failed): nothing to act on, and still an answer.
        return refusalResponse('request.malformed');
      }
      const answer = await app.inject({
        method: request.method as 'GET',
        url: `${url.pathname}${url.search}`,
        headers: headersOf(request, connection.clientAddress !== undefined),
        remoteAddress: connection.clientAddress ?? '127.0.0.1',
        ...(payload === undefined ? {} : { payload }),
      });
      return responseOf(answer, request.method);
    },
    async getSession(headers) {
      const header = headers instanceof Headers ? headers.get('cookie') : headers['cookie'];
      const text = Array.isArray(header) ? header.join('; ') : header;
      const sessionId = text ? parse(text)[cookieName] : undefined;
      const session = await sesame.sessions.validate(sessionId);
      return session === null ? null : { user: toPublicUser(session.user), handle: sessionHandle(session.idHash) };
    },
    close: () => app.close(),
  };
}
