/**
 * Load shedding: past a bound (event-loop delay, heap, the password-hashing queue) Sesame answers 503 with
 * `Retry-After` at once instead of letting every request's latency grow without bound. One error for every bound, so
 * a client (and a load balancer) sees one code whatever ran out.
 * @module
 */
import { ServerBusyError } from './errors.js';

/** Seconds a shed client is advised to wait: a burst usually passes within that. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 2;

/** Raised when this instance is over one of its bounds; answered 503 `server.overloaded` with `Retry-After`. */
export class OverloadedError extends ServerBusyError<'server.overloaded'> {
  /** Builds the error; `what` names the bound for the log (`event loop delay`, `heap`, `password hashing queue`). */
  constructor(what: string) {
    super('server.overloaded', `over capacity: ${what}`, OVERLOAD_RETRY_AFTER_SECONDS);
  }
}
