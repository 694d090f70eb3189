/**
 * Instrumentation preloaded into the measured server (`node --import dist/bench/probe.js dist/src/server.js`): an event-loop delay monitor read over IPC, a bare hello-world Fastify route in the same process as the ratio's reference, and on PostgreSQL a bare route running the session lookup as one prepared query.
 * @module
 */
import cluster from 'node:cluster';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Fastify from 'fastify';
import type { LogLevel } from '../src/kernel/logging.js';
import { loggerOptions } from '../src/kernel/logging.js';
import { startQueryRoute } from './query-route.js';

/** A request from the bench to the probe. */
export type ProbeRequest =
  | { readonly type: 'eld:reset' }
  | { readonly type: 'eld:begin' }
  | { readonly type: 'eld:end' }
  | { readonly type: 'eld:read' }
  | { readonly type: 'prof:start' }
  | { readonly type: 'prof:stop'; readonly file: string };

/** The probe's answer to `prof:stop`, once the profile file is written. */
export interface ProfileWritten {
  /** Discriminator of the IPC message. */
  readonly type: 'prof:written';
  /** Where the `.cpuprofile` went. */
  readonly file: string;
}

/** The probe's answer to `eld:read`: event-loop delay over the loaded intervals since the last reset, in milliseconds. */
export interface EldReading {
  /** Discriminator of the IPC message. */
  readonly type: 'eld';
  /** Largest of the intervals' median delays. */
  readonly p50: number;
  /** Largest of the intervals' 99th percentile delays (the worst interval). */
  readonly p99: number;
  /** Largest delay seen. */
  readonly max: number;
  /** Samples over all intervals. */
  readonly samples: number;
  /** How many intervals were bracketed. */
  readonly intervals: number;
}

/**
 * Starts the event-loop delay monitor and answers the bench over the IPC channel: `eld:begin`/`eld:end` bracket a
 * loaded interval and keep its figures; `eld:read` reports the worst p99 and the largest delay over the intervals
 * kept since `eld:reset`. Idle gaps between the intervals never count. (Node's ELD histogram cannot be merged into
 * another, and pausing it makes its first sample span the pause, hence one reading per interval.)
 */
function startEldMonitor(): void {
  const send = process.send?.bind(process);
  if (send === undefined) return;
  // 10 ms is Node's default sampling resolution; the delay recorded is how late each tick fires.
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let intervals: Array<{ p50: number; p99: number; max: number; samples: number }> = [];
  process.on('message', (message: ProbeRequest) => {
    if (message.type === 'eld:reset') intervals = [];
    if (message.type === 'eld:begin') histogram.reset();
    if (message.type === 'eld:end') {
      intervals.push({ p50: histogram.percentile(50), p99: histogram.percentile(99), max: histogram.max, samples: histogram.count });
    }
    if (message.type === 'eld:read') {
      const reading: EldReading = {
        type: 'eld',
        p50: Math.max(0, ...intervals.map((interval) => interval.p50)) / 1e6,
        p99: Math.max(0, ...intervals.map((interval) => interval.p99)) / 1e6,
        max: Math.max(0, ...intervals.map((interval) => interval.max)) / 1e6,
        samples: intervals.reduce((sum, interval) => sum + interval.samples, 0),
        intervals: intervals.length,
      };
      send(reading);
    }
  });
  startProfilerControl(send);
  // If the bench dies, stop the orphaned server the graceful way.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

/**
 * Lets the bench start and stop V8's sampling CPU profiler (the one `node --cpu-prof` uses, same 1 ms interval)
 * around the measured window only, so start-up and warm-up do not blur the self-time figures.
 */
function startProfilerControl(send: (message: ProfileWritten) => void): void {
  const session = new Session();
  const post = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  process.on('message', (message: ProbeRequest) => {
    if (message.type === 'prof:start') {
      session.connect();
      void post('Profiler.enable')
        .then(() => post('Profiler.setSamplingInterval', { interval: 1000 }))
        .then(() => post('Profiler.start'));
    }
    if (message.type === 'prof:stop') {
      void post('Profiler.stop').then((result) => {
        writeFileSync(message.file, JSON.stringify((result as { profile: unknown }).profile));
        session.disconnect();
        send({ type: 'prof:written', file: message.file });
      });
    }
  });
}

/** Serves `GET /` → `{"hello":"world"}` on BENCH_HELLO_PORT with the server's own logger settings: the framework's floor. */
function startHelloWorld(): void {
  const port = Number(process.env['BENCH_HELLO_PORT']);
  if (!Number.isInteger(port) || port <= 0) return;
  const level = (process.env['LOG_LEVEL'] ?? 'info') as LogLevel;
  const app = Fastify({ logger: loggerOptions(level), return503OnClosing: true });
  app.get('/', async () => ({ hello: 'world' }));
  app.listen({ port, host: '127.0.0.1' }).catch((error: unknown) => {
    process.stderr.write(`bench probe: hello-world failed to listen: ${String(error)}\n`);
  });
}

// Only the process the bench spawned: a cluster worker inherits --import but is not measured this way.
if (!cluster.isWorker) {
  startEldMonitor();
  startHelloWorld();
  startQueryRoute();
}
