/**
 * Metrics that hold with `WORKERS` > 1: every worker counts only its own requests, and whichever worker a scrape
 * lands on must answer with the whole process group's totals. The primary cannot serve HTTP on the shared port, so a
 * worker asked for `/metrics` asks the primary over the cluster's IPC channel; the primary gathers every worker's
 * registry with prom-client's `AggregatorRegistry` and sends the sum back to the worker that asked.
 * @module
 */
import type { Worker } from 'node:cluster';
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { Registry } from 'prom-client';

/** A worker's request for the aggregate, and the primary's answer, told apart from prom-client's own messages. */
const REQUEST = 'sesame:cluster-metrics-request';
const ANSWER = 'sesame:cluster-metrics-answer';

/** How long a worker waits for the aggregate: longer than prom-client's own 5 s wait for the workers' figures. */
const ANSWER_TIMEOUT_MS = 8000;

/** A worker asks for the aggregate under an id, so concurrent scrapes get their own answers. */
interface MetricsRequest {
  readonly type: typeof REQUEST;
  readonly id: number;
}

/** The aggregate in Prometheus text, or why it could not be gathered. */
interface MetricsAnswer {
  readonly type: typeof ANSWER;
  readonly id: number;
  readonly text?: string;
  readonly error?: string;
}

/** The subset of node:cluster the primary side needs (a stand-in in tests). */
export interface ClusterLike {
  on(event: 'message', listener: (worker: Worker, message: unknown) => void): unknown;
}

/** Loads prom-client on demand: the primary pays for it only with METRICS_ENABLED (as the workers do). */
function promClient(): typeof PromClient {
  return createRequire(import.meta.url)('prom-client') as typeof PromClient;
}

/**
 * In the cluster primary: answers the workers' requests for the aggregate. prom-client asks every live worker for
 * its registry's figures and sums counters and histograms (gauges by each metric's own rule).
 */
export function serveClusterMetrics(cluster: ClusterLike): void {
  const aggregator = new (promClient().AggregatorRegistry)();
  cluster.on('message', (worker, message) => {
    if (!isRequest(message)) return;
    aggregator.clusterMetrics().then(
      (text) => send(worker, { type: ANSWER, id: message.id, text }),
      (error: unknown) => send(worker, { type: ANSWER, id: message.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

/** Sends an answer to a worker that may have gone meanwhile (a stopping worker is no reason to crash the primary). */
function send(worker: Worker, answer: MetricsAnswer): void {
  if (worker.isConnected()) worker.send(answer, undefined, () => undefined);
}

/** Whether an IPC message is a worker's request for the aggregate. */
function isRequest(message: unknown): message is MetricsRequest {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === REQUEST;
}

/** Whether an IPC message is the primary's answer. */
function isAnswer(message: unknown): message is MetricsAnswer {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === ANSWER;
}

/**
 * In a worker: offers `registry` to prom-client's cluster protocol (the primary collects it from every worker) and
 * returns the function `/metrics` calls to get the group's totals from the primary.
 */
export function clusterMetricsClient(registry: Registry): () => Promise<string> {
  const { AggregatorRegistry } = promClient();
  AggregatorRegistry.setRegistries([registry]);
  // prom-client starts answering the primary's requests only once an AggregatorRegistry has been built in the process.
  new AggregatorRegistry();
  const pending = new Map<number, { resolve(text: string): void; reject(error: Error): void }>();
  let nextId = 0;
  process.on('message', (message: unknown) => {
    if (!isAnswer(message)) return;
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.text !== undefined) waiting?.resolve(message.text);
    else waiting?.reject(new Error(`cluster metrics unavailable: ${message.error ?? 'no answer'}`));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      nextId += 1;
      const id = nextId;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('cluster metrics unavailable: the primary did not answer in time'));
      }, ANSWER_TIMEOUT_MS);
      pending.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      const request: MetricsRequest = { type: REQUEST, id };
      process.send?.(request);
    });
}
