/**
 * Barriers for the operational suites (rate limits, the sweeper, shutdown, workers, client time limits): wait for an
 * event with a generous bound instead of sleeping a fixed time, so a busy machine makes a test slower, never red.
 * @module
 */
import type { RunningServer } from './built-server.js';

/**
 * How long a built server (or a cluster of workers) may take to start beside busy suites and CPU burners: loading the
 * compiled modules alone takes seconds on a loaded 2-core machine. A bound, not an expectation.
 */
export const SLOW_START_MS = 120_000;

/** A test timeout for a test that starts a built server itself and then works with it. */
export const SLOW_TEST_MS = 240_000;

/**
 * Polls `test` every `intervalMs` until it holds, and throws after `timeoutMs` (default 60 s) naming `what`: a bound on
 * "until it happens", never an expectation of how fast.
 */
export async function waitUntil(test: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((wake) => setTimeout(wake, intervalMs));
  }
}

/**
 * Resolves with `promise`'s value, or throws naming `what` if it has not settled after `timeoutMs`: a generous bound
 * for a test whose failure would otherwise be a silent hang (e.g. a socket the server should close and never does).
 */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** One JSON line of a built server's log, as far as the cluster suites read it. */
export interface LogEntry {
  readonly pid?: number;
  readonly req?: { readonly remotePort?: number };
}

/** The complete JSON lines of the server's log so far (a line still coming through the pipe is left for later). */
export function logEntries(server: RunningServer): LogEntry[] {
  const parsed: LogEntry[] = [];
  for (const line of server.logs().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      parsed.push(JSON.parse(line) as LogEntry);
    } catch {
      // Partial: the rest is still in the pipe.
    }
  }
  return parsed;
}
