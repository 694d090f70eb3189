/**
 * Settings profiles: `development` keeps the seed's own flow working, `production` turns every protection on and
 * refuses unsafe settings. Each module's config fragment gives its own defaults and refusals per profile.
 * @module
 */

/** The two profiles `SESAME_PROFILE` selects. */
export type Profile = 'development' | 'production';

/** Every profile, in the order documentation lists them. */
export const PROFILES: readonly Profile[] = ['development', 'production'];
