/**
 * The per-framework guides under docs/guides/ are true: each guide's code block is, character for character, the
 * example file this test runs, and each server example, started as a reader would start it (`tsx`, `PORT=0`, a SQLite
 * file in a temp dir), serves sign-up, sign-in, a protected route with the session and sign-out over real HTTP. The
 * single-page-app guide's module drives the Fastify guide's server from Node, whose `fetch` the client uses as a
 * browser's. The examples import `sesame-auth` by its package name, which resolves to the build (dist/), as it does for
 * a reader: the test refuses to run on a build older than the sources.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../support/temp.js';
import { blocksOf, REPO_ROOT } from './code-blocks.js';

/** Where the guides and their examples live. */
const GUIDES = join(REPO_ROOT, 'docs', 'guides');

/** How a server example is exercised once it listens. */
type Drive = (url: string) => Promise<void>;

/** A guide and the example file its code block must equal. */
interface Guide {
  /** The guide's file name under docs/guides/. */
  readonly page: string;
  /** The example's file name under docs/guides/examples/. */
  readonly example: string;
}

/** A form body as a browser (or curl -d) sends it. */
function form(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString(), redirect: 'manual' };
}

/** A fresh address per run, so a rerun on the same machine never meets an account of an earlier one. */
function address(label: string): string {
  return `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}

const PASSWORD = 'correct-horse-battery';

/** The `session_id` cookie an answer sets, as a `Cookie` header value, or undefined. */
function sessionCookie(answer: Response): string | undefined {
  const line = answer.headers.getSetCookie().find((cookie) => cookie.startsWith('session_id='));
  return line?.split(';')[0];
}

/** The API hosts' journey: the guarded route refuses, then sign up, sign in, the route with the cookie, sign out. */
const driveApi: Drive = async (url) => {
  const email = address('guide');
  expect((await fetch(`${url}/dashboard`)).status).toBe(403);
  // JSON for one request, forms for the rest: a host's JSON parser mounted before Sesame would break the first.
  const registered = await fetch(`${url}/auth/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  expect(registered.status).toBe(200);
  const login = await fetch(`${url}/auth/sessions`, form({ email, password: PASSWORD }));
  expect(login.status).toBe(200);
  const cookie = sessionCookie(login);
  expect(cookie).toMatch(/^session_id=[0-9a-f-]{36}$/);
  const dashboard = await fetch(`${url}/dashboard`, { headers: { cookie: cookie ?? '' } });
  expect(dashboard.status).toBe(200);
  expect(await dashboard.json()).toEqual({ hello: email });
  const logout = await fetch(`${url}/auth/sessions`, { method: 'DELETE', headers: { cookie: cookie ?? '' }, redirect: 'manual' });
  expect(logout.status).toBe(302);
  expect(logout.headers.getSetCookie().join('\n')).toMatch(/^session_id=;/m);
  expect((await fetch(`${url}/dashboard`, { headers: { cookie: cookie ?? '' } })).status).toBe(403);
};

/** A browser's cookies, enough for the hosted pages: every cookie sent everywhere, a cleared one forgotten. */
class Browser {
  readonly #cookies = new Map<string, string>();

  /** Starts a browser for the site at `origin`. */
  constructor(readonly origin: string) {}

  /** Sends a request with the cookies held and the browser's `Origin` on a POST, keeping what the answer sets. */
  async open(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#cookies.size > 0) headers.set('cookie', [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    if (init.method === 'POST') headers.set('origin', this.origin);
    const answer = await fetch(new URL(path, this.origin), { redirect: 'manual', ...init, headers });
    for (const line of answer.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const equals = pair.indexOf('=');
      const name = pair.slice(0, equals);
      const value = pair.slice(equals + 1);
      if (value === '' || /max-age=0\b/i.test(line) || /expires=thu, 01 jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return answer;
  }

  /** Opens a page, then posts its form with `fields` and the form's hidden token, as pressing its button does. */
  async submit(path: string, fields: Record<string, string>): Promise<Response> {
    const page = await this.open(path);
    expect(page.status).toBe(200);
    const token = /name="form_token" value="([^"]+)"/.exec(await page.text())?.[1];
    expect(token).toBeDefined();
    const target = new URL(path, this.origin);
    return this.open(target.pathname, form({ ...fields, form_token: token ?? '' }));
  }

  /** Whether a session cookie is held. */
  get signedIn(): boolean {
    return this.#cookies.has('session_id');
  }
}

/** The hosted-pages journey: redirected to sign in, sign up and sign in on Sesame's pages, back to the page, sign out. */
const drivePages: Drive = async (url) => {
  const email = address('pages');
  const browser = new Browser(url);
  const away = await browser.open('/dashboard');
  expect(away.status).toBe(302);
  const login = away.headers.get('location') ?? '';
  expect(login).toBe('/auth/account/login?return_to=%2Fdashboard');
  const signInPage = await (await browser.open(login)).text();
  expect(signInPage).toContain('<title>');
  expect(signInPage).toContain('Notes');
  expect(signInPage).toContain('Create an account');
  const signedUp = await browser.submit('/auth/account/signup', { email, password: PASSWORD });
  expect(signedUp.status).toBe(200);
  expect(await signedUp.text()).toContain('Your account is ready');
  const back = await browser.submit(login, { email, password: PASSWORD, return_to: '/dashboard' });
  expect(back.status).toBe(303);
  expect(back.headers.get('location')).toBe('/dashboard');
  expect(browser.signedIn).toBe(true);
  const dashboard = await browser.open('/dashboard');
  expect(dashboard.status).toBe(200);
  expect(await dashboard.text()).toContain(`Signed in as ${email}.`);
  const signedOut = await browser.submit('/auth/account/logout', {});
  expect([200, 303]).toContain(signedOut.status);
  expect(browser.signedIn).toBe(false);
  expect((await browser.open('/dashboard')).headers.get('location')).toBe(login);
};

/**
 * What the single-page-app guide's module offers the page, written out here rather than imported as a type: the
 * example resolves `sesame-auth/client` to the build, which the project's type check must not depend on.
 */
interface Account {
  signUp(email: string, password: string): Promise<string>;
  signIn(email: string, password: string): Promise<string>;
  currentEmail(): Promise<string | null>;
  signOut(): Promise<void>;
}

/** The single-page app's account module, driven against a running server the way its page would call it. */
const driveSpa: Drive = async (url) => {
  // Loaded at run time, by the test runner (the server examples run under tsx in their own processes).
  const { createAccount } = (await import(pathToFileURL(join(GUIDES, 'examples', 'spa.ts')).href)) as { createAccount(baseUrl: string): Account };
  const email = address('spa');
  const account = createAccount(`${url}/auth`);
  expect(await account.currentEmail()).toBeNull();
  expect(await account.signUp(email, PASSWORD)).toBe(`Signed in as ${email}`);
  expect(await account.currentEmail()).toBe(email);
  expect(await account.signUp(email, PASSWORD)).toBe('This address already has an account: sign in.');
  await account.signOut();
  expect(await account.currentEmail()).toBeNull();
  expect(await account.signIn(email, 'not the password')).toBe('Wrong email or password.');
  expect(await account.signIn(email, PASSWORD)).toBe(`Signed in as ${email}`);
  expect(await account.currentEmail()).toBe(email);
};

/** Every guide, its example, and the server the test starts for it (the SPA runs on the Fastify guide's). */
const CASES: ReadonlyArray<Guide & { readonly server: string; readonly drive: Drive }> = [
  { page: 'fastify.md', example: 'fastify.ts', server: 'fastify.ts', drive: driveApi },
  { page: 'express.md', example: 'express.ts', server: 'express.ts', drive: driveApi },
  { page: 'hono.md', example: 'hono.ts', server: 'hono.ts', drive: driveApi },
  { page: 'node-http.md', example: 'node-http.ts', server: 'node-http.ts', drive: driveApi },
  { page: 'spa.md', example: 'spa.ts', server: 'fastify.ts', drive: driveSpa },
  { page: 'hosted-pages.md', example: 'hosted-pages.ts', server: 'hosted-pages.ts', drive: drivePages },
];

/** A server example running in a child process, as `npx tsx server.ts` runs it. */
interface Running {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
}

/** Starts an example on port 0 with its database in `dir`, resolving once it prints the address it listens on. */
function start(example: string, dir: string): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(GUIDES, 'examples', example)], {
    // From the repository, where `--import tsx` resolves; the database is the temp dir's all the same.
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'auth.db')}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const seen = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] !== undefined) resolve({ url: match[1], child, output: () => output });
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.once('exit', (code) => reject(new Error(`${example} exited (${String(code)}) before listening:\n${output}`)));
  });
}

/** Sends SIGTERM and resolves with the exit code, once the example has closed its server and Sesame. */
function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('the guides', () => {
  it('are all here, each tested below, and linked from the guides index and from README', () => {
    const pages = readdirSync(GUIDES).filter((name) => name.endsWith('.md') && name !== 'README.md');
    expect(pages.sort()).toEqual(CASES.map((c) => c.page).sort());
    const index = readFileSync(join(GUIDES, 'README.md'), 'utf8');
    for (const page of pages) expect(index).toContain(`](${page})`);
    expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').includes('](docs/guides/README.md)'), 'README links to docs/guides/README.md').toBe(true);
  });

  it.each(CASES)('$page shows exactly the code of examples/$example', ({ page, example }) => {
    const blocks = blocksOf(page, readFileSync(join(GUIDES, page), 'utf8'));
    expect(blocks).toHaveLength(1);
    expect(blocks[0]?.code).toBe(readFileSync(join(GUIDES, 'examples', example), 'utf8'));
  });
});

describe('the guides\' examples, run over HTTP', () => {
  let dir: TempDir;

  beforeAll(async () => {
    // The examples import the package by name, which resolves to dist/: an old build would test old code.
    const { isStale } = (await import(pathToFileURL(join(REPO_ROOT, 'scripts', 'build-if-stale.mjs')).href)) as { isStale(): boolean };
    if (isStale()) throw new Error('dist/ is missing or older than src/: run `npm run build` first');
    dir = makeTempDir('guides');
  });
  afterAll(() => dir?.remove());

  it.each(CASES)('$page: $server serves sign-up, sign-in, the protected route and sign-out, then stops cleanly', async ({ page, server, drive }) => {
    const home = join(dir.path, page.replace(/\.md$/, ''));
    mkdirSync(home);
    const running = await start(server, home);
    try {
      await drive(running.url);
    } finally {
      expect(await stop(running.child), running.output()).toBe(0);
    }
    expect(existsSync(join(home, 'auth.db'))).toBe(true);
  });
});
