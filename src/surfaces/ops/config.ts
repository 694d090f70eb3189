/**
 * The operations surface's settings: whether Prometheus metrics and the API description are served.
 * @module
 */
import { defineConfig } from '../../kernel/config/fragment.js';
import { boolean } from '../../kernel/config/fields.js';

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
}

/** `METRICS_ENABLED` and `OPENAPI_ENABLED`. */
export const opsConfig = defineConfig({
  env: { METRICS_ENABLED: boolean('METRICS_ENABLED'), OPENAPI_ENABLED: boolean('OPENAPI_ENABLED') },
  defaults: {
    development: { METRICS_ENABLED: 'false', OPENAPI_ENABLED: 'true' },
    production: { METRICS_ENABLED: 'false', OPENAPI_ENABLED: 'false' },
  },
  build: (env): OpsConfig => ({ metricsEnabled: env.METRICS_ENABLED, openApiEnabled: env.OPENAPI_ENABLED }),
});
