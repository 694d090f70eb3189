// The client keeps up with the API: every operation of the served OpenAPI document (but the operations tag: health
// checks) has a client method, each method requests its operation's route, and the method tables of README and of the
// client package's README are exactly the client's methods, each beside its route. A route added without a method,
// or a method left out of either README, fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSesameClient, type SesameClient } from '../../src/client/index.js';
import { REPO_ROOT } from '../support/built-server.js';
import { startService, type Service } from '../support/in-process.js';

/** A client method's name. */
type MethodName = Exclude<keyof SesameClient, 'cookieJar'>;

/**
 * The public API's operations, by `operationId`, and the method that calls each. Written out rather than derived: the
 * client names some methods after what a caller does (`login` for `logIn`, `requestResetToken` for `getResetToken`).
 */
const METHOD_OF: Readonly<Record<string, MethodName>> = {
  getWelcome: 'home',
  registerUser: 'register',
  registrationChallenge: 'registrationChallenge',
  logIn: 'login',
  logOut: 'logout',
  getProfile: 'profile',
  listSessions: 'listSessions',
  endSessions: 'endSessions',
  getResetToken: 'requestResetToken',
  updatePassword: 'updatePassword',
  changePassword: 'changePassword',
  verifyEmail: 'verifyEmail',
  resendVerification: 'resendVerification',
  changeEmail: 'changeEmail',
  setLanguage: 'setLanguage',
  listProfileEvents: 'listProfileEvents',
  exportProfile: 'exportProfile',
  deleteProfile: 'deleteProfile',
};

/** Health checks the client also calls; `checkHealth` has no method of its own, `ready` asks the same. */
const OPERATIONS_METHOD_OF: Readonly<Record<string, MethodName>> = {
  checkReadiness: 'ready',
  checkLiveness: 'live',
};

/** The parts of an operation these tests read. */
interface Operation {
  operationId: string;
  tags?: string[];
}

/** An operation with where it is served. */
interface Route {
  readonly method: string;
  readonly path: string;
  readonly operation: Operation;
}

let service: Service;
let routes: Route[];
beforeAll(async () => {
  service = await startService();
  const response = await fetch(`${service.url}/openapi.json`);
  expect(response.status).toBe(200);
  const document = (await response.json()) as { paths: Record<string, Record<string, Operation>> };
  routes = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => method !== 'head')
      .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
});
afterAll(() => service.stop());

/** The route serving an operation. */
function routeOf(operationId: string): string {
  const found = routes.find((route) => route.operation.operationId === operationId);
  if (found === undefined) throw new Error(`no operation ${operationId} in the document`);
  return `${found.method} ${found.path}`;
}

/** The client's methods, read from a real client so a method added to it and not here is seen. */
function clientMethods(): string[] {
  const client = createSesameClient({ baseUrl: 'http://sesame.invalid' });
  return Object.entries(client)
    .filter(([, value]) => typeof value === 'function')
    .map(([name]) => name)
    .sort();
}

/** The method table of a README section: each row's method name and route, every row starting with a backtick. */
function methodTable(markdown: string): Array<{ method: string; route: string }> {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const row = /^\| `(\w+)\(.*\| `((?:GET|POST|PUT|DELETE) \/\S*)` \|$/.exec(line);
      if (row === null) throw new Error(`a method row without a method and one route: ${line}`);
      return { method: row[1] ?? '', route: row[2] ?? '' };
    });
}

/** The text of README between a heading and the next heading of the same level or above. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no heading ${heading}`);
  const rest = markdown.slice(start + heading.length + 2);
  const end = rest.search(/^#{1,3} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

describe('the client against the OpenAPI document', () => {
  it('has a method for every public operation, and every method is one of an operation', () => {
    const publicIds = routes.filter((route) => !(route.operation.tags ?? []).includes('operations')).map((route) => route.operation.operationId);
    expect(publicIds.sort()).toEqual(Object.keys(METHOD_OF).sort());
    for (const operationId of Object.keys(OPERATIONS_METHOD_OF)) expect(routeOf(operationId)).toMatch(/^GET \/health\//);
    expect(clientMethods()).toEqual([...Object.values(METHOD_OF), ...Object.values(OPERATIONS_METHOD_OF)].sort());
  });

  it('sends each method to its operation\'s route', async () => {
    const requested: string[] = [];
    const client = createSesameClient({
      baseUrl: 'http://sesame.invalid/auth',
      fetch: async (input, init) => {
        requested.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname.replace(/^\/auth/, '')}`);
        return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
      },
    });
    // One input carrying every field any method reads (`token` picks verifyEmail's link form).
    const input = { email: 'a@example.com', password: 'pw', new_password: 'pw2', new_email: 'b@example.com', reset_token: 't', token: 't', session: 'all', language: 'en' };
    for (const [operationId, method] of Object.entries({ ...METHOD_OF, ...OPERATIONS_METHOD_OF })) {
      requested.length = 0;
      await (client[method] as (input: unknown) => Promise<unknown>)(input);
      expect(requested, method).toEqual([routeOf(operationId)]);
    }
  });
});

describe('README lists the client\'s methods', () => {
  /** The route each method requests, by the operation map and the document. */
  const routeOfMethod = (): Map<string, string> =>
    new Map(Object.entries({ ...METHOD_OF, ...OPERATIONS_METHOD_OF }).map(([operationId, method]) => [method, routeOf(operationId)]));

  it.each([
    ['README.md', 'A typed client', (text: string) => section(text, '### A typed client: `sesame-auth/client` or `sesame-auth-client`')],
    ['packages/client/README.md', 'the whole file', (text: string) => text],
  ])('%s (%s): every method once, each beside its route', (file, _where, pick) => {
    const table = methodTable(pick(readFileSync(join(REPO_ROOT, file), 'utf8')));
    expect(table.map((row) => row.method).sort()).toEqual(clientMethods());
    const routes = routeOfMethod();
    for (const row of table) expect(row.route, row.method).toBe(routes.get(row.method));
  });
});
