/**
 * The package as a user gets it: `npm pack` the repository, install the tarball into a scratch application (with
 * the two native install scripts approved, as README says), compile README's plugin example verbatim under `strict`,
 * run it and drive it over HTTP; also the `sesame` command and `require('sesame-auth')`. Slow (npm install compiles
 * better-sqlite3), so it runs once, with every package from npm's cache where it can.
 * @module
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, makeTempDir, type TempDir } from '../support/built-server.js';
import { TEST_SECRET_KEY } from '../support/settings.js';
import { startWebhookRecorder } from '../support/webhook.js';

/** README's plugin example: the first `ts` code block of the section on mounting Sesame in a Fastify application. */
function readmeExample(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using Sesame inside your own Fastify application'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('README has no ts example in its plugin section');
  return block;
}

/** Runs npm with output captured; throws with it on failure. */
function npm(args: readonly string[], cwd: string): string {
  return execFileSync('npm', [...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' } });
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

/** What `npm pack --json` says of the tarball. */
interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly entryCount: number;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

describe('the npm package', () => {
  let dir: TempDir;
  let pack: PackResult;
  let app: string;
  let server: ChildProcess | undefined;

  beforeAll(() => {
    dir = makeTempDir('pack');
    [pack] = JSON.parse(npm(['pack', '--json', '--pack-destination', dir.path], REPO_ROOT)) as [PackResult];
    app = join(dir.path, 'app');
    execFileSync('mkdir', ['-p', app]);
    const ours = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string>; dependencies: Record<string, string> };
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
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
    reuseNativeBinary(app, 'better-sqlite3', join('build', 'Release', 'better_sqlite3.node'));
    writeFileSync(join(app, 'app.ts'), readmeExample());
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', outDir: 'dist', skipLibCheck: false } }),
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

  it('holds the compiled code and its types, and nothing it does not need', () => {
    const paths = pack.files.map((file) => file.path);
    for (const needed of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/server.js', 'dist/src/server.d.ts', 'dist/src/fetch.js', 'dist/src/client/index.js', 'dist/src/client/index.d.ts', 'dist/src/bin/cli.js', 'dist/src/modules/password/strength-worker.js']) {
      expect(paths, needed).toContain(needed);
    }
    const unwanted = paths.filter((path) => !/^(dist\/src\/|package\.json$|README\.md$|CHANGELOG\.md$|LICENSE)/.test(path));
    expect(unwanted).toEqual([]);
    expect(paths.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([]);
    console.info(`sesame tarball: ${pack.entryCount} files, ${(pack.size / 1024).toFixed(0)} KiB packed`);
  });

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
