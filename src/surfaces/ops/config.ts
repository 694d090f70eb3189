/**
 * The operations surface's settings: whether Prometheus metrics and the API description are served, and the bounds past
 * which the standalone server sheds load.
 * @module
 */
import { defineConfig } from '../../kernel/config/fragment.js';
import { boolean, duration, integer } from '../../kernel/config/fields.js';

/** What the operations surface is configured with. */
export interface OpsConfig {
  /** Serve Prometheus metrics at `GET /metrics`. */
  readonly metricsEnabled: boolean;
  /**
   * Serve the OpenAPI document at `GET /openapi.json` (and any documentation page). Off in production unless asked
   * for: it lists every route and Sesame's version, which helps an attacker more than a production client (ASVS
   * V13.4.5).
   */
  readonly openApiEnabled: boolean;
  /** Shed requests (503) while the event loop lags more than this, in ms; 0 = never. */
  readonly maxEventLoopDelayMs: number;
  /** Shed requests (503) while the V8 heap holds more than this share of its limit, in percent; 100 = never. */
  readonly maxHeapUsedPercent: number;
}

/** `METRICS_ENABLED`, `OPENAPI_ENABLED` and the load-shedding bounds. */
export const opsConfig = defineConfig({
  env: {
    METRICS_ENABLED: boolean('METRICS_ENABLED'),
    OPENAPI_ENABLED: boolean('OPENAPI_ENABLED'),
    MAX_EVENT_LOOP_DELAY: duration('MAX_EVENT_LOOP_DELAY', '1s', { allowZero: true }),
    MAX_HEAP_USED: integer('MAX_HEAP_USED', 1, 100, 90),
  },
  defaults: {
    development: { METRICS_ENABLED: 'false', OPENAPI_ENABLED: 'true' },
    production: { METRICS_ENABLED: 'false', OPENAPI_ENABLED: 'false' },
  },
  build: (env): OpsConfig => ({
    metricsEnabled: env.METRICS_ENABLED,
    openApiEnabled: env.OPENAPI_ENABLED,
    maxEventLoopDelayMs: env.MAX_EVENT_LOOP_DELAY,
    maxHeapUsedPercent: env.MAX_HEAP_USED,
  }),
});
