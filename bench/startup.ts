/**
 * The start-up rows of the bench (`npm run bench -- --startup-only` runs only these): what a deployment pays before its
 * first request — resident memory, time to the first answer, and the library's import time — each against a bare
 * Fastify process started the same way in the same run, so code loaded that the deployment never uses shows up as a
 * ratio above the target.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { SETTING_NAMES } from '../src/config.js';
import { openCpuWindow } from './cpu-accounting.js';
import type { ImportTiming } from './import-time.js';
import { median } from './load.js';
import { describeMachine } from './machine.js';
import { REPO_ROOT, SERVER_ENTRY } from './paths.js';
import { progress } from './phases.js';
import { freePort } from './server-process.js';
import { renderTable, type Row } from './table.js';

/** Runs of each measurement; the rows show the medians. */
const RUNS = 3;

/** When the resident memory is read, counted from the spawn: long enough for start-up garbage to be collected or not. */
const RSS_AFTER_MS = 5000;

/** How often the first `GET /` is retried while the process starts; the spawn-to-answer figure is this precise. */
const POLL_MS = 5;

/** The compiled bare Fastify process, the limit of rows (a) and (b). */
const BARE_ENTRY = join(REPO_ROOT, 'dist', 'bench', 'bare-fastify.js');

/** The compiled import timer of row (c). */
const IMPORT_ENTRY = join(REPO_ROOT, 'dist', 'bench', 'import-time.js');

/** The library's entry point, as a host application imports it. */
const LIBRARY_URL = pathToFileURL(join(REPO_ROOT, 'dist', 'src', 'index.js')).href;

/** What one start of one process measured. */
interface StartSample {
  /** ms from spawn to the first `GET /` answered. */
  readonly answerMs: number;
  /** Resident memory {@link RSS_AFTER_MS} after the spawn, in bytes. */
  readonly rss: number;
  /** Share of all cores other processes used meanwhile, when it can be told. */
  readonly otherLoad: number | undefined;
}

/**
 * The parent's environment without any setting Sesame reads, so a developer's shell (or `--db postgres`'s
 * `DATABASE_URL`) cannot change what "started with the defaults" means.
 */
function defaultsEnvironment(): Record<string, string> {
  const settings = new Set(SETTING_NAMES);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !settings.has(key)) env[key] = value;
  return env;
}

/** Resolves with true once `GET url` answers with any status, false when the connection fails. */
function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(true));
    });
    request.on('error', () => resolve(false));
  });
}

/** Resident memory of a process from `/proc/<pid>/status` (VmRSS), in bytes. */
function residentBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  if (line === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(line.split(/\s+/)[1]) * 1024;
}

/** Spawns `node <entry>` on a free port, times it to the first answer, reads its RSS at 5 s, then stops it. */
async function startOnce(entry: string, env: Readonly<Record<string, string>>, logFile: string): Promise<StartSample> {
  const port = await freePort();
  const log = openSync(logFile, 'a');
  const spawned = performance.now();
  const child: ChildProcess = spawn(process.execPath, [entry], {
    cwd: REPO_ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const window = openCpuWindow(child.pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    let answerMs: number | undefined;
    while (answerMs === undefined) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${entry} exited during start-up; see ${logFile}`);
      if (performance.now() - spawned > 30_000) throw new Error(`${entry} did not answer within 30 s; see ${logFile}`);
      if (await answers(`http://127.0.0.1:${port}/`)) answerMs = performance.now() - spawned;
      else await new Promise((wake) => setTimeout(wake, POLL_MS));
    }
    await new Promise((wake) => setTimeout(wake, Math.max(0, spawned + RSS_AFTER_MS - performance.now())));
    const rss = residentBytes(child.pid ?? -1);
    return { answerMs, rss, otherLoad: window.stop()?.other };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Runs the import timer once. */
async function importOnce(): Promise<ImportTiming> {
  const child = spawn(process.execPath, [IMPORT_ENTRY, LIBRARY_URL], { cwd: REPO_ROOT, env: defaultsEnvironment(), stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`import timer exited with ${String(code)}`);
  return JSON.parse(out) as ImportTiming;
}

/** Bytes as MiB with one decimal. */
function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** The runs' figures, for the note beside a median. */
function each(values: readonly number[], format: (value: number) => string): string {
  return `runs: ${values.map(format).join(', ')}`;
}

/** A note when other processes were busy during the runs (the worst run), or nothing. */
function busyNote(samples: readonly StartSample[]): string | undefined {
  const worst = Math.max(...samples.map((sample) => sample.otherLoad ?? 0));
  return worst < 0.05 ? undefined : `other processes used up to ${(worst * 100).toFixed(0)}% of the CPU`;
}

/**
 * Measures the three start-up rows: (a) RSS 5 s after spawn and (b) spawn to first answered `GET /`, of the standalone
 * server started with the defaults (a fresh SQLite file each run) against the bare Fastify process, the two spawned in
 * alternation so a drift of the machine hits both; (c) the library's import time in a process that has already
 * imported Fastify, an absolute target. Ratios are medians of the per-run ratios.
 */
export async function startupRows(): Promise<Row[]> {
  const temp = mkdtempSync(join(tmpdir(), 'sesame-startup-'));
  let failed = true;
  try {
    const env = defaultsEnvironment();
    const bare: StartSample[] = [];
    const sesame: StartSample[] = [];
    for (let run = 1; run <= RUNS; run += 1) {
      progress(`start-up run ${run} of ${RUNS}: bare Fastify, then the server (${RSS_AFTER_MS / 1000} s each)`);
      bare.push(await startOnce(BARE_ENTRY, env, join(temp, 'bare.log')));
      sesame.push(await startOnce(SERVER_ENTRY, { ...env, DATABASE_URL: `sqlite:${join(temp, `run-${run}`, 'sesame.db')}` }, join(temp, 'server.log')));
    }
    const imports: ImportTiming[] = [];
    for (let run = 1; run <= RUNS; run += 1) imports.push(await importOnce());

    const ratio = (pick: (sample: StartSample) => number): number => median(sesame.map((sample, i) => pick(sample) / pick(bare[i] ?? sample)));
    const rssRatio = ratio((sample) => sample.rss);
    const answerRatio = ratio((sample) => sample.answerMs);
    const importMs = median(imports.map((timing) => timing.importMs));
    const notes = (...parts: (string | undefined)[]): string => parts.filter((part) => part !== undefined).join('; ');
    failed = false;
    return [
      {
        name: `RSS ${RSS_AFTER_MS / 1000} s after start: ${mib(median(sesame.map((sample) => sample.rss)))}`,
        ratio: rssRatio,
        limit: `bare Fastify: ${mib(median(bare.map((sample) => sample.rss)))}`,
        target: '<= 1.5',
        met: rssRatio <= 1.5,
        note: notes(each(sesame.map((sample) => sample.rss), mib), busyNote([...bare, ...sesame])),
      },
      {
        name: `spawn to first answered GET /: ${median(sesame.map((sample) => sample.answerMs)).toFixed(0)} ms`,
        p50: median(sesame.map((sample) => sample.answerMs)),
        ratio: answerRatio,
        limit: `bare Fastify: ${median(bare.map((sample) => sample.answerMs)).toFixed(0)} ms`,
        target: '<= 1.5',
        met: answerRatio <= 1.5,
        note: notes(
          each(sesame.map((sample) => sample.answerMs), (ms) => `${ms.toFixed(0)} ms`),
          'fresh SQLite file each run (migrations included)',
          busyNote([...bare, ...sesame]),
        ),
      },
      {
        name: `import dist/src/index.js after fastify: ${importMs.toFixed(0)} ms added`,
        p50: importMs,
        limit: `absolute (fastify's own import: ${median(imports.map((timing) => timing.fastifyMs)).toFixed(0)} ms)`,
        target: '<= 150 ms',
        met: importMs <= 150,
        note: notes(
          each(imports.map((timing) => timing.importMs), (ms) => `${ms.toFixed(0)} ms`),
          `RSS added ${mib(median(imports.map((timing) => timing.rssAdded)))}`,
        ),
      },
    ];
  } finally {
    if (failed) progress(`kept ${temp} (start-up logs) for inspection`);
    else rmSync(temp, { recursive: true, force: true });
  }
}

/** Measures the start-up rows and prints them as a table of their own (with the machine, when run on their own). */
export async function printStartupTable(withMachine: boolean): Promise<void> {
  const rows = await startupRows();
  if (withMachine) process.stdout.write(`\n${describeMachine()}\n`);
  process.stdout.write(`\nStart-up and footprint, median of ${RUNS} runs each, against a bare Fastify process spawned the same way:\n\n${renderTable(rows)}\n`);
}
