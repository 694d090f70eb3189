/**
 * The pages' one way to write HTML, escaping by construction: the `html` tagged template escapes every value it is
 * given unless the value's type is {@link SafeHtml}, and only `html` itself (or {@link trustedHtml}, for the few
 * constants written in this codebase) makes a `SafeHtml`. A string from a request, a setting or a text file can
 * therefore reach a page only escaped; there is no "remember to escape" step to forget. A template that places a
 * value in an unquoted attribute (`<a href=${url}>`) is refused when it first renders, because escaping cannot make
 * an unquoted attribute safe (a space ends it).
 * @module
 */

/** Characters HTML gives a meaning to in text and quoted attributes, and their references. */
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and for (quoted) attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The key only this module holds: a `SafeHtml` cannot be made elsewhere, even by a cast-free `new`. */
const VOUCHED: unique symbol = Symbol('vouched');

/** Markup that may be placed as is: made only by {@link html} (whose values it escaped) or {@link trustedHtml}. */
export class SafeHtml {
  readonly #markup: string;

  /** Takes this module's key, so `html` and `trustedHtml` stay the only two places that vouch for markup. */
  constructor(key: typeof VOUCHED, markup: string) {
    if (key !== VOUCHED) throw new TypeError('SafeHtml is made by html`...` or trustedHtml()');
    this.#markup = markup;
  }

  /** The markup. */
  toString(): string {
    return this.#markup;
  }
}

/** What a template may interpolate: safe markup as is; text and numbers escaped; lists joined; nothing for null, undefined and false. */
export type HtmlValue = SafeHtml | string | number | false | null | undefined | readonly HtmlValue[];

/** Templates already checked for unquoted attribute values. */
const CHECKED = new WeakSet<TemplateStringsArray>();

/** A value position right after `name=` (no quote) inside a tag. */
const UNQUOTED_ATTRIBUTE = /=\s*$/;

/** Throws when a value of `strings` would land in an unquoted attribute. */
function checkTemplate(strings: TemplateStringsArray): void {
  if (CHECKED.has(strings)) return;
  for (let i = 0; i < strings.length - 1; i += 1) {
    if (UNQUOTED_ATTRIBUTE.test(strings[i] ?? '')) {
      throw new Error(`html template: value ${i} is in an unquoted attribute; quote it (name="\${...}") so escaping keeps it inside`);
    }
  }
  CHECKED.add(strings);
}

/** One interpolated value as markup. */
function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return escapeHtml(value);
  return value.map(render).join('');
}

/** The tagged template every page is written with: `html\`<p>${text}</p>\`` escapes `text` unless it is `SafeHtml`. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  checkTemplate(strings);
  let markup = strings[0] ?? '';
  for (let i = 0; i < values.length; i += 1) markup += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(VOUCHED, markup);
}

/**
 * Markup written in this codebase and known to be safe (the stylesheet link, a fixed entity): the one exception to
 * escaping, kept greppable. Never pass it anything that came from a request, a setting or a text file.
 */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(VOUCHED, markup);
}
