/**
 * Load shedding for the standalone server (`@fastify/under-pressure`): while the event loop lags past
 * `MAX_EVENT_LOOP_DELAY` or the heap holds more than `MAX_HEAP_USED` percent of its limit, new requests get 503
 * `server.overloaded` with `Retry-After` at once, so latency stays bounded and the backlog drains instead of growing.
 * Liveness still answers (the process is alive, restarting it would not help); readiness says `overloaded`, so a
 * load balancer sends traffic elsewhere meanwhile.
 * @module
 */
import { getHeapStatistics } from 'node:v8';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OverloadedError } from '../../kernel/overload.js';
import type { OpsConfig } from './config.js';

declare module 'fastify' {
  /** Route config: under-pressure's per-route handler. */
  interface FastifyContextConfig {
    /**
     * A route's own answer under pressure (under-pressure reads it at run time; its types do not declare it): return
     * undefined to serve the request anyway, or a body to send instead.
     */
    pressureHandler?: (request: FastifyRequest, reply: FastifyReply) => unknown;
  }
}

/** The heap bound in bytes for a percentage of V8's heap limit; 0 (off) at 100 percent. */
export function heapBoundBytes(percent: number): number {
  return percent >= 100 ? 0 : Math.floor((getHeapStatistics().heap_size_limit * percent) / 100);
}

/** Registers the bounds on `app` (nothing when both are off); routes opt out with `config.pressureHandler`. */
export async function registerLoadShedding(app: FastifyInstance, config: Pick<OpsConfig, 'maxEventLoopDelayMs' | 'maxHeapUsedPercent'>): Promise<void> {
  const maxHeapUsedBytes = heapBoundBytes(config.maxHeapUsedPercent);
  if (config.maxEventLoopDelayMs === 0 && maxHeapUsedBytes === 0) return;
  await app.register(underPressure, {
    maxEventLoopDelay: config.maxEventLoopDelayMs,
    maxHeapUsedBytes,
    // Sampled every half second: a lag is noticed quickly, at a negligible cost.
    sampleInterval: 500,
    pressureHandler: (request, _reply, type, value) => {
      // under-pressure reports an interval with no loop sample at all (the loop busy for all of it, as while the server
      // compiles its routes at start-up) as an infinite delay. A lag that lasts is measured in the next interval, when
      // the late timers are recorded; shedding on the empty one alone turned away the first requests after a start.
      if (type === 'eventLoopDelay' && (value === undefined || !Number.isFinite(value))) return;
      request.log.warn({ pressure: type, value }, 'over capacity: request shed with 503');
      throw new OverloadedError(type);
    },
  });
}
