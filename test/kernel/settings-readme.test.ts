// README's settings table is the documentation of every environment variable: it must list exactly the variables
// the composed config schema reads, no more and no fewer.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSettingTypes } from '../../scripts/setting-types.js';
import { SETTING_NAMES } from '../../src/config.js';

/** The variable names in the first column of README's "Settings" table. */
function documentedSettings(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Settings'), readme.indexOf('\n## ', readme.indexOf('## Settings') + 1));
  const names: string[] = [];
  for (const line of section.split('\n')) {
    const firstCell = /^\|([^|]+)\|/.exec(line)?.[1] ?? '';
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.push(match[1] ?? '');
  }
  return names;
}

describe('README settings table', () => {
  it('lists every variable the config schema reads, each once, and nothing else', () => {
    const documented = documentedSettings();
    expect(documented.length).toBeGreaterThan(20);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...SETTING_NAMES].sort());
  });

  it('is the source of the typed settings object: src/settings-types.ts is what `npm run docs:settings` writes from it', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readFileSync(new URL('../../src/settings-types.ts', import.meta.url), 'utf8')).toBe(renderSettingTypes(readme));
    expect(renderSettingTypes(readme)).toContain('  /** TCP port (0 picks a free one). Default: `5000`. */\n  readonly PORT?: string | undefined;');
  });
});
