/**
 * The rate-limits module's refusal: too many attempts, with when to come back.
 * @module
 */
import { ServerBusyError } from '../../kernel/errors.js';

/** Every code the rate-limits module raises. */
export type RateLimitsErrorCode = 'rate_limit.exceeded';

/** Raised past a limit; surfaces answer 429 with `Retry-After`. */
export class RateLimitedError extends ServerBusyError<'rate_limit.exceeded'> {
  /** Builds the refusal with the wait the limiter computed. */
  constructor(retryAfterSeconds: number) {
    super('rate_limit.exceeded', `too many attempts: try again in ${retryAfterSeconds} seconds`, retryAfterSeconds);
  }
}
