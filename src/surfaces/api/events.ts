/**
 * What the API surface records: a cross-site request refused (hostile traffic: logged and counted, never stored).
 * @module
 */
import type { SesameEvent } from '../../kernel/events.js';

/** The API surface's event. */
export type ApiEvent = SesameEvent<'cross_site.refused'>;
