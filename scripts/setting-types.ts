/**
 * Writes src/settings-types.ts, the typed settings object a host hands to the plugin or the fetch handler: one
 * optional key per setting, documented with README's "Settings" table (default and meaning), so an editor completes
 * the names and shows what each does (`npm run docs:settings`). A test fails when the file, README and the config
 * fragments disagree.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One documented setting. */
interface Documented {
  readonly name: string;
  readonly fallback: string;
  readonly meaning: string;
}

/** Markdown made plain enough for a doc comment: links keep their text, and nothing can close the comment. */
function plain(markdown: string): string {
  return markdown
    .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
    .replace(/\*\//g, '* /')
    .replace(/\\\|/g, '|')
    .trim();
}

/** README's settings rows, in README's order. */
export function documentedSettings(readme: string): Documented[] {
  const start = readme.indexOf('## Settings');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const rows: Documented[] = [];
  for (const line of section.split('\n')) {
    // An escaped pipe (`\|`) is text, not a cell border: split on the others.
    const cells = line.split(/(?<!\\)\|/);
    if (cells.length < 5 || cells[0] !== '' || line.startsWith('|---')) continue;
    const [, first = '', fallback = '', ...rest] = cells;
    const meaning = rest.slice(0, -1).join('|');
    for (const match of first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) rows.push({ name: match[1] ?? '', fallback: plain(fallback), meaning: plain(meaning) });
  }
  return rows;
}

/** The whole of src/settings-types.ts. */
export function renderSettingTypes(readme: string): string {
  const members = documentedSettings(readme).map(({ name, fallback, meaning }) => {
    const sentence = `${meaning.charAt(0).toUpperCase()}${meaning.slice(1)}${meaning.endsWith('.') ? '' : '.'}`;
    const defaults = fallback === '' || fallback === '(none)' ? '' : ` Default: ${fallback}.`;
    return [`  /** ${sentence}${defaults} */`, `  readonly ${name}?: string | undefined;`].join('\n');
  });
  return [
    '/**',
    " * The settings a host hands to the plugin, the fetch handler or `loadConfig` as an object, typed: one optional string",
    " * per setting (the environment's form), documented as README's \"Settings\" table documents it. Generated from",
    ' * README by `npm run docs:settings`; a test keeps it in step with README and with the config fragments.',
    ' * @module',
    ' */',
    '',
    '/** Every setting Sesame reads; in an object literal a misspelt key is a compile error, and at run time a start-up refusal. */',
    'export type SesameSettings = {',
    members.join('\n'),
    '};',
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  writeFileSync(new URL('../src/settings-types.ts', import.meta.url), renderSettingTypes(readme));
}
