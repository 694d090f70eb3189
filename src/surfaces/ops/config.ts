/**
 * The operations surface's settings: whether Prometheus metrics are served.
 * @module
 */
import { defineConfig } from '../../kernel/config/fragment.js';
import { boolean } from '../../kernel/config/fields.js';

/** What the operations surface is configured with. */
export interface OpsConfig {
  /** Serve Prometheus metrics at `GET /metrics`. */
  readonly metricsEnabled: boolean;
}

/** `METRICS_ENABLED`. */
export const opsConfig = defineConfig({
  env: { METRICS_ENABLED: boolean('METRICS_ENABLED') },
  defaults: { development: { METRICS_ENABLED: 'false' }, production: { METRICS_ENABLED: 'false' } },
  build: (env): OpsConfig => ({ metricsEnabled: env.METRICS_ENABLED }),
});
