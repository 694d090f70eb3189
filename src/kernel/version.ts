/**
 * Sesame's version, for the OpenAPI document; a constant rather than a read of package.json, whose path differs
 * between the sources and the build (a test keeps the two equal).
 * @module
 */

/** The `version` of package.json. */
export const SESAME_VERSION = '0.1.0';
