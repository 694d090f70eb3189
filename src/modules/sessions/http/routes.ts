/**
 * Every route of the sessions module, registered together on the API surface.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { SessionRoutesDeps } from './deps.js';
import { logoutRoutes } from './logout.js';
import { profileRoutes } from './profile.js';
import { sessionListRoutes } from './session-list.js';

/** Registers `DELETE /sessions`, `GET /profile`, `GET /sessions` and `POST /sessions/end`. */
export function sessionsRoutes(app: FastifyInstance, deps: SessionRoutesDeps): void {
  logoutRoutes(app, deps);
  profileRoutes(app);
  sessionListRoutes(app, deps);
}
