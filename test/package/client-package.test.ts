/**
 * The client published alone, as a front end gets it: `sesame-auth-client` staged and packed the way a release is
 * (`npm run package`), installed by itself into a scratch front-end application, and a browser-style script and the
 * package README's example type-checked with the DOM's types only (no `@types/node`, no `@types` at all), under a
 * bundler's module resolution and Node's. Also what the tarball holds, its published package.json, that the install
 * brings nothing else (no dependency, no install script, nothing native) and prints no warning, and that it loads.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, makeTempDir, type TempDir } from '../support/built-server.js';
import {
  brokenSourceMaps,
  browserScript,
  browserTsconfig,
  deadMarkdownLinks,
  DEVELOPMENT_FIELDS,
  installedPackages,
  listFiles,
  npmInstall,
  outsideTypeImports,
  readJson,
  stageAndPack,
  typeCheck,
  type InstallRun,
  type PackResult,
} from './npm.js';

/** The first `ts` block of the client package's README, compiled verbatim. */
function readmeExample(): string {
  const block = /```ts\n([\s\S]*?)```/.exec(readFileSync(join(REPO_ROOT, 'packages', 'client', 'README.md'), 'utf8'))?.[1];
  if (block === undefined) throw new Error('packages/client/README.md has no ts example');
  return block;
}

describe('the client package, sesame-auth-client', () => {
  let dir: TempDir;
  let pack: PackResult;
  let app: string;
  /** The package as installed: what the tarball held. */
  let installed: string;
  let install: InstallRun;

  beforeAll(() => {
    dir = makeTempDir('client-pack');
    ({ pack } = stageAndPack('sesame-auth-client', dir.path));
    app = join(dir.path, 'front');
    installed = join(app, 'node_modules', 'sesame-auth-client');
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-front', private: true, type: 'module', dependencies: { 'sesame-auth-client': `file:${join(dir.path, pack.filename)}` } }));
    // No --ignore-scripts: a front end installs it as it is, and it has none to skip.
    install = npmInstall(app, []);
    writeFileSync(join(app, 'main.ts'), browserScript('sesame-auth-client'));
    writeFileSync(join(app, 'readme.ts'), readmeExample());
  }, 300_000);

  afterAll(() => dir?.remove());

  it('holds its compiled code, its types, README and LICENSE, and nothing else', () => {
    const paths = pack.files.map((file) => file.path).sort();
    const modules = ['codes', 'cookie-jar', 'errors', 'index'].flatMap((name) => [`dist/${name}.d.ts`, `dist/${name}.js`]);
    expect(paths).toEqual(['LICENSE', 'README.md', ...modules, 'package.json'].sort());
    console.info(`sesame-auth-client tarball: ${pack.entryCount} files, ${(pack.size / 1024).toFixed(1)} KiB packed, ${(pack.unpackedSize / 1024).toFixed(1)} KiB unpacked; install ${(install.ms / 1000).toFixed(1)} s`);
  });

  it("publishes a package.json with no dependency and none of the repository's development fields, at the server's version", () => {
    const published = readJson(join(installed, 'package.json'));
    expect(DEVELOPMENT_FIELDS.filter((field) => field in published)).toEqual([]);
    expect(['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies'].filter((field) => field in published)).toEqual([]);
    const server = readJson(join(REPO_ROOT, 'package.json'));
    expect([published['name'], published['version'], published['license'], published['type'], published['sideEffects']]).toEqual(['sesame-auth-client', server['version'], server['license'], 'module', false]);
    expect(published['exports']).toEqual({ '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' });
  });

  it('ships declarations that import nothing outside themselves, no source map, no dead link', () => {
    expect(outsideTypeImports(join(installed, 'dist'))).toEqual([]);
    expect(listFiles(installed).filter((path) => path.endsWith('.map'))).toEqual([]);
    expect(brokenSourceMaps(installed)).toEqual([]);
    expect(deadMarkdownLinks(installed)).toEqual([]);
  });

  it('installs alone: one package, no dependency, no install script, nothing native, no warning', () => {
    expect(installedPackages(app)).toEqual(['sesame-auth-client']);
    expect(listFiles(join(app, 'node_modules')).filter((path) => /\.node$|binding\.gyp$/.test(path))).toEqual([]);
    const lock = readJson(join(app, 'package-lock.json')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    expect(Object.entries(lock.packages).filter(([, entry]) => entry.hasInstallScript === true)).toEqual([]);
    expect(install.stderr.split('\n').filter((line) => /^npm (warn|error|ERR)/i.test(line))).toEqual([]);
  });

  it.each(['bundler', 'nodenext'] as const)(
    "type-checks a browser-style script and README's example with lib dom and es2022, no @types, %s resolution, reading nothing but the client's declarations",
    (resolution) => {
      writeFileSync(join(app, `tsconfig.${resolution}.json`), browserTsconfig(resolution, ['main.ts', 'readme.ts']));
      const read = typeCheck(join(app, `tsconfig.${resolution}.json`)).filter((file) => file.includes('/node_modules/') && !file.includes('/node_modules/typescript/lib/'));
      expect(read.length).toBeGreaterThan(0);
      expect(read.filter((file) => !file.includes('/node_modules/sesame-auth-client/dist/'))).toEqual([]);
    },
    60_000,
  );

  it('loads in Node with import and require, and builds a client that keeps its own cookie jar there', () => {
    const loaded = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "import { createRequire } from 'node:module'; const m = await import('sesame-auth-client'); const c = createRequire(import.meta.url)('sesame-auth-client'); const auth = m.createSesameClient({ baseUrl: 'http://127.0.0.1:1/auth' }); console.log(typeof c.createSesameClient, auth.cookieJar instanceof m.CookieJar)"],
      { cwd: app, encoding: 'utf8' },
    );
    expect(loaded.trim()).toBe('function true');
  });
});
