/**
 * The config contract of a module: the environment variables it reads (a zod shape), its defaults per profile, the
 * options it builds from them (the very type its services take), and the combinations it refuses. The composition
 * root merges every fragment into one `loadConfig`; nothing maps a flat config onto service options by hand.
 * @module
 */
import type { z } from 'zod';
import type { Profile } from './profile.js';

/** What a fragment's checks may look at besides its own options. */
export interface CheckContext {
  /** The profile in force. */
  readonly profile: Profile;
  /** Every parsed setting of every fragment, for the few checks that span modules (e.g. workers and the limit store). */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** One module's slice of the configuration. */
export interface ConfigFragment<Shape extends z.ZodRawShape, Options> {
  /** The variables it reads, each a zod field that parses and checks one string. */
  readonly env: Shape;
  /** Defaults per profile, as the environment strings they stand for; an explicit variable always wins. */
  readonly defaults?: Partial<Record<Profile, Partial<Record<keyof Shape & string, string>>>>;
  /** Builds the module's options from its parsed variables (and, rarely, another fragment's). */
  build(env: z.output<z.ZodObject<Shape>>, settings: Readonly<Record<string, unknown>>): Options;
  /** Combinations that are wrong in every profile, as sentences naming the settings. */
  check?(options: Options, context: CheckContext): string[];
  /** Settings production refuses, as "set X to Y: why" sentences. */
  refuseInProduction?(options: Options, context: CheckContext): string[];
}

/** Declares a fragment, inferring its types (an identity function, so fragments need no type annotations). */
export function defineConfig<Shape extends z.ZodRawShape, Options>(fragment: ConfigFragment<Shape, Options>): ConfigFragment<Shape, Options> {
  return fragment;
}
