/**
 * The standalone entry point (`npm start`): reads the environment, opens the database, wires the layers and listens.
 * @module
 */
import cluster from 'node:cluster';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createSesame } from '../sesame.js';
import { buildServer } from './app.js';
import { runPrimary } from './cluster.js';
import { startupWarnings } from './startup-warnings.js';

/** Starts one server process and wires SIGTERM/SIGINT to a graceful stop. */
async function main(config: Config): Promise<void> {
  const app = await buildServer(await createSesame(config));
  for (const warning of startupWarnings(config)) {
    app.log.warn({ startupWarning: true }, warning);
    process.stderr.write(`sesame: WARNING: ${warning}\n`);
  }

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing requests in flight');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ port: config.server.port, host: config.server.host });
  app.log.info('sesame is ready');
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`sesame: ${error.message}\n`);
  process.exit(2);
}
// WORKERS > 1: this process only forks and supervises; each worker runs main() on the shared port.
const start = config.server.workers > 1 && cluster.isPrimary ? runPrimary(config) : main(config);
start.catch((error: unknown) => {
  process.stderr.write(`sesame: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
