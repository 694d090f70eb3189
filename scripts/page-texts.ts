/**
 * Writes docs/TEXTS.md, the documented list of the hosted pages' text keys that `PAGES_TEXTS` may replace, from the
 * catalogues themselves (`npm run docs:texts`); a test fails when the file and the catalogues disagree.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { en } from '../src/surfaces/pages/texts/en.js';
import { fr } from '../src/surfaces/pages/texts/fr.js';

/** A table cell: pipes and line breaks would end it. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The whole of docs/TEXTS.md. */
export function renderTextsDoc(): string {
  const rows = (Object.keys(en) as Array<keyof typeof en>).map((key) => `| \`${key}\` | ${cell(en[key])} | ${cell(fr[key])} |`);
  return [
    '# The hosted pages\' texts',
    '',
    'Every text of the pages under `/account/`, by key, with its English and French defaults. Replace any of them with',
    '`PAGES_TEXTS`, a JSON file of languages and keys:',
    '',
    '```json',
    '{ "en": { "login.title": "Log in" }, "fr": { "login.title": "Connexion" } }',
    '```',
    '',
    '`{name}` marks a value the page fills in (an address, a number); keep it in a replacement. A replacement is text,',
    'escaped like every other value: it cannot add markup. An unknown language or key stops the start-up, naming it.',
    'This file is generated from `src/surfaces/pages/texts/` by `npm run docs:texts`.',
    '',
    '| key | English | French |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('../docs/TEXTS.md', import.meta.url), renderTextsDoc());
}
