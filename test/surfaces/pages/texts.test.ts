/**
 * The pages' texts: French has every English key (the type says so; this checks the placeholders match too), the
 * documented list in docs/TEXTS.md is the catalogues' own, and `PAGES_TEXTS` is read strictly.
 * @module
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderTextsDoc } from '../../../scripts/page-texts.js';
import { en, parseTextOverrides } from '../../../src/surfaces/pages/texts/index.js';
import { fr } from '../../../src/surfaces/pages/texts/fr.js';

/** The `{name}` placeholders of a text, sorted. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();
}

describe('the pages\' texts', () => {
  it('gives French only placeholders the page fills in, key by key (the weak-password refusal swaps the English advice for the length)', () => {
    const filledBesides: Partial<Record<keyof typeof en, string[]>> = { 'error.passwordWeak': ['min'] };
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect([...placeholders(en[key]), ...(filledBesides[key] ?? [])], key).toEqual(expect.arrayContaining(placeholders(fr[key])));
    }
    expect(placeholders(fr['forgot.sent.body'])).toEqual(['email', 'minutes']);
  });

  it('documents every key in docs/TEXTS.md, as `npm run docs:texts` writes it', () => {
    expect(readFileSync(new URL('../../../docs/TEXTS.md', import.meta.url), 'utf8')).toBe(renderTextsDoc());
  });

  it('reads PAGES_TEXTS strictly: known languages and keys, strings only', () => {
    expect(parseTextOverrides({ en: { 'login.title': 'Log in' } })).toEqual({ overrides: { en: { 'login.title': 'Log in' } }, problems: [] });
    expect(parseTextOverrides([]).problems).toEqual(['must be a JSON object of languages, like {"en": {"login.title": "Log in"}}']);
    expect(parseTextOverrides({ de: {} }).problems).toEqual(['unknown language "de" (known: en, fr)']);
    expect(parseTextOverrides({ fr: 'x' }).problems).toEqual(['"fr" must be an object of text keys']);
    expect(parseTextOverrides({ en: { 'login.nope': 'x', 'login.title': 3 } }).problems).toEqual([
      'unknown text key "en.login.nope"',
      '"en.login.title" must be a string of at most 2000 characters',
    ]);
    expect(parseTextOverrides({ en: { 'login.title': 'x'.repeat(2001) } }).problems).toHaveLength(1);
    expect(parseTextOverrides({ en: { toString: 'x' } }).problems).toEqual(['unknown text key "en.toString"']);
    for (const document of [null, 'x', 3]) expect(parseTextOverrides(document).problems, JSON.stringify(document)).toHaveLength(1);
    for (const texts of [null, [], 'x']) expect(parseTextOverrides({ en: texts }).problems, JSON.stringify(texts)).toEqual(['"en" must be an object of text keys']);
    expect(parseTextOverrides({ en: { 'login.title': 'x'.repeat(2000) } }).problems).toEqual([]);
  });
});
