/**
 * The HTTP clients every suite uses: `send` (global fetch, no redirects followed) for well-formed requests,
 * {@link CookieJar} to keep the cookies a server sets across requests as a browser does, and `rawSend` (node:http)
 * for what fetch refuses to send: repeated headers, raw bytes in header values, any method.
 * @module
 */
import { request as httpRequest } from 'node:http';

/** A response read in full. */
export interface Reply {
  /** HTTP status code. */
  readonly status: number;
  /** The reason phrase of the status line, as the server wrote it (`FORBIDDEN`). */
  readonly statusText: string;
  /** Response headers (lower-case names; repeated `set-cookie` kept apart in {@link Reply.setCookies}). */
  readonly headers: Readonly<Record<string, string>>;
  /** Every `Set-Cookie` header line. */
  readonly setCookies: readonly string[];
  /** Body text. */
  readonly text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  readonly json: unknown;
  /** The body's `message` when it is a JSON object with a string `message`. */
  readonly message: string | undefined;
  /** The value the response sets for `session_id`, or undefined when it sets none. */
  readonly sessionId: string | undefined;
}

/** What to send. */
export interface Outgoing {
  /** Form fields, sent as `application/x-www-form-urlencoded` (what Python `requests` sends). */
  readonly form?: Readonly<Record<string, string>>;
  /** A value sent as `application/json`. */
  readonly json?: unknown;
  /** The `session_id` cookie. */
  readonly sessionId?: string;
  /** Extra headers (e.g. `origin`, `sec-fetch-site`, `x-forwarded-for`, or a whole `cookie`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Parses a body as JSON, or undefined. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The `message` of a JSON object body, when it is a string. */
function messageOf(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !('message' in json)) return undefined;
  const { message } = json as { message: unknown };
  return typeof message === 'string' ? message : undefined;
}

/** The `session_id` value among Set-Cookie lines, or undefined. */
export function sessionIdFrom(setCookies: readonly string[]): string | undefined {
  for (const line of setCookies) {
    const match = /^session_id=([^;]*)/.exec(line);
    if (match !== null) return decodeURIComponent(match[1] ?? '');
  }
  return undefined;
}

/** Builds a {@link Reply} from the pieces of a response. */
function reply(status: number, statusText: string, headers: Record<string, string>, setCookies: string[], text: string): Reply {
  const json = parseJson(text);
  return { status, statusText, headers, setCookies, text, json, message: messageOf(json), sessionId: sessionIdFrom(setCookies) };
}

/** Sends one request with fetch, never following redirects, and reads the whole response. */
export async function send(baseUrl: string, method: string, path: string, outgoing: Outgoing = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (outgoing.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(outgoing.form).toString();
  } else if (outgoing.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(outgoing.json);
  }
  if (outgoing.sessionId !== undefined) headers['cookie'] = `session_id=${outgoing.sessionId}`;
  Object.assign(headers, outgoing.headers);
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  const plain: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    plain[name] = value;
  });
  return reply(response.status, response.statusText, plain, response.headers.getSetCookie(), text);
}

/**
 * A client with a cookie jar: each request carries the cookies earlier answers set, and an answer that clears a
 * cookie (`Max-Age=0`) removes it, as a browser or Python's `requests.Session` does.
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Takes the base URL every request is sent to. */
  constructor(readonly baseUrl: string) {}

  /** The value the jar holds for a cookie, or undefined. */
  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** Sends a request with the jar's cookies (and any extra headers) and stores what the answer sets. */
  async send(method: string, path: string, outgoing: Omit<Outgoing, 'sessionId'> = {}): Promise<Reply> {
    const cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const headers = cookie === '' ? outgoing.headers : { cookie, ...outgoing.headers };
    const answer = await send(this.baseUrl, method, path, { ...outgoing, ...(headers === undefined ? {} : { headers }) });
    for (const line of answer.setCookies) {
      const match = /^([^=;\s]+)=([^;]*)/.exec(line);
      if (match === null) continue;
      const [, name = '', value = ''] = match;
      if (/;\s*max-age=0\b/i.test(line) || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return answer;
  }
}

/** A request for {@link rawSend}: headers as name/value pairs, so a name may repeat. */
export interface RawOutgoing {
  readonly method: string;
  readonly path: string;
  /** Header pairs; values are sent byte for byte as latin1 (encode UTF-8 first to send UTF-8 bytes). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Body bytes, or none. */
  readonly body?: string | Buffer;
}

/** Sends one request with node:http (which accepts what fetch refuses) and reads the whole response. */
export function rawSend(baseUrl: string, outgoing: RawOutgoing): Promise<Reply> {
  const { hostname, port } = new URL(baseUrl);
  // With headers given as a list, node:http adds no Host header of its own (and a server answers 400 without one).
  // Nor, for GET/DELETE/HEAD/OPTIONS, a Content-Length: the body would go unframed and read as a second request.
  const has = (wanted: string): boolean => outgoing.headers.some(([name]) => name.toLowerCase() === wanted);
  const pairs: Array<readonly [string, string]> = [...outgoing.headers];
  if (!has('host')) pairs.unshift(['host', `${hostname}:${port}`]);
  if (outgoing.body !== undefined && !has('content-length') && !has('transfer-encoding')) {
    pairs.push(['content-length', String(Buffer.byteLength(outgoing.body))]);
  }
  const flat = pairs.flatMap(([name, value]) => [name, value]);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: hostname, port: Number(port), method: outgoing.method, path: outgoing.path, headers: flat, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string') headers[name] = value;
            else if (Array.isArray(value)) headers[name] = value.join(', ');
          }
          const setCookies = res.headers['set-cookie'] ?? [];
          resolve(reply(res.statusCode ?? 0, res.statusMessage ?? '', headers, setCookies, Buffer.concat(chunks).toString('utf8')));
        });
      },
    );
    req.on('error', reject);
    req.end(outgoing.body);
  });
}

/** A fresh, unique email for one test, so counters and accounts never collide between tests or runs. */
export function uniqueEmail(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}@sec.example`;
}

/** A random private IPv4 address, sent as `X-Forwarded-For` (with TRUST_PROXY=true) to give each test its own IP key. */
export function uniqueIp(): string {
  const byte = (): number => 1 + Math.floor(Math.random() * 254);
  return `10.${byte()}.${byte()}.${byte()}`;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((wake) => setTimeout(wake, ms));
}
