/**
 * The time source every service reads, handed in rather than read from `Date.now()` inside the rules, so a test can
 * cross an expiry or an inactivity timeout without sleeping.
 * @module
 */

/** Returns the current time in epoch milliseconds. */
export type Clock = () => number;

/** The real clock. */
export const systemClock: Clock = Date.now;
