/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function and per package, the evidence for where a request's time goes.
 * @module
 */
import { readFileSync } from 'node:fs';

/** The parts of V8's profile format the summary reads. */
interface CpuProfile {
  /** Call-tree nodes. */
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }>;
  /** Node id of each sample. */
  readonly samples: readonly number[];
  /** Microseconds since the previous sample, per sample. */
  readonly timeDeltas: readonly number[];
}

/** One line of the summary. */
export interface SelfTime {
  /** Function (or package) name and where it is. */
  readonly name: string;
  /** Self time in ms. */
  readonly ms: number;
  /** Share of the profile's busy (non-idle) time, 0..1. */
  readonly share: number;
}

/** The summary of one profile. */
export interface ProfileSummary {
  /** Requests answered while the profile was taken, to express self time per request. */
  readonly requests: number;
  /** Total sampled time in ms, idle included. */
  readonly totalMs: number;
  /** Time the main thread was idle (waiting in epoll), in ms. */
  readonly idleMs: number;
  /** Top functions by self time. */
  readonly functions: readonly SelfTime[];
  /** Self time grouped by package (`fastify`, `pino`, `kysely`, Sesame's `src`, `node:` internals, GC...). */
  readonly packages: readonly SelfTime[];
}

/** Names the package a script URL belongs to: the node_modules package, `node:internal`, `sesame src`, or a V8 pseudo-frame. */
function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match?.[1] !== undefined) return match[1];
  if (url.startsWith('node:')) return 'node: internals';
  if (url.includes('/dist/src/')) return 'sesame src';
  if (url.includes('/dist/bench/')) return 'bench probe';
  return url;
}

/** Adds `ms` to the bucket `key`. */
function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}

/** Reads a `.cpuprofile` taken while `requests` requests were answered and returns its top `limit` functions and packages by self time. */
export function summariseProfile(file: string, requests: number, limit = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const frame = byId.get(id);
    if (frame === undefined) return;
    totalMs += ms;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    const where = frame.url === '' ? '' : ` ${frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${frame.lineNumber + 1}`;
    add(functions, `${frame.functionName || '(anonymous)'}${where}`, ms);
    add(packages, packageOf(frame.url, frame.functionName), ms);
  });
  const busy = totalMs - idleMs || 1;
  const top = (map: Map<string, number>, n: number): SelfTime[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms, share: ms / busy }));
  return { requests, totalMs, idleMs, functions: top(functions, limit), packages: top(packages, limit) };
}
