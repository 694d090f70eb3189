/**
 * Reading `PAGES_TEXTS`: a JSON object of languages, each an object of text keys and their replacements. Unknown
 * languages, unknown keys and non-string values are reported by name, so a typo stops the start-up instead of leaving
 * the default text in place unnoticed.
 * @module
 */
import { LANGUAGES, type Language } from '../../../modules/mail/index.js';
import { en, type TextKey } from './en.js';

/** Replacement texts per language and key. */
export type TextOverrides = Partial<Record<Language, Partial<Record<TextKey, string>>>>;

/** A text replacement longer than this is not a label or a sentence. */
const MAX_TEXT_LENGTH = 2000;

/** Checks a parsed `PAGES_TEXTS` document; returns what it replaces and the problems found. */
export function parseTextOverrides(document: unknown): { overrides: TextOverrides; problems: string[] } {
  const problems: string[] = [];
  const overrides: TextOverrides = {};
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return { overrides, problems: ['must be a JSON object of languages, like {"en": {"login.title": "Log in"}}'] };
  }
  for (const [language, texts] of Object.entries(document)) {
    if (!(LANGUAGES as readonly string[]).includes(language)) {
      problems.push(`unknown language "${language}" (known: ${LANGUAGES.join(', ')})`);
      continue;
    }
    if (typeof texts !== 'object' || texts === null || Array.isArray(texts)) {
      problems.push(`"${language}" must be an object of text keys`);
      continue;
    }
    const replaced: Partial<Record<TextKey, string>> = {};
    for (const [key, text] of Object.entries(texts as Record<string, unknown>)) {
      if (!Object.hasOwn(en, key)) problems.push(`unknown text key "${language}.${key}"`);
      else if (typeof text !== 'string' || text.length > MAX_TEXT_LENGTH) problems.push(`"${language}.${key}" must be a string of at most ${MAX_TEXT_LENGTH} characters`);
      else replaced[key as TextKey] = text;
    }
    overrides[language as Language] = replaced;
  }
  return { overrides, problems };
}
