/**
 * The package as a user gets it: staged and packed the way a release is (`npm run package`), installed into a scratch
 * application, compiled (README's plugin example verbatim under `strict`), run and driven over HTTP; also the
 * `sesame` command, `require('sesame-auth')`, what the tarball holds and its published package.json, what npm warns
 * while installing it, and `sesame-auth/client`'s types type-checked as a browser project would. Slow (npm install),
 * so it runs once, with every package from npm's cache where it can.
 * @module
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, makeTempDir, type TempDir } from '../support/built-server.js';
import { TEST_SECRET_KEY } from '../support/settings.js';
import { startWebhookRecorder } from '../support/webhook.js';
import {
  brokenSourceMaps,
  browserScript,
  browserTsconfig,
  deadMarkdownLinks,
  DEVELOPMENT_FIELDS,
  npm,
  npmInstall,
  outsideTypeImports,
  readJson,
  stageAndPack,
  typeCheck,
  warningsBesidesFastifysCookie,
  type InstallRun,
  type Manifest,
  type PackResult,
} from './npm.js';

/** README's plugin example: the first `ts` code block of its opening section (install, mount, protect a route). */
function readmeExample(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Install, mount, protect a route'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('README has no ts example in its opening section');
  return block;
}

/**
 * Puts the repository's compiled binary of a native dependency into the scratch app when both hold the same version
 * (the same Node, the same machine); otherwise rebuilds it there.
 */
function reuseNativeBinary(app: string, name: string, binary: string): void {
  const version = (dir: string): string => (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  const built = join(REPO_ROOT, 'node_modules', name, binary);
  if (version(app) === version(REPO_ROOT) && existsSync(built)) {
    mkdirSync(dirname(join(app, 'node_modules', name, binary)), { recursive: true });
    copyFileSync(built, join(app, 'node_modules', name, binary));
  } else {
    npm(['rebuild', name], app);
  }
}

/** The repository's own package.json: what the published one is compared with. */
const REPOSITORY_MANIFEST = readJson(join(REPO_ROOT, 'package.json')) as Manifest & { readonly dependencies: Record<string, string>; readonly devDependencies: Record<string, string> };

describe('the npm package', () => {
  let dir: TempDir;
  let pack: PackResult;
  let app: string;
  /** The package as installed: what the tarball held. */
  let installed: string;
  let install: InstallRun;
  let server: ChildProcess | undefined;

  beforeAll(() => {
    dir = makeTempDir('pack');
    ({ pack } = stageAndPack('sesame-auth', dir.path));
    app = join(dir.path, 'app');
    installed = join(app, 'node_modules', 'sesame-auth');
    mkdirSync(app, { recursive: true });
    const ours = REPOSITORY_MANIFEST;
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'scratch-host',
        private: true,
        type: 'module',
        dependencies: { 'sesame-auth': `file:${join(dir.path, pack.filename)}`, fastify: ours.dependencies['fastify'] },
        devDependencies: { '@types/node': ours.devDependencies['@types/node'] },
        allowScripts: { bcrypt: true, 'better-sqlite3': true },
      }),
    );
    // Install scripts off, then the repository's own compiled better-sqlite3 copied in: compiling it again in the
    // scratch app took minutes of CPU and proves nothing about Sesame (bcrypt ships prebuilt binaries and needs no
    // script). A version the repository has not built is compiled as a user's install would.
    install = npmInstall(app, ['--ignore-scripts']);
    reuseNativeBinary(app, 'better-sqlite3', join('build', 'Release', 'better_sqlite3.node'));
    writeFileSync(join(app, 'app.ts'), readmeExample());
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', outDir: 'dist', skipLibCheck: false }, files: ['app.ts'] }),
    );
  }, 600_000);

  /** What a test started besides the example's server (its mailer), stopped at the end. */
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    if (server !== undefined && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    dir?.remove();
  });

  it('holds the compiled code and its types, the documents README links to, and nothing it does not need', () => {
    const paths = pack.files.map((file) => file.path);
    for (const needed of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'SECURITY.md', 'docs/CONTRACT.md', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/server.js', 'dist/src/server.d.ts', 'dist/src/fetch.js', 'dist/src/client/index.js', 'dist/src/client/index.d.ts', 'dist/src/bin/cli.js', 'dist/src/modules/password/strength-worker.js']) {
      expect(paths, needed).toContain(needed);
    }
    const unwanted = paths.filter((path) => !/^(dist\/src\/.*\.(js|d\.ts)$|docs\/[A-Z]+\.md$|docs\/guides\/[A-Za-z-]+\.md$|docs\/screenshots\/[a-z0-9-]+\.png$|package\.json$|README\.md$|CHANGELOG\.md$|SECURITY\.md$|LICENSE$)/.test(path));
    expect(unwanted).toEqual([]);
    console.info(`sesame-auth tarball: ${pack.entryCount} files, ${(pack.size / 1024).toFixed(0)} KiB packed, ${(pack.unpackedSize / 1024).toFixed(0)} KiB unpacked; install ${(install.ms / 1000).toFixed(1)} s (scripts off, from npm's cache)`);
  });

  it("publishes a package.json with what an install needs and none of the repository's development fields", () => {
    const published = readJson(join(installed, 'package.json'));
    expect(DEVELOPMENT_FIELDS.filter((field) => field in published)).toEqual([]);
    for (const field of ['name', 'version', 'description', 'license', 'type', 'engines', 'main', 'types', 'exports', 'bin', 'dependencies']) {
      expect(published[field], field).toEqual(REPOSITORY_MANIFEST[field]);
    }
    // Every path the manifest points at is in the package.
    const targets = JSON.stringify([published['main'], published['types'], published['exports'], published['bin']]).match(/"\.?\/?(dist\/[^"]+|package\.json)"/g) ?? [];
    for (const target of targets) expect(existsSync(join(installed, JSON.parse(target) as string)), target).toBe(true);
  });

  it('ships no source map that leads to a missing file, and no Markdown link that leads out of the package', () => {
    expect(brokenSourceMaps(installed)).toEqual([]);
    expect(deadMarkdownLinks(installed)).toEqual([]);
  });

  it('installs with no warning from its own dependencies: the one left, cookie@2 on Node < 22, is Fastify\'s (light-my-request), as README says', () => {
    expect(warningsBesidesFastifysCookie(install.stderr)).toEqual([]);
    /** One node of `npm ls --json`. */
    interface Node { readonly version?: string; readonly dependencies?: Record<string, Node> }
    const tree = JSON.parse(npm(['ls', 'cookie', '--all', '--json'], app)) as Node;
    const parentsOfCookie2: string[] = [];
    const walk = (name: string, node: Node): void => {
      for (const [child, sub] of Object.entries(node.dependencies ?? {})) {
        if (child === 'cookie' && sub.version?.startsWith('2.') === true) parentsOfCookie2.push(name);
        walk(child, sub);
      }
    };
    walk('scratch-host', tree);
    expect(parentsOfCookie2.filter((name) => name !== 'light-my-request')).toEqual([]);
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(/EBADENGINE[\s\S]{0,200}cookie@2[\s\S]{0,200}light-my-request/.test(readme), 'README says the EBADENGINE warning for cookie@2 comes with light-my-request').toBe(true);
  });

  it("answers through sesame-auth/fetch, whose in-memory requests run on Fastify's light-my-request and the cookie@2 npm warned about", () => {
    const script = [
      "import { createFetchHandler } from 'sesame-auth/fetch';",
      "const sesame = await createFetchHandler({ profile: 'development', settings: { DATABASE_URL: 'sqlite:./data/fetch.db' } });",
      "const answer = await sesame.handle(new Request('http://localhost/', { headers: { cookie: 'session_id=none' } }));",
      'console.log(answer.status, await answer.text());',
      'await sesame.close();',
    ].join('\n');
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(output.trim()).toBe('200 {"message":"Bienvenue"}');
  }, 60_000);

  it("gives sesame-auth/client types that stand alone: a browser project (lib dom, no @types) type-checks against them and reads nothing of Node's or the server's", () => {
    expect(outsideTypeImports(join(installed, 'dist', 'src', 'client'))).toEqual([]);
    const front = join(app, 'front');
    mkdirSync(front, { recursive: true });
    writeFileSync(join(front, 'main.ts'), browserScript('sesame-auth/client'));
    writeFileSync(join(front, 'tsconfig.json'), browserTsconfig('nodenext', ['main.ts']));
    const read = typeCheck(front).filter((file) => file.includes('/node_modules/') && !file.includes('/node_modules/typescript/lib/'));
    expect(read.filter((file) => !file.includes('/node_modules/sesame-auth/dist/src/client/'))).toEqual([]);
  }, 60_000);

  it("compiles README's plugin example verbatim under strict, with the package's own types", () => {
    const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => execFileSync(process.execPath, [tsc, '-p', app], { cwd: app, encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
    // A whole type-check of the example and the package's declarations: seconds alone, much longer beside a busy suite.
  }, 120_000);

  it('runs the example: registration, verification through the signed webhook, login and the guarded host route over HTTP, in the production profile', async () => {
    // The operator's mailer: production without SMTP sends every message (the verification link too) to the webhook.
    const mailer = await startWebhookRecorder();
    cleanups.push(() => mailer.close());
    const child = spawn(process.execPath, ['dist/app.js'], {
      cwd: app,
      env: { PATH: process.env['PATH'] ?? '', PORT: '0', SECRET_KEY: TEST_SECRET_KEY, RESET_WEBHOOK_URL: mailer.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the example did not listen within 20 s:\n${output}`)), 20_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        const found = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`the example exited with ${String(code)}:\n${output}`)));
    });
    const email = `host-${Date.now()}@example.test`;
    const password = 'quartz-lantern-orbit-meadow-7';
    const form = (fields: Record<string, string>): RequestInit => ({ method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
    expect((await fetch(`${url}/dashboard`)).status).toBe(403);
    // The production policy is on: a short password is refused.
    expect((await fetch(`${url}/auth/users`, form({ email, password: 'b4l0u' }))).status).toBe(400);
    const created = await fetch(`${url}/auth/users`, form({ email, password }));
    expect(await created.json()).toEqual({ email, message: 'user created' });
    // Production waits for the address: the verification link reaches the mailer, and its token proves it.
    expect((await fetch(`${url}/auth/sessions`, form({ email, password }))).status).toBe(403);
    await expect.poll(() => mailer.deliveries.length, { timeout: 10_000 }).toBe(1);
    const message = mailer.deliveries[0]?.body as { type: string; email: string; token: string };
    expect([message.type, message.email]).toEqual(['email_verify', email]);
    expect((await fetch(`${url}/auth/email/verify`, form({ token: message.token }))).status).toBe(200);
    const login = await fetch(`${url}/auth/sessions`, form({ email, password }));
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().find((line) => line.startsWith('__Host-session_id='));
    expect(cookie).toMatch(/; Secure/);
    const dashboard = await fetch(`${url}/dashboard`, { headers: { cookie: (cookie ?? '').split(';')[0] ?? '' } });
    expect(await dashboard.json()).toEqual({ hello: email });
    // Sesame's tables carry the plugin's prefix in the host's database.
    const tables = execFileSync(process.execPath, ['-e', "const D=require('better-sqlite3');const d=new D('data/auth.db',{readonly:true});console.log(d.prepare(\"select name from sqlite_master where type='table' order by name\").all().map(r=>r.name).join(' '))"], { cwd: app, encoding: 'utf8' });
    expect(tables.split(/\s+/).filter(Boolean).every((name) => name.startsWith('sesame_') || name === 'sqlite_sequence')).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }, 60_000);

  it('installs the sesame command (help, serve, a refusal) and loads with require() as well as import', async () => {
    const help = execFileSync(join(app, 'node_modules', '.bin', 'sesame'), ['--help'], { encoding: 'utf8' });
    expect(help).toMatch(/^usage: sesame <command>/);
    expect(help).toMatch(/^\s+serve\s+run the standalone server/m);
    // `sesame serve` runs the standalone server from the installed package: once it says it is ready, a SIGTERM stops
    // it. (Asynchronously, and reading its output all along: a server killed while still starting, with nobody left
    // reading its pipe, could never flush its log and exit.)
    const serve = spawn(join(app, 'node_modules', '.bin', 'sesame'), ['serve'], {
      cwd: app,
      env: { PATH: process.env['PATH'] ?? '', PORT: '0', DATABASE_URL: 'sqlite:./data/standalone.db', SHUTDOWN_TIMEOUT: '2s' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    serve.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    serve.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => serve.once('exit', resolve));
    await expect.poll(() => output.includes('sesame is ready') || serve.exitCode !== null, { timeout: 60_000, interval: 50 }).toBe(true);
    expect(output).toMatch(/sesame is ready/);
    serve.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(spawnSync(join(app, 'node_modules', '.bin', 'sesame'), ['launch'], { encoding: 'utf8' }).status).toBe(2);
    const loaded = execFileSync(process.execPath, ['-e', "const s=require('sesame-auth');const v=require('sesame-auth/server');const f=require('sesame-auth/fetch');const c=require('sesame-auth/client');console.log(typeof s.sesamePlugin, typeof v.createSesame, typeof s.requireSession, typeof f.createFetchHandler, typeof c.createSesameClient)"], { cwd: app, encoding: 'utf8' });
    expect(loaded.trim()).toBe('function function function function function');
  }, 120_000);
});
