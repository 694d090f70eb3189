// What the standalone server warns about before it listens: development handing reset tokens out in bodies while
// bound beyond loopback. And PUBLIC_URL's accepted forms.
import { describe, expect, it } from 'vitest';
import { startupWarnings, isLoopback } from '../../src/bin/startup-warnings.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { runBuiltServer } from '../support/built-server.js';

describe('startupWarnings', () => {
  it('warns when development hands reset tokens out while bound beyond loopback, naming the fix', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'auth.internal']) {
      const warnings = startupWarnings(loadConfig({ HOST: host }));
      expect(warnings, host).toHaveLength(1);
      expect(warnings[0]).toMatch(new RegExp(`^HOST=${host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} serves other machines while RESET_TOKEN_DELIVERY=response.*Bind to 127\\.0\\.0\\.1, or set RESET_TOKEN_DELIVERY=webhook`));
    }
  });

  it('says nothing on loopback, or when tokens go out of band', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) expect(startupWarnings(loadConfig({ HOST: host })), host).toEqual([]);
    expect(startupWarnings(loadConfig({ HOST: '0.0.0.0', RESET_TOKEN_DELIVERY: 'webhook', RESET_WEBHOOK_URL: 'http://127.0.0.1:9/hook' }))).toEqual([]);
    expect(isLoopback('127.300.0.1x')).toBe(false);
  });

  it('the built server on loopback prints no warning', async () => {
    const run = await runBuiltServer({});
    expect(run.listened).toBe(true);
    expect(run.stderr).not.toMatch(/WARNING/);
  });
});

describe('PUBLIC_URL', () => {
  it('keeps the URL without its trailing slash and its origin', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://example.com/auth/' }).api.publicUrl).toEqual({ href: 'https://example.com/auth', origin: 'https://example.com' });
    expect(loadConfig({ PUBLIC_URL: 'http://127.0.0.1:5000' }).api.publicUrl).toEqual({ href: 'http://127.0.0.1:5000', origin: 'http://127.0.0.1:5000' });
    expect(loadConfig({}).api.publicUrl).toBeUndefined();
  });

  it('refuses what is not an http(s) URL clients could reach', () => {
    for (const bad of ['example.com', 'ftp://example.com', 'https://example.com/?a=1', 'https://example.com/#x', 'https://user:pw@example.com']) {
      let error: unknown;
      try {
        loadConfig({ PUBLIC_URL: bad });
      } catch (caught) {
        error = caught;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n'), bad).toMatch(/^PUBLIC_URL must be the http\(s\) URL clients reach Sesame at/);
    }
  });
});
