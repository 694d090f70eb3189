/**
 * The bench's breach-filter step (`npm run bench -- --breach-only [--breach-entries N]` runs it alone): build
 * throughput from generated `SHA1:count` lines streamed through the command's builder, then, in a fresh process as the
 * server would, the load time, the resident memory the filter adds, and the lookup time with and without the SHA-1.
 * Each part runs in its own child process so its memory is its own.
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths.js';
import { progress } from './phases.js';

/** The compiled child (`npm run bench` builds first). */
const PROBE = join(REPO_ROOT, 'dist', 'bench', 'breach-probe.js');

/** Runs the probe with `args` and parses its JSON line. */
async function probe(args: readonly string[]): Promise<Record<string, number>> {
  const { stdout } = await promisify(execFile)(process.execPath, [PROBE, ...args], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Record<string, number>;
}

/** `1,000,000`. */
function count(n: number): string {
  return Math.round(n).toLocaleString('en');
}

/** Builds a filter of `entries` generated lines, loads it, and prints the figures as a Markdown table. */
export async function printBreachFilterTable(entries: number): Promise<void> {
  const temp = mkdtempSync(join(tmpdir(), 'sesame-breach-'));
  try {
    const file = join(temp, 'breach.bin');
    progress(`breach filter: building from ${count(entries)} generated SHA1:count lines`);
    const built = await probe(['build', String(entries), file]);
    progress('breach filter: loading it in a fresh process and timing lookups');
    const loaded = await probe(['load', file]);
    const mb = (bytes: number): string => `${((bytes ?? 0) / 1_000_000).toFixed(1)} MB`;
    const rows = [
      ['build (stream, parse, dedupe, construct)', `${((built['ms'] ?? 0) / 1000).toFixed(1)} s`, `${count((entries * 1000) / (built['ms'] ?? 1))} lines/s`],
      ['build peak RSS (whole process)', mb(built['maxRssBytes'] ?? 0), `${(((built['maxRssBytes'] ?? 0) / entries)).toFixed(1)} bytes/entry`],
      ['file size', mb(built['bytes'] ?? 0), `${(((built['bytes'] ?? 0) * 8) / (built['entries'] ?? 1)).toFixed(2)} bits/entry`],
      ['load (one read, header checked)', `${(loaded['loadMs'] ?? 0).toFixed(1)} ms`, ''],
      ['RSS added by the loaded filter', mb(loaded['rssAddedBytes'] ?? 0), ''],
      ['lookup of a password (SHA-1, NFKC, 3 reads)', `${(loaded['passwordLookupUs'] ?? 0).toFixed(2)} µs`, 'target < 5 µs'],
      ['lookup of a 64-bit key (3 reads)', `${(loaded['keyLookupUs'] ?? 0).toFixed(3)} µs`, ''],
    ];
    process.stdout.write(`\nBreach filter (binary fuse, 16-bit fingerprints), ${count(built['entries'] ?? 0)} entries:\n\n| measurement | value | note |\n|---|---|---|\n`);
    for (const row of rows) process.stdout.write(`| ${row.join(' | ')} |\n`);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
