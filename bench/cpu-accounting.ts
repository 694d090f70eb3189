/**
 * Tells how much of the machine other processes used during a measured run (system CPU minus the bench's and the server's own), so a figure taken on a busy machine says so.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Linux clock ticks per second for /proc CPU counters (USER_HZ, 100 on every mainstream kernel). */
const TICKS = 100;

/** Busy CPU seconds of the whole machine, from /proc/stat, or undefined off Linux. */
function machineBusySeconds(): number | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    // Guest time is already inside user time: count the first eight fields only.
    return (fields.slice(0, 8).reduce((sum, n) => sum + n, 0) - idle) / TICKS;
  } catch {
    return undefined;
  }
}

/** The `stat` fields of a process after its `(comm)`: [state, ppid, ..., utime at 11, stime at 12]. */
function statFields(pid: string): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by a process and its direct children (a cluster primary's workers). */
function treeSeconds(root: number): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const fields = statFields(pid);
    if (fields === undefined) continue;
    if (Number(pid) === root || Number(fields[1]) === root) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS;
}

/** How the machine's CPU was spent during a window. */
export interface CpuSplit {
  /** Share of all cores (0..1) used by other processes. */
  readonly other: number;
  /** Cores used by the bench process (the load generator), e.g. 0.8. */
  readonly bench: number;
  /** Cores used by the server process tree. */
  readonly server: number;
}

/** A running measurement window. */
export interface CpuWindow {
  /** Ends the window and tells how the CPU was spent during it, or undefined off Linux. */
  stop(): CpuSplit | undefined;
}

/** Opens a window over which the machine's CPU is split between the bench, the server tree rooted at `serverPid`, and everything else. */
export function openCpuWindow(serverPid: number | undefined): CpuWindow {
  const machine = machineBusySeconds();
  const own = process.cpuUsage();
  const server = serverPid === undefined ? 0 : treeSeconds(serverPid);
  const start = performance.now();
  return {
    stop() {
      const machineNow = machineBusySeconds();
      if (machine === undefined || machineNow === undefined) return undefined;
      const ownUsed = process.cpuUsage(own);
      const bench = (ownUsed.user + ownUsed.system) / 1e6;
      const served = serverPid === undefined ? 0 : treeSeconds(serverPid) - server;
      const seconds = (performance.now() - start) / 1000;
      const other = Math.max(0, (machineNow - machine - bench - served) / (seconds * availableParallelism()));
      return { other, bench: bench / seconds, server: served / seconds };
    },
  };
}
