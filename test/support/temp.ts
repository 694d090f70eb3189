/**
 * Scratch directories for tests: a fresh directory under the OS temp dir, removed on demand.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scratch directory under the OS temp dir, with a way to delete it. */
export interface TempDir {
  /** Absolute path of the directory. */
  readonly path: string;
  /** Deletes the directory and everything in it. */
  remove(): void;
}

/** Creates a fresh scratch directory whose name starts with `sesame-` plus the given label. */
export function makeTempDir(label = 'test'): TempDir {
  const path = mkdtempSync(join(tmpdir(), `sesame-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
