/**
 * A misspelt setting never passes silently: a settings object's unknown key and an unknown `SESAME_*` variable stop
 * the start-up naming the likely setting; a near miss elsewhere in the environment is warned about; a plugin or a
 * fetch handler refuses settings only the standalone server reads, saying what to do instead.
 * @module
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SETTING_NAMES, settingNearMisses } from '../../src/config.js';
import { editDistance, nearestSetting } from '../../src/kernel/config/unknown-settings.js';
import { createFetchHandler } from '../../src/fetch.js';
import { sesamePlugin } from '../../src/index.js';
import { startupWarnings } from '../../src/bin/startup-warnings.js';

describe('unknown settings', () => {
  it('refuses any unknown key of a settings object, with the setting it probably meant', () => {
    expect(() => loadConfig({ SECRET_KY: 'x' }, { strict: true })).toThrow(new ConfigError(['unknown setting SECRET_KY (did you mean SECRET_KEY?)']));
    expect(() => loadConfig({ FAVOURITE_COLOUR: 'x' }, { strict: true })).toThrow(new ConfigError(['unknown setting FAVOURITE_COLOUR']));
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }, { strict: true }).database.url).toBe('sqlite::memory:');
  });

  it('refuses an unknown SESAME_* variable in an environment and leaves other variables alone', () => {
    expect(() => loadConfig({ SESAME_PROFLE: 'production' })).toThrow(new ConfigError(['unknown setting SESAME_PROFLE (did you mean SESAME_PROFILE?)']));
    expect(() => loadConfig({ PATH: '/usr/bin', HOME: '/root', DATABASE_URI: 'x' })).not.toThrow();
  });

  it('warns about a near miss in the environment, never about a short or unrelated name', () => {
    expect(settingNearMisses({ DATABASE_URI: 'postgres://x', HOME: '/root', PATH: '/bin', TERM: 'xterm', NODE_ENV: 'production', SMTP_URI: 'x', BCRYPT_CST: '12' })).toEqual([
      'DATABASE_URI is not a Sesame setting: did you mean DATABASE_URL?',
      'SMTP_URI is not a Sesame setting: did you mean SMTP_URL?',
      'BCRYPT_CST is not a Sesame setting: did you mean BCRYPT_COST?',
    ]);
    expect(startupWarnings(loadConfig({}), { DATABASE_URI: 'x' })).toEqual(['DATABASE_URI is not a Sesame setting: did you mean DATABASE_URL?']);
  });

  it('measures typos as edits: one for names of 6 or 7 characters, two from 8, none below', () => {
    expect(editDistance('SECRET_KEY', 'SECRET_KYE')).toBe(1);
    expect(editDistance('PORT', 'PROT')).toBe(1);
    expect(editDistance('abc', 'abcdefgh', 2)).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(nearestSetting('HOTS', SETTING_NAMES)).toBeUndefined();
    expect(nearestSetting('WORKRS', SETTING_NAMES)).toBe('WORKERS');
    expect(nearestSetting('WORKRZ', SETTING_NAMES)).toBeUndefined();
    expect(nearestSetting('LOG_LEVLE', SETTING_NAMES)).toBe('LOG_LEVEL');
    expect(nearestSetting('log_level', SETTING_NAMES)).toBe('LOG_LEVEL');
  });
});

describe('settings only the standalone server reads', () => {
  it('are refused by the plugin, naming what the host does instead', async () => {
    for (const [name, advice] of [
      ['PORT', "the host's own listen() decides where it serves; set PUBLIC_URL so mailed links point there"],
      ['METRICS_ENABLED', 'the host serves its own metrics'],
      ['TRUST_PROXY', "set Fastify's trustProxy option on the host"],
      ['ADMIN_PORT', 'the admin API belongs to the standalone server'],
    ] as const) {
      const app = Fastify({ logger: false });
      await expect(app.register(sesamePlugin, { profile: 'development', settings: { [name]: '1' } }).ready()).rejects.toThrow(`${name} is read only by the standalone server: ${advice}`);
      await app.close();
    }
  });

  it('are refused by the fetch handler, which does read TRUST_PROXY', async () => {
    await expect(createFetchHandler({ profile: 'development', settings: { WORKERS: '2' } })).rejects.toThrow(
      'WORKERS is read only by the standalone server: run the host itself in several processes (node:cluster or a process manager)',
    );
    await expect(createFetchHandler({ profile: 'development', settings: { SECRET_KY: 'x' } as never })).rejects.toThrow('unknown setting SECRET_KY (did you mean SECRET_KEY?)');
  });
});
