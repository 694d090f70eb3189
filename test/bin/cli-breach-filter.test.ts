/**
 * `sesame breach-filter build` as an operator runs it (the compiled CLI as a child process): a filter from a small
 * `SHA1:count` file made here, with `--top` by count and `--json`; a plain password list; the refusals and their exit
 * codes. It needs no settings and no database. Then `sesame users create` with the built file as
 * `PASSWORD_BREACH_FILTER`: the CLI goes through the same policy as the API.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinaryFuse16, BreachFilter } from '../../src/modules/password/index.js';
import { jsonLines, runCli } from '../support/cli.js';
import { makeTempDir, type TempDir } from '../support/temp.js';

/** HIBP's line for a password. */
function line(password: string, count: number): string {
  return `${createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase()}:${count}`;
}

/** The filter a run wrote. */
function load(path: string): BreachFilter {
  return new BreachFilter(BinaryFuse16.load(readFileSync(path)));
}

/** Passwords and their counts; the file lists them least frequent first, so a cut by position would keep the wrong ones. */
const CORPUS: ReadonlyArray<readonly [string, number]> = [
  ['rarely used one', 1],
  ['rarely used two', 2],
  ['sometimes used', 30],
  ['very often used', 9000],
  ['most often used', 25000],
];

let dir: TempDir;
let hashes: string;
beforeAll(() => {
  dir = makeTempDir('cli-breach');
  hashes = join(dir.path, 'pwned.txt');
  writeFileSync(hashes, `${CORPUS.map(([password, count]) => line(password, count)).join('\r\n')}\r\n`);
});
afterAll(() => dir.remove());

describe('sesame breach-filter build', () => {
  it('builds a filter from SHA1:count lines and reports entries, size and time', async () => {
    const out = join(dir.path, 'all.bin');
    const run = await runCli(['breach-filter', 'build', '--from', hashes, '--out', out], {});
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^wrote .*all\.bin: 5 entries \(SHA1:count lines, 5 lines read\), 0\.0 MB, built in \d+\.\d s\n$/);
    const filter = load(out);
    expect(filter.size).toBe(5);
    for (const [password] of CORPUS) expect(filter.hasPassword(password), password).toBe(true);
    expect(filter.hasPassword('never breached at all')).toBe(false);
  }, 60_000);

  it('--top N keeps the N most frequent by count, not the first N lines; --json reports it', async () => {
    const out = join(dir.path, 'top.bin');
    const run = await runCli(['breach-filter', 'build', '--from', hashes, '--top', '2', '--out', out, '--json'], {});
    expect(run.code, run.stderr).toBe(0);
    const [report] = jsonLines(run.stdout);
    expect(report).toMatchObject({ file: out, format: 'sha1', lines: 5, selected: 2, entries: 2, bytes: readFileSync(out).length });
    expect(typeof report?.['seconds']).toBe('number');
    const filter = load(out);
    expect(CORPUS.map(([password]) => filter.hasPassword(password))).toEqual([false, false, false, true, true]);
  }, 60_000);

  it('hashes a plain list of passwords', async () => {
    const list = join(dir.path, 'list.txt');
    writeFileSync(list, 'hunter2\ncorrect horse battery staple\n');
    const out = join(dir.path, 'list.bin');
    const run = await runCli(['breach-filter', 'build', '--from', list, '--out', out], {});
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/2 entries \(passwords, 2 lines read\)/);
    expect(load(out).hasPassword('correct horse battery staple')).toBe(true);
  }, 60_000);

  it('refuses a bad command line (2), a missing file (3), --top on a plain list (2) and a malformed line (2), writing nothing', async () => {
    const out = join(dir.path, 'refused.bin');
    const noOut = await runCli(['breach-filter', 'build', '--from', hashes], {});
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/usage: sesame breach-filter build/);
    expect((await runCli(['breach-filter', 'build', '--from', hashes, '--top', '0', '--out', out], {})).code).toBe(2);
    const missing = await runCli(['breach-filter', 'build', '--from', join(dir.path, 'nope.txt'), '--out', out], {});
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/nope\.txt: no such file/);
    const list = join(dir.path, 'plain.txt');
    writeFileSync(list, 'hunter2\n');
    const top = await runCli(['breach-filter', 'build', '--from', list, '--top', '1', '--out', out], {});
    expect(top.code).toBe(2);
    expect(top.stderr).toMatch(/--top needs SHA1:count lines/);
    const mixed = join(dir.path, 'mixed.txt');
    writeFileSync(mixed, `${line('a', 1)}\nnot a hash\n`);
    const bad = await runCli(['breach-filter', 'build', '--from', mixed, '--out', out], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/line 2 is not a SHA1:count line/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('the filter it writes makes sesame users create refuse a breached password, and create an account otherwise', async () => {
    const out = join(dir.path, 'for-users.bin');
    expect((await runCli(['breach-filter', 'build', '--from', hashes, '--out', out], {})).code).toBe(0);
    const env = { DATABASE_URL: `sqlite:${join(dir.path, 'users.db')}`, PASSWORD_BREACH_FILTER: out };
    const refused = await runCli(['users', 'create', 'breached@example.com'], env, { input: 'most often used\n' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/password appears in known data breaches/);
    const created = await runCli(['users', 'create', 'fine@example.com', '--json'], env, { input: 'not in that corpus at all\n' });
    expect(created.code, created.stderr).toBe(0);
    expect(jsonLines(created.stdout)[0]).toMatchObject({ email: 'fine@example.com' });
    expect((await runCli(['users', 'show', 'breached@example.com'], env)).code).toBe(3);
  }, 60_000);
});
