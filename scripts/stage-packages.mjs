// `npm run package`: builds what npm publishes, one folder per package, so the repository's own package.json (its
// development scripts, devDependencies, allowScripts and overrides) is never what a user gets and is never rewritten
// in place (the test suite reads it while it runs). Each folder is compiled afresh from src/ (no file of a removed
// source can linger, as it may in dist/) and holds exactly what its package ships:
//   sesame-auth         the server, the plugin, the fetch handler and the client; README and the documents it links
//   sesame-auth-client  the client alone, typed with the DOM's types only, no dependencies (packages/client/)
// Publish from there, the client first (README, "Publishing"):
//   npm run package && npm publish dist/package/sesame-auth-client && npm publish dist/package/sesame-auth
// Usage: node scripts/stage-packages.mjs [--out DIR] [sesame-auth] [sesame-auth-client]   (default: dist/package, both)
// Plain JavaScript on purpose, like build-if-stale.mjs: it runs the compiler, so it cannot need compiling itself.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in scripts/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where `npm run package` stages by default: inside dist/, which git ignores. */
export const DEFAULT_OUT = join(ROOT, 'dist', 'package');

/**
 * The fields of the repository's package.json that a user's install reads or a registry shows, copied as they are.
 * Everything else stays home: `scripts` (development's; an install needs none: the native dependencies build
 * themselves), `devDependencies`, `allowScripts` and `overrides` (npm ignores both in a dependency, so shipping them
 * only misleads), `private` (it guards the repository's manifest against `npm publish`).
 */
const PUBLISHED_FIELDS = [
  'name',
  'version',
  'description',
  'keywords',
  'license',
  'author',
  'repository',
  'homepage',
  'bugs',
  'funding',
  'type',
  'engines',
  'main',
  'types',
  'exports',
  'bin',
  'dependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'optionalDependencies',
];

/** Fields both packages share, taken from the repository's manifest so there is one version and one licence. */
const SHARED_FIELDS = ['version', 'license', 'author', 'repository', 'homepage', 'bugs', 'funding'];

/** Reads a JSON file. */
function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The fields of `manifest` named in `fields`, in that order, leaving out those it does not have. */
function pick(manifest, fields) {
  return Object.fromEntries(fields.filter((field) => manifest[field] !== undefined).map((field) => [field, manifest[field]]));
}

/** Empties (or makes) a package's staging folder. */
function freshFolder(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/** Compiles one tsconfig into `outDir` with the project's own TypeScript; exits with tsc's status when it fails. */
function compile(project, outDir) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, project), '--outDir', outDir], { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`sesame: compiling ${project} for the package failed (see above)\n`);
    process.exit(result.status ?? 1);
  }
}

/** Writes a manifest the way npm does (two-space JSON and a final newline). */
function writeManifest(dir, manifest) {
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Stages `sesame-auth`: the compiled src/ (declarations, no source maps), README with every document it links
 * (SECURITY.md, docs/*.md, the guides in docs/guides/ and the screenshots in docs/screenshots/: a registry page or an unpacked package has no repository to resolve them against),
 * CHANGELOG and LICENSE, and the manifest's published fields. Returns the folder.
 */
export function stageServer(out) {
  const dir = join(out, 'sesame-auth');
  freshFolder(dir);
  compile('tsconfig.publish.json', join(dir, 'dist'));
  for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE', 'SECURITY.md']) cpSync(join(ROOT, file), join(dir, file));
  mkdirSync(join(dir, 'docs'));
  for (const file of readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md'))) cpSync(join(ROOT, 'docs', file), join(dir, 'docs', file));
  // README links the per-host guides; their code is in the pages themselves, so the examples/ folder stays behind.
  mkdirSync(join(dir, 'docs', 'guides'));
  for (const file of readdirSync(join(ROOT, 'docs', 'guides')).filter((name) => name.endsWith('.md'))) cpSync(join(ROOT, 'docs', 'guides', file), join(dir, 'docs', 'guides', file));
  // README shows the hosted pages' screenshots: the package keeps them, so its README's images resolve.
  cpSync(join(ROOT, 'docs', 'screenshots'), join(dir, 'docs', 'screenshots'), { recursive: true });
  // `files` names what the folder holds, so a stray file dropped into it is still left out of the tarball.
  writeManifest(dir, { ...pick(readJson(join(ROOT, 'package.json')), PUBLISHED_FIELDS), files: ['dist/src/', 'docs/', 'CHANGELOG.md', 'SECURITY.md'] });
  return dir;
}

/**
 * Stages `sesame-auth-client`: src/client/ compiled with the DOM's types only (tsconfig.client.json), its own README
 * and manifest from packages/client/, with the repository's version and licence. Returns the folder.
 */
export function stageClient(out) {
  const dir = join(out, 'sesame-auth-client');
  freshFolder(dir);
  compile('tsconfig.client.json', join(dir, 'dist'));
  cpSync(join(ROOT, 'packages', 'client', 'README.md'), join(dir, 'README.md'));
  cpSync(join(ROOT, 'LICENSE'), join(dir, 'LICENSE'));
  const template = readJson(join(ROOT, 'packages', 'client', 'package.json'));
  const shared = pick(readJson(join(ROOT, 'package.json')), SHARED_FIELDS);
  writeManifest(dir, { name: template.name, version: shared.version, ...template, ...shared });
  return dir;
}

/** The packages this script stages, by name. */
const STAGERS = { 'sesame-auth': stageServer, 'sesame-auth-client': stageClient };

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const usage = 'usage: node scripts/stage-packages.mjs [--out DIR] [sesame-auth] [sesame-auth-client]\n';
  const args = process.argv.slice(2);
  let out = DEFAULT_OUT;
  const names = [];
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] !== '--out') names.push(args[i]);
    else if (args[i + 1] === undefined) {
      process.stderr.write(usage);
      process.exit(2);
    } else out = resolve(args[(i += 1)]);
  }
  const unknown = names.filter((name) => !(name in STAGERS));
  if (unknown.length > 0) {
    process.stderr.write(`sesame: no package named ${unknown.join(', ')}\n${usage}`);
    process.exit(2);
  }
  for (const name of names.length === 0 ? Object.keys(STAGERS) : names) process.stdout.write(`${STAGERS[name](out)}\n`);
}
