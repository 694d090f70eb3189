/**
 * The security log: every event becomes one structured log line (OWASP ASVS 16.3), subscribed to the event bus so no
 * route writes a security line by hand. The account appears as its id, or, for one that does not exist, as the same
 * keyed pseudonym the audit log stores, so the log holds no list of email addresses.
 * @module
 */
import type { EventListener, SesameEvent } from './events.js';
import type { SesameLogger } from './logging.js';

/** A listener that logs each event: refusals of hostile traffic at warn, account events at info. */
export function logEvents(log: SesameLogger, pseudonym: (email: string) => string): EventListener<SesameEvent> {
  return (event) => {
    if (event.countOnly === true) return;
    const { account, context } = event;
    const fields = {
      event: event.type,
      ...(context.requestId === undefined ? {} : { reqId: context.requestId }),
      ...(account === undefined ? {} : 'userId' in account ? { user: account.userId } : { account: pseudonym(account.email) }),
      ...event.detail,
    };
    if (event.traffic === true) log.warn(fields, event.type);
    else log.info(fields, event.type);
  };
}
