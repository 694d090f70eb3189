/**
 * The soak's figures: requests by status, 5xx outside the injected fault windows (must be 0), p50/p99 latency per
 * route, and the server's memory after warm-up and at the end.
 * @module
 */
import type { FaultWindow } from './faults.js';
import type { Sample } from './load.js';

/** The q-quantile of sorted numbers. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Whether a request overlapped a fault window (its effects may reach any request in flight then). */
function inWindow(sample: Sample, windows: readonly FaultWindow[]): boolean {
  return windows.some((w) => sample.end >= w.from && sample.start <= w.to);
}

/** What the soak prints and checks. */
export interface SoakReport {
  readonly text: string;
  /** 5xx (and connection errors) outside every fault window: must be 0. */
  readonly unexpectedFailures: number;
  /** RSS at the end over RSS after warm-up: must be at most 1.1. */
  readonly rssRatio: number;
}

/** Builds the report from the samples, the fault windows and the two RSS readings (bytes). */
export function report(samples: readonly Sample[], windows: readonly FaultWindow[], rssWarm: number, rssEnd: number, durationMs: number): SoakReport {
  const byStatus = new Map<number, number>();
  for (const s of samples) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
  const failures = samples.filter((s) => s.status === 0 || s.status >= 500);
  const unexpected = failures.filter((s) => !inWindow(s, windows));
  const routes = [...new Set(samples.map((s) => s.route))].sort();
  const lines = [
    `soak: ${samples.length} requests in ${(durationMs / 1000).toFixed(0)} s (${(samples.length / (durationMs / 1000)).toFixed(0)}/s), ${windows.length} faults injected`,
    `status: ${[...byStatus.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status === 0 ? 'conn-error' : status} x${n}`).join(', ')}`,
    `5xx or connection errors: ${failures.length} in total, ${failures.length - unexpected.length} inside fault windows, ${unexpected.length} outside (must be 0)`,
    `faults: ${[...new Set(windows.map((w) => w.name))].map((name) => `${name} x${windows.filter((w) => w.name === name).length}`).join(', ')}`,
    '',
    `| route | requests | p50 ms | p99 ms |`,
    `|---|---:|---:|---:|`,
  ];
  for (const route of routes) {
    const latencies = samples.filter((s) => s.route === route).map((s) => s.end - s.start).sort((a, b) => a - b);
    lines.push(`| ${route} | ${latencies.length} | ${quantile(latencies, 0.5)} | ${quantile(latencies, 0.99)} |`);
  }
  const rssRatio = rssWarm === 0 ? 0 : rssEnd / rssWarm;
  lines.push('', `RSS after warm-up ${(rssWarm / 2 ** 20).toFixed(1)} MiB, at the end ${(rssEnd / 2 ** 20).toFixed(1)} MiB: ratio ${rssRatio.toFixed(2)} (must be at most 1.10)`);
  for (const s of unexpected.slice(0, 10)) lines.push(`unexpected: ${s.route} ${s.status} at +${s.start}`);
  return { text: lines.join('\n'), unexpectedFailures: unexpected.length, rssRatio };
}
