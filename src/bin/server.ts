/**
 * The standalone entry point (`npm start`): reads the environment, opens the database, wires the layers and listens.
 * @module
 */
import cluster from 'node:cluster';
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createSesame } from '../sesame.js';
import { buildAdminServer } from '../surfaces/admin/server.js';
import { buildServer } from './app.js';
import { runPrimary } from './cluster.js';
import { startupWarnings } from './startup-warnings.js';

/** Starts one server process and wires SIGTERM/SIGINT to a graceful stop bounded by SHUTDOWN_TIMEOUT. */
async function main(config: Config): Promise<void> {
  const sesame = await createSesame(config);
  const app = await buildServer(sesame);
  // The admin API listens apart, only when ADMIN_PORT is set; it closes before the public server (which closes Sesame).
  const admin = config.admin.port === undefined ? undefined : await buildAdminServer(sesame);
  for (const warning of startupWarnings(config)) {
    app.log.warn({ startupWarning: true }, warning);
    process.stderr.write(`sesame: WARNING: ${warning}\n`);
  }

  // Graceful stop on SIGTERM/SIGINT (and on a crash): stop accepting, finish requests in flight, close the database.
  // Bounded by SHUTDOWN_TIMEOUT, after which the process exits 1 anyway; a second signal exits at once, so an operator
  // (or an orchestrator's second signal) is never ignored.
  closeWithGrace(
    {
      delay: config.server.shutdownTimeoutMs,
      logger: { error: (message: unknown) => app.log.error(String(message)) },
      onSecondSignal: (signal) => app.log.warn({ signal }, 'second signal: exiting at once'),
      onTimeout: (delayMs) => app.log.error({ shutdownTimeoutMs: delayMs }, 'shutdown took longer than SHUTDOWN_TIMEOUT: exiting with requests unfinished'),
    },
    async ({ signal, err }) => {
      if (err !== undefined) app.log.fatal({ err }, 'uncaught error: shutting down');
      else app.log.info({ signal }, 'shutting down: finishing requests in flight');
      await admin?.close();
      await app.close();
    },
  );

  await app.listen({ port: config.server.port, host: config.server.host });
  if (admin !== undefined && config.admin.port !== undefined) await admin.listen({ port: config.admin.port, host: config.admin.host });
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
