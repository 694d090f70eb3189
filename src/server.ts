/**
 * The standalone entry point (`npm start`): reads the environment, opens the database, wires the layers and listens.
 * @module
 */
import { Auth } from './auth/auth.js';
import { startExpirySweeper } from './auth/sweeper.js';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { DB } from './db/db.js';
import { openStorage, redactUrl } from './db/storage.js';

/** Starts one server process and wires SIGTERM/SIGINT to a graceful stop. */
async function main(config: Config): Promise<void> {
  const storage = await openStorage(config.databaseUrl);
  const auth = new Auth(new DB(storage.kysely), {
    bcryptCost: config.bcryptCost,
    sessionTtlMs: config.sessionTtlMs,
    resetTokenTtlMs: config.resetTokenTtlMs,
  });
  const app = await buildApp({ auth, config });
  const stopSweeper = startExpirySweeper(auth, config.sweepIntervalMs, app.log);
  app.addHook('onClose', async () => {
    stopSweeper();
    await storage.close();
  });

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

  await app.listen({ port: config.port, host: config.host });
  app.log.info({ database: redactUrl(config.databaseUrl), engine: storage.engine }, 'sesame is ready');
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`sesame: ${error.message}\n`);
  process.exit(2);
}
main(config).catch((error: unknown) => {
  process.stderr.write(`sesame: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
