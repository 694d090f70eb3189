/**
 * The standalone application: a Fastify server with the Sesame plugin at `/`, built from handed-in parts so tests build it in-process.
 * @module
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Auth } from './auth/auth.js';
import type { Config } from './config/config.js';
import { sesameErrorHandler } from './http/error-handler.js';
import { sesamePlugin } from './http/plugin.js';
import { loggerOptions } from './logging.js';

/** What {@link buildApp} needs. */
export interface AppDeps {
  /** The auth layer, already wired to a database. */
  readonly auth: Auth;
  /** The validated settings. */
  readonly config: Config;
  /** Where log lines go (default stdout); tests pass a capture stream. */
  readonly logStream?: NodeJS.WritableStream;
}

/** Builds (but does not start) the standalone server. */
export async function buildApp({ auth, config, logStream }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config.logLevel, logStream),
    return503OnClosing: true,
  });
  app.setErrorHandler(sesameErrorHandler);
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ message: `no route for ${request.method} ${request.url.split('?')[0] ?? ''}` });
  });
  await app.register(sesamePlugin, { auth, cookieSecure: config.cookieSecure });
  return app;
}
