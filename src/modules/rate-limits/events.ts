/**
 * What the rate-limits module records: a refusal (hostile traffic: logged and counted, never stored).
 * @module
 */
import type { SesameEvent } from '../../kernel/events.js';

/** The rate-limits module's event. */
export type RateLimitsEvent = SesameEvent<'rate_limit.refused'>;
