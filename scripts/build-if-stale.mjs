// Builds the compiled server (`tsc -p tsconfig.build.json` into dist/) only when dist is missing or older than the
// sources, so `npm start` answers in about a second instead of compiling on every start. Plain JavaScript on purpose:
// it has to run before anything is compiled. `npm install` runs it too (the `prepare` script).
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in scripts/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The compiled standalone server, whose age stands for the build's. */
export const SERVER_ENTRY = join(ROOT, 'dist', 'src', 'bin', 'server.js');

/** Newest modification time (ms) of the files under `dir` whose names pass `keep`, 0 when there are none. */
function newest(dir, keep) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path, keep));
    else if (keep(entry.name)) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

/** Whether the compiled server is missing or older than any source or build setting. */
export function isStale() {
  if (!existsSync(SERVER_ENTRY)) return true;
  const built = statSync(SERVER_ENTRY).mtimeMs;
  const sources = Math.max(
    newest(join(ROOT, 'src'), (name) => name.endsWith('.ts')),
    ...['tsconfig.json', 'tsconfig.build.json'].map((name) => statSync(join(ROOT, name)).mtimeMs),
  );
  return sources > built;
}

/** Compiles with the project's own TypeScript; exits the process with tsc's status when it fails. */
export function build() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('sesame: the build failed (see above)\n');
    process.exit(result.status ?? 1);
  }
}

/** Builds when stale; returns whether it built. */
export function buildIfStale() {
  if (!isStale()) return false;
  build();
  return true;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) buildIfStale();
