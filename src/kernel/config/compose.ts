/**
 * Composes the modules' config fragments into one loader: settings come from environment variables, checked once at
 * start-up, so a bad value stops the service with a message naming every bad setting.
 * @module
 */
import { z } from 'zod';
import type { CheckContext, ConfigFragment } from './fragment.js';
import { PROFILES, type Profile } from './profile.js';
import { nearMisses, refusedNames } from './unknown-settings.js';

/** Raised for an environment that cannot be turned into a configuration; its message lists every bad setting. */
export class ConfigError extends Error {
  /** Builds the error from the list of problems, one line each. */
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Any fragment, whatever its variables and options. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a heterogeneous record of fragments; each keeps its own types below
type AnyFragment = ConfigFragment<any, any>;

/** The options a set of fragments builds, under the fragments' keys, plus the profile. */
export type ComposedConfig<F extends Record<string, AnyFragment>> = {
  readonly [K in keyof F]: ReturnType<F[K]['build']>;
} & { readonly profile: Profile };

/** A loader for one set of fragments. */
export interface ConfigLoader<F extends Record<string, AnyFragment>> {
  /** Every variable the fragments read, `SESAME_PROFILE` included: for documentation tests and for stripping a test's environment. */
  readonly settingNames: readonly string[];
  /**
   * Reads and checks the settings from an environment (default `process.env`); throws {@link ConfigError} listing every
   * problem. An unknown `SESAME_*` variable is one; with `strict` (a settings object, where every key is meant for
   * Sesame) every unknown name is.
   */
  load(env?: Readonly<Record<string, string | undefined>>, options?: LoadOptions): ComposedConfig<F>;
  /** Variables of an environment that look like misspelt settings, as "did you mean" warnings. */
  nearMisses(env: Readonly<Record<string, string | undefined>>): string[];
}

/** How {@link ConfigLoader.load} reads names it does not know. */
export interface LoadOptions {
  /** Every name is meant as a setting (a host's `settings` object): refuse any unknown one, not only `SESAME_*`. */
  readonly strict?: boolean;
}

const profileField = z.enum(PROFILES as [Profile, ...Profile[]], { message: `SESAME_PROFILE must be one of ${PROFILES.join(', ')}` });

/** Merges fragments into one loader; two fragments may not read the same variable. */
export function composeConfig<F extends Record<string, AnyFragment>>(fragments: F): ConfigLoader<F> {
  const shape: Record<string, z.ZodType> = { SESAME_PROFILE: profileField };
  for (const fragment of Object.values(fragments)) {
    for (const [name, field] of Object.entries(fragment.env as Record<string, z.ZodType>)) {
      if (name in shape) throw new Error(`two config fragments read ${name}`);
      shape[name] = field;
    }
  }
  const schema = z.object(shape);
  const defaultsOf = (profile: Profile): Record<string, string> =>
    Object.assign({}, ...Object.values(fragments).map((fragment) => fragment.defaults?.[profile] ?? {})) as Record<string, string>;

  return {
    settingNames: Object.keys(shape),
    nearMisses: (env) => nearMisses(Object.keys(env), Object.keys(shape)),
    load(env = process.env, options = {}) {
      const unknown = refusedNames(Object.keys(env), Object.keys(shape), options.strict === true);
      if (unknown.length > 0) throw new ConfigError(unknown);
      // An empty variable (`PORT=`) means "not set", as in most twelve-factor tools.
      const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
      const profileName = present['SESAME_PROFILE'];
      const profile: Profile = PROFILES.includes(profileName as Profile) ? (profileName as Profile) : 'development';
      const parsed = schema.safeParse({ ...defaultsOf(profile), SESAME_PROFILE: 'development', ...present });
      if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
      const settings = parsed.data as Record<string, unknown>;
      const context: CheckContext = { profile, settings };
      const built: Record<string, unknown> = { profile };
      const problems: string[] = [];
      for (const [key, fragment] of Object.entries(fragments)) {
        const options: unknown = fragment.build(settings, settings);
        built[key] = options;
        problems.push(...(fragment.check?.(options, context) ?? []));
        if (profile === 'production') {
          problems.push(
            ...(fragment.refuseInProduction?.(options, context) ?? []).map((p: string) => `SESAME_PROFILE=production refuses an unsafe setting: ${p}`),
          );
        }
      }
      if (problems.length > 0) throw new ConfigError(problems);
      return built as ComposedConfig<F>;
    },
  };
}
