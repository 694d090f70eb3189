/**
 * The pages' texts in one language, with the operator's replacements applied: what every page asks for its words.
 * @module
 */
import type { Language } from '../../../modules/mail/index.js';
import { en, type TextKey } from './en.js';
import { fr } from './fr.js';
import type { TextOverrides } from './overrides.js';

export { en, type TextKey } from './en.js';
export { parseTextOverrides, type TextOverrides } from './overrides.js';

/** The built-in texts per language. */
const BUILT_IN: Readonly<Record<Language, Readonly<Record<TextKey, string>>>> = { en, fr };

/** Values a text's `{name}` placeholders are filled with (escaped later, with the rest of the text). */
export type TextValues = Readonly<Record<string, string | number>>;

/** One language's texts: `t('login.title')`, `t('forgot.sent.body', { email })`. */
export type Translate = (key: TextKey, values?: TextValues) => string;

/** The texts of `language`, the operator's replacements first. */
export function textsFor(language: Language, overrides: TextOverrides): Translate {
  const own = overrides[language] ?? {};
  const builtIn = BUILT_IN[language];
  return (key, values) => {
    const text = own[key] ?? builtIn[key];
    if (values === undefined) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : whole));
  };
}
