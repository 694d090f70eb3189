// Every source module opens with a doc comment saying why it exists (CONTRACT.md: module documentation).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('module documentation', () => {
  const files = sourceFiles('src');
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(10);
  });
  it.each(files)('%s opens with a /** doc comment of at least one sentence', (file) => {
    // An executable's `#!` line has to come first; the module comment follows it.
    const text = readFileSync(file, 'utf8').replace(/^#![^\n]*\n/, '');
    const match = /^\/\*\*\s*\n?\s*\*?\s*([^\n]+)/.exec(text);
    expect(match, `${file} must start with a /** ... */ module comment`).not.toBeNull();
    expect(match?.[1]?.split(/\s+/).length ?? 0).toBeGreaterThanOrEqual(5);
  });
});
