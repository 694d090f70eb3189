/**
 * Where the bench finds the repository and the compiled server, whether it runs compiled (`dist/bench`) or through tsx (`bench`).
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Walks up from this module to the directory holding package.json. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('bench: cannot find the repository root (no package.json above the bench)');
    dir = parent;
  }
  return dir;
}

/** The repository root. */
export const REPO_ROOT = findRepoRoot();

/** The compiled standalone server that `npm run build` produces. */
export const SERVER_ENTRY = join(REPO_ROOT, 'dist', 'src', 'bin', 'server.js');

/** The compiled probe preloaded into the measured server (event-loop delay and the hello-world route). */
export const PROBE_ENTRY = join(REPO_ROOT, 'dist', 'bench', 'probe.js');
