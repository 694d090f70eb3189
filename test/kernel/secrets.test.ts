// The server secret: SECRET_KEY's accepted forms and refusals, HKDF keys by purpose, and in development a key
// generated once, kept in the database (on both engines) and shared by processes that start together.
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { loadSecretKey, SecretKey, SecretKeyring } from '../../src/kernel/secrets.js';
import { describeEngines, useFreshStorage } from '../support/engines.js';
import { TEST_SECRET_KEY } from '../support/settings.js';

const T0 = 1_700_000_000_000;

describe('SecretKey', () => {
  it('reads 32 or more bytes of hex, base64 or base64url, and refuses fewer or anything else', () => {
    const bytes = randomBytes(32);
    for (const text of [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url'), ` ${bytes.toString('hex')}\n`]) {
      expect(SecretKey.parse(text)?.derive('p').equals(new SecretKey(bytes).derive('p')), text).toBe(true);
    }
    expect(SecretKey.parse(randomBytes(48).toString('base64'))).not.toBeNull();
    for (const bad of [randomBytes(31).toString('hex'), randomBytes(31).toString('base64'), 'correct horse battery staple', '', '!?'.repeat(40)]) {
      expect(SecretKey.parse(bad), bad).toBeNull();
    }
    expect(() => new SecretKey(randomBytes(16))).toThrow(/at least 32 bytes/);
  });

  it('derives one key per purpose with HKDF-SHA-256, the same every time, different between purposes and secrets', () => {
    const raw = Buffer.from(TEST_SECRET_KEY, 'hex');
    const key = new SecretKey(raw);
    const expected = Buffer.from(hkdfSync('sha256', raw, 'sesame', 'audit-pseudonym', 32));
    expect(key.derive('audit-pseudonym').equals(expected)).toBe(true);
    expect(key.derive('audit-pseudonym').equals(key.derive('audit-pseudonym'))).toBe(true);
    expect(key.derive('audit-pseudonym').equals(key.derive('webhook-signature'))).toBe(false);
    expect(key.derive('audit-pseudonym').equals(SecretKey.generate().derive('audit-pseudonym'))).toBe(false);
    expect(key.derive('x', 64)).toHaveLength(64);
    expect(key.mac('audit-pseudonym', 'a@x.io')).toBe(createHmac('sha256', expected).update('a@x.io').digest('hex'));
  });

  it('never shows itself in JSON (a key that reaches a log line is a placeholder)', () => {
    const key = new SecretKey(Buffer.from(TEST_SECRET_KEY, 'hex'));
    expect(JSON.stringify({ key })).toBe('{"key":"[secret key]"}');
    expect(JSON.stringify({ key })).not.toContain(key.toBase64());
  });
});

describe('SECRET_KEY', () => {
  it('is optional in development, and a value that is not 32 bytes is refused in every profile with how to make one', () => {
    expect(loadConfig({}).secrets.key).toBeUndefined();
    expect(loadConfig({ SECRET_KEY: TEST_SECRET_KEY }).secrets.key?.derive('p').length).toBe(32);
    let error: unknown;
    try {
      loadConfig({ SECRET_KEY: 'short' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'SECRET_KEY must be at least 32 random bytes in hex or base64 (e.g. the output of: sesame secret-key generate, or openssl rand -base64 32)',
    ]);
  });

  it('is required in production', () => {
    expect(() => loadConfig({ SESAME_PROFILE: 'production', RESET_WEBHOOK_URL: 'https://mailer.example/hook' })).toThrow(/refuses an unsafe setting: set SECRET_KEY/);
  });
});

describe('SecretKey.id and the keyring', () => {
  it('gives each key a short id, the first 8 hex of HMAC(key, "sesame key id"): stable, distinct, never the key', () => {
    const raw = Buffer.from(TEST_SECRET_KEY, 'hex');
    const key = new SecretKey(raw);
    expect(key.id).toBe(createHmac('sha256', raw).update('sesame key id').digest('hex').slice(0, 8));
    expect(key.id).toMatch(/^[0-9a-f]{8}$/);
    expect(new SecretKey(Buffer.from(raw)).id).toBe(key.id);
    expect(SecretKey.generate().id).not.toBe(key.id);
    expect(TEST_SECRET_KEY).not.toContain(key.id);
  });

  it('writes with the current key and reads with every key, the current one first; finds a key by id; hides the keys in JSON', () => {
    const current = SecretKey.generate();
    const older = SecretKey.generate();
    const oldest = SecretKey.generate();
    const ring = new SecretKeyring(current, [older, oldest, older, current]);
    expect(ring.all.map((key) => key.id)).toEqual([current.id, older.id, oldest.id]);
    expect(ring.byId(oldest.id)).toBe(oldest);
    expect(ring.byId('00000000')).toBeUndefined();
    expect(ring.derive('p').map(({ id, key }) => [id, key.toString('hex')])).toEqual(ring.all.map((key) => [key.id, key.derive('p').toString('hex')]));
    expect(ring.macs('p', 'v')).toEqual([current.mac('p', 'v'), older.mac('p', 'v'), oldest.mac('p', 'v')]);
    const json = JSON.stringify({ ring });
    expect(json).toBe(`{"ring":"[secret keyring: ${current.id}, ${older.id}, ${oldest.id}]"}`);
    for (const key of [current, older, oldest]) expect(json).not.toContain(key.toBase64());
  });
});

describe('SECRET_KEYS_PREVIOUS', () => {
  const current = Buffer.from(TEST_SECRET_KEY, 'hex');
  const older = randomBytes(32);
  const oldest = randomBytes(40);

  /** The problems loadConfig lists for these settings. */
  function problemsOf(env: Record<string, string>): readonly string[] {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  }

  it('reads a comma-separated list in any of SECRET_KEY\'s forms, newest first, blanks and spaces ignored; unset is none', () => {
    expect(loadConfig({ SECRET_KEY: TEST_SECRET_KEY }).secrets.previousKeys).toEqual([]);
    const config = loadConfig({ SECRET_KEY: TEST_SECRET_KEY, SECRET_KEYS_PREVIOUS: ` ${older.toString('base64')} ,, ${oldest.toString('hex')},` });
    expect(config.secrets.previousKeys.map((key) => key.id)).toEqual([new SecretKey(older).id, new SecretKey(oldest).id]);
  });

  it('refuses a previous key that is SECRET_KEY itself, not a key, too short, or repeated, naming the setting and its place', () => {
    expect(problemsOf({ SECRET_KEY: TEST_SECRET_KEY, SECRET_KEYS_PREVIOUS: `${older.toString('base64')},${current.toString('base64')}` })).toEqual([
      'SECRET_KEYS_PREVIOUS: key 2 of the list is SECRET_KEY itself: list only the keys SECRET_KEY replaced',
    ]);
    expect(problemsOf({ SECRET_KEY: TEST_SECRET_KEY, SECRET_KEYS_PREVIOUS: `${older.toString('hex')},${randomBytes(31).toString('base64')},hunter2` })).toEqual([
      'SECRET_KEYS_PREVIOUS: key 2 of the list is not a key: each must be at least 32 random bytes in hex or base64 (e.g. the output of: sesame secret-key generate, or openssl rand -base64 32)',
      'SECRET_KEYS_PREVIOUS: key 3 of the list is not a key: each must be at least 32 random bytes in hex or base64 (e.g. the output of: sesame secret-key generate, or openssl rand -base64 32)',
    ]);
    expect(problemsOf({ SECRET_KEY: TEST_SECRET_KEY, SECRET_KEYS_PREVIOUS: `${older.toString('hex')},${older.toString('base64')}` })).toEqual([
      'SECRET_KEYS_PREVIOUS: key 2 of the list repeats an earlier one',
    ]);
    expect(problemsOf({ SECRET_KEYS_PREVIOUS: older.toString('base64') })).toEqual([
      'SECRET_KEYS_PREVIOUS is set without SECRET_KEY: previous keys only make sense beside the current key that replaced them',
    ]);
    // No problem ever quotes a key.
    const all = problemsOf({ SECRET_KEY: TEST_SECRET_KEY, SECRET_KEYS_PREVIOUS: `${current.toString('base64')},${randomBytes(8).toString('hex')}` }).join('\n');
    expect(all).not.toContain(current.toString('base64'));
    expect(all).not.toContain(TEST_SECRET_KEY);
  });
});

describeEngines('the development secret', (engine) => {
  const storage = useFreshStorage(engine);

  it('is generated once, kept in the database across restarts, and the configured key always wins', async () => {
    const first = await loadSecretKey(storage().kysely, undefined, T0);
    expect(first.generated).toBe(true);
    const again = await loadSecretKey(storage().kysely, undefined, T0 + 1);
    expect(again.generated).toBe(false);
    expect(again.key.derive('p').equals(first.key.derive('p'))).toBe(true);

    await storage().detach();
    const reopened = await storage().reopen();
    try {
      const afterRestart = await loadSecretKey(reopened.kysely, undefined, T0 + 2);
      expect(afterRestart.key.derive('p').equals(first.key.derive('p'))).toBe(true);
      const configured = new SecretKey(Buffer.from(TEST_SECRET_KEY, 'hex'));
      const given = await loadSecretKey(reopened.kysely, configured, T0);
      // toBe: a SecretKey's bytes are private, so toEqual would call any two keys equal.
      expect(given.key).toBe(configured);
      expect(given.generated).toBe(false);
      const rows = await reopened.kysely.selectFrom('sesame_secrets').selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.created_at).toBe(T0);
    } finally {
      await reopened.detach();
    }
  });

  it('when configured, is used as given and nothing is written to the database', async () => {
    const configured = new SecretKey(Buffer.from(TEST_SECRET_KEY, 'hex'));
    const given = await loadSecretKey(storage().kysely, configured, T0);
    expect(given.key).toBe(configured);
    expect(given.generated).toBe(false);
    expect(await storage().kysely.selectFrom('sesame_secrets').selectAll().execute()).toEqual([]);
  });

  it('for a caller that writes nothing (generate: false): the kept key when there is one, else a throwaway one never stored', async () => {
    const throwaway = await loadSecretKey(storage().kysely, undefined, T0, { generate: false });
    expect([throwaway.generated, throwaway.kept]).toEqual([false, false]);
    expect(await storage().kysely.selectFrom('sesame_secrets').selectAll().execute()).toEqual([]);
    const kept = await loadSecretKey(storage().kysely, undefined, T0);
    const read = await loadSecretKey(storage().kysely, undefined, T0, { generate: false });
    expect([read.generated, read.kept]).toEqual([false, true]);
    expect(read.key.derive('p').equals(kept.key.derive('p'))).toBe(true);
    expect(read.key.derive('p').equals(throwaway.key.derive('p'))).toBe(false);
  });

  it('refuses to start on a stored key it cannot read, saying how to recover', async () => {
    await storage().kysely.insertInto('sesame_secrets').values({ name: 'secret_key', value: 'not a key', created_at: T0 }).execute();
    await expect(loadSecretKey(storage().kysely, undefined, T0)).rejects.toThrow(
      'the secret key stored in sesame_secrets is unreadable: set SECRET_KEY, or delete the row to generate another',
    );
  });

  it('is the same for several processes starting at once (the first insert wins, the others read it back)', async () => {
    const loads = await Promise.all(Array.from({ length: 5 }, () => loadSecretKey(storage().kysely, undefined, T0)));
    const keys = new Set(loads.map((l) => l.key.derive('p').toString('hex')));
    expect(keys.size).toBe(1);
    expect(await storage().kysely.selectFrom('sesame_secrets').selectAll().execute()).toHaveLength(1);
  });
});
