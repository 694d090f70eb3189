// The served OpenAPI document is complete enough for generated clients: Redocly's recommended rules find no error
// and no warning in it (two rules are off in redocly.yaml, each with its reason, and checked here instead), every
// operation is named and tagged, says whether it needs the session cookie, and lists every answer it can give with
// its headers; and the answers the service really sends are the documented ones, bodies unchanged.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_HEADER } from '../../../src/surfaces/api/errors.js';
import { REPO_ROOT } from '../../support/built-server.js';
import { startService, type Service } from '../../support/in-process.js';
import { makeTempDir, type TempDir } from '../../support/temp.js';

/** The parts of a response object these tests read. */
interface ResponseObject {
  description: string;
  headers?: Record<string, { schema: { type: string } }>;
  content?: Record<string, { schema: { type: string; properties?: Record<string, unknown>; required?: string[] } }>;
}
/** The parts of an operation object these tests read. */
interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  requestBody?: unknown;
  responses: Record<string, ResponseObject>;
}
/** The parts of the document these tests read. */
interface OpenApiDocument {
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
}

/** Every operation's id, as clients generated from the document name them; changing one breaks those clients. */
const OPERATION_IDS: Readonly<Record<string, string>> = {
  'GET /': 'getWelcome',
  'GET /health': 'checkHealth',
  'GET /health/live': 'checkLiveness',
  'GET /health/ready': 'checkReadiness',
  'POST /users': 'registerUser',
  'GET /users/challenge': 'registrationChallenge',
  'POST /sessions': 'logIn',
  'DELETE /sessions': 'logOut',
  'GET /profile': 'getProfile',
  'POST /reset_password': 'getResetToken',
  'PUT /reset_password': 'updatePassword',
  'PUT /password': 'changePassword',
  'GET /sessions': 'listSessions',
  'POST /sessions/end': 'endSessions',
  'GET /profile/events': 'listProfileEvents',
  'GET /profile/export': 'exportProfile',
  'DELETE /profile': 'deleteProfile',
  'POST /email/verify': 'verifyEmail',
  'POST /email/verify/resend': 'resendVerification',
  'PUT /email': 'changeEmail',
  'PUT /profile/language': 'setLanguage',
};
/** The operations that need the session cookie. */
const NEED_SESSION = ['DELETE /sessions', 'GET /profile', 'PUT /password', 'GET /sessions', 'POST /sessions/end', 'GET /profile/events', 'GET /profile/export', 'DELETE /profile', 'PUT /email', 'PUT /profile/language'];
/** The operations that refuse no request (operation-4xx-response is off in redocly.yaml for them alone). */
const NEVER_REFUSE = ['GET /', 'GET /health', 'GET /health/live', 'GET /health/ready', 'GET /users/challenge'];
/** The rate-limited operations (route-limits.ts), each of which may answer 429. */
const RATE_LIMITED = ['POST /users', 'POST /sessions', 'POST /reset_password', 'PUT /reset_password', 'PUT /password', 'POST /sessions/end', 'DELETE /profile', 'POST /email/verify', 'POST /email/verify/resend', 'PUT /email'];

let app: Service;
let dir: TempDir;
let document: OpenApiDocument;
let operations: Array<[string, Operation]>;
beforeAll(async () => {
  app = await startService();
  dir = makeTempDir('openapi-lint');
  const response = await fetch(`${app.url}/openapi.json`);
  expect(response.status).toBe(200);
  document = (await response.json()) as OpenApiDocument;
  operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]));
});
afterAll(async () => {
  await app.stop();
  dir.remove();
});

/** What Redocly reports. */
interface LintReport {
  totals: { errors: number; warnings: number };
  problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }>;
}

/** Lints `doc` with Redocly's recommended rules and the repository's redocly.yaml, as `redocly lint` run at the root does. */
async function lint(doc: unknown): Promise<LintReport> {
  const file = join(dir.path, 'openapi.json');
  writeFileSync(file, JSON.stringify(doc, null, 2));
  const bin = join(REPO_ROOT, 'node_modules', '.bin', 'redocly');
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
  // Exit code 1 when it finds an error: the report says which, so read it either way.
  const { stdout } = await promisify(execFile)(bin, ['lint', '--extends=recommended', '--config', join(REPO_ROOT, 'redocly.yaml'), '--format=json', file], { cwd: REPO_ROOT, env, maxBuffer: 16 * 1024 * 1024 }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  return JSON.parse(stdout) as LintReport;
}

describe('Redocly lint (recommended)', () => {
  it('finds no error and no warning in the served document', async () => {
    const report = await lint(document);
    const problems = report.problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`);
    expect(problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it('does see problems: an operation without its id is reported', async () => {
    const broken = structuredClone(document);
    delete broken.paths['/profile']?.['get']?.operationId;
    const report = await lint(broken);
    expect(report.problems.map((p) => p.ruleId)).toContain('operation-operationId');
  }, 60_000);
});

describe('the document, operation by operation', () => {
  it('names every operation with its stable camelCase id, a summary and a tag', () => {
    expect(Object.fromEntries(operations.map(([name, op]) => [name, op.operationId]))).toEqual(OPERATION_IDS);
    for (const [name, op] of operations) {
      expect(op.operationId, name).toMatch(/^[a-z][a-zA-Z]+$/);
      expect(op.summary, name).toMatch(/\w/);
      expect(op.tags?.length, name).toBeGreaterThan(0);
    }
  });

  it('requires the session cookie exactly where the route needs one, and says the others are public', () => {
    for (const [name, op] of operations) {
      expect(op.security, name).toEqual(NEED_SESSION.includes(name) ? [{ session: [] }] : []);
    }
  });

  it('serves from `/` without PUBLIC_URL', () => {
    expect(document.servers).toEqual([{ url: '/' }]);
  });

  it('documents every refusal with the `{"message"}` body and the Sesame-Error header, and Retry-After on 429 and 503', () => {
    for (const [name, op] of operations) {
      const refusals = Object.keys(op.responses).filter((status) => Number(status) >= 400);
      if (!NEVER_REFUSE.includes(name)) expect(refusals.some((status) => status.startsWith('4')), `${name} documents a 4xx`).toBe(true);
      if (name.startsWith('GET /health')) continue;
      for (const status of refusals) {
        const response = op.responses[status];
        expect(response?.description, `${name} ${status}`).toMatch(/\w/);
        expect(Object.keys(response?.headers ?? {}).map((h) => h.toLowerCase()), `${name} ${status}`).toContain(ERROR_HEADER);
        expect(response?.content?.['application/json']?.schema, `${name} ${status}`).toMatchObject({ type: 'object', required: ['message'], properties: { message: { type: 'string' } } });
        if (status === '429' || status === '503') expect(Object.keys(response?.headers ?? {}), `${name} ${status}`).toContain('Retry-After');
      }
    }
  });

  it('lists 400, 413 and 415 for every operation with a body, 429 for each rate-limited one and 503 for each that touches the database', () => {
    for (const [name, op] of operations) {
      const statuses = Object.keys(op.responses);
      if (op.requestBody !== undefined) expect(statuses, name).toEqual(expect.arrayContaining(['400', '413', '415']));
      if (RATE_LIMITED.includes(name)) expect(statuses, name).toContain('429');
      if (!NEVER_REFUSE.includes(name)) expect(statuses, name).toContain('503');
    }
  });

  it('documents the cookie: set by login and password change, cleared by logout (a 302 with Location)', () => {
    const op = (name: string): Operation => {
      const found = operations.find(([n]) => n === name)?.[1];
      if (found === undefined) throw new Error(`no ${name}`);
      return found;
    };
    expect(Object.keys(op('POST /sessions').responses['200']?.headers ?? {})).toContain('Set-Cookie');
    expect(Object.keys(op('PUT /password').responses['200']?.headers ?? {})).toContain('Set-Cookie');
    expect(Object.keys(op('DELETE /profile').responses['200']?.headers ?? {})).toContain('Set-Cookie');
    expect(Object.keys(op('DELETE /sessions').responses)).toEqual(['302', '403', '503']);
    expect(Object.keys(op('DELETE /sessions').responses['302']?.headers ?? {}).sort()).toEqual(['Location', 'Set-Cookie']);
    expect(op('DELETE /sessions').responses['302']?.content).toBeUndefined();
  });
});

describe('PUBLIC_URL', () => {
  it('is the document\'s server', async () => {
    const service = await startService({ PUBLIC_URL: 'https://auth.sesame.test/auth/' });
    try {
      const doc = (await (await fetch(`${service.url}/openapi.json`)).json()) as OpenApiDocument;
      expect(doc.servers).toEqual([{ url: 'https://auth.sesame.test/auth' }]);
    } finally {
      await service.stop();
    }
  });
});

describe('the answers the service sends', () => {
  /** Sends a request and checks its answer is documented for the operation and is exactly `{"message"}` with its code. */
  async function refusal(operation: string, init: RequestInit & { path?: string }, status: number): Promise<void> {
    const [method, path] = operation.split(' ') as [string, string];
    const response = await fetch(`${app.url}${init.path ?? path}`, { ...init, method });
    expect(response.status, operation).toBe(status);
    const op = document.paths[path]?.[method.toLowerCase()];
    expect(Object.keys(op?.responses ?? {}), operation).toContain(String(status));
    expect(response.headers.get(ERROR_HEADER), operation).toMatch(/^[a-z_]+\.[a-z_]+$/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body), operation).toEqual(['message']);
    expect(body['message'], operation).toMatch(/\w/);
  }
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  it('are documented, with bodies that are still `{"message"}` alone', async () => {
    await refusal('POST /users', { headers: form, body: 'email=a%40example.com' }, 400);
    await refusal('POST /users', { headers: { 'content-type': 'text/plain' }, body: 'hello' }, 415);
    await refusal('POST /users', { headers: form, body: `email=a%40example.com&password=${'x'.repeat(20_000)}` }, 413);
    await refusal('POST /sessions', { headers: form, body: 'email=nobody%40example.com&password=nope' }, 401);
    await refusal('POST /sessions', { headers: { ...form, origin: 'https://evil.example' }, body: 'email=a%40example.com&password=p' }, 403);
    await refusal('GET /profile', {}, 403);
    await refusal('GET /sessions', {}, 403);
    await refusal('GET /profile/events', {}, 403);
    await refusal('GET /profile/export', {}, 403);
    await refusal('DELETE /profile', { headers: form, body: 'password=p' }, 403);
    await refusal('DELETE /sessions', {}, 403);
    await refusal('POST /reset_password', { headers: form, body: 'email=nobody%40example.com' }, 403);
    await refusal('PUT /reset_password', { headers: form, body: 'email=nobody%40example.com&reset_token=t&new_password=p' }, 403);
  });
});
