/**
 * Settings tests share: a fixed server secret (production refuses to start without one), never used outside tests.
 * @module
 */

/** 32 bytes in hex: a valid `SECRET_KEY` for tests of the production profile. */
export const TEST_SECRET_KEY = '0123456789abcdef'.repeat(4);
