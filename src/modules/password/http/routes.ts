/**
 * Every route of the password module, registered together on the API surface.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { changeRoutes } from './change.js';
import type { PasswordRoutesDeps } from './deps.js';
import { loginRoutes } from './login.js';
import { registrationRoutes } from './registration.js';
import { resetRoutes } from './reset.js';

/** Registers `POST /users`, `POST /sessions`, `PUT /password` and both `/reset_password` routes. */
export function passwordRoutes(app: FastifyInstance, deps: PasswordRoutesDeps): void {
  registrationRoutes(app, deps);
  loginRoutes(app, deps);
  resetRoutes(app, deps);
  changeRoutes(app, deps);
}
