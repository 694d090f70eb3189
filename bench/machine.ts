/**
 * A description of the machine the bench runs on, printed above the table so a figure always travels with its hardware.
 * @module
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';

/** One paragraph: CPU model, cores, memory, Node version and the libuv pool size the server and the bcrypt bound share. */
export function describeMachine(): string {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line !== undefined) model = line.split(':')[1]?.trim() ?? model;
  } catch {
    // Not Linux: os.cpus() is as good as it gets.
  }
  const pool = process.env['UV_THREADPOOL_SIZE'] ?? '4 (default)';
  return [
    `machine: ${model}, ${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB RAM`,
    `node ${process.version} (${process.platform}/${process.arch}), UV_THREADPOOL_SIZE=${pool} for the server and the bcrypt bound`,
  ].join('\n');
}

/** Busy and total jiffies of all cores from /proc/stat, or undefined off Linux. */
function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, n) => sum + n, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Share of all cores (0..1) busy with other work while the bench sleeps for `ms`; undefined when it cannot tell. */
export async function backgroundLoad(ms = 1000): Promise<number | undefined> {
  const before = cpuTimes();
  await new Promise((wake) => setTimeout(wake, ms));
  const after = cpuTimes();
  if (before === undefined || after === undefined || after.total === before.total) return undefined;
  return (after.busy - before.busy) / (after.total - before.total);
}
