/**
 * The plain-text part of a message: the part every mail client shows, so it is laid out to read well as is, with
 * lines of about 76 characters and every URL whole on a line of its own, where a click or a copy gets all of it.
 * @module
 */
import type { Block, MessageContent } from './content.js';

/** The width RFC 5322 and most clients' quoting leave room for. */
export const TEXT_WIDTH = 76;

/**
 * `text` wrapped at `width` on ordinary spaces, every line after the first starting with `indent`. A word longer
 * than the line (a URL, a long address) gets a line of its own rather than being broken; non-breaking spaces (French
 * punctuation) hold their neighbours together.
 */
export function wrap(text: string, width: number = TEXT_WIDTH, indent = ''): string {
  const lines: string[] = [];
  for (const word of text.split(' ').filter((piece) => piece !== '')) {
    const last = lines.length - 1;
    const line = lines[last];
    if (line !== undefined && line.length + 1 + word.length <= width) lines[last] = `${line} ${word}`;
    else lines.push(line === undefined ? word : `${indent}${word}`);
  }
  return lines.join('\n');
}

/** How a detail's continuation lines are indented, so no line of a long (attacker-chosen) value passes for a row. */
const DETAIL_INDENT = '    ';

/** One block as text. */
function block(item: Block, colon: string): string {
  switch (item.type) {
    case 'paragraph':
      return wrap(item.text);
    case 'action':
    case 'link':
      // The URL is never passed through wrap: a wrapped link is a broken link.
      return `${wrap(item.lead)}\n\n${item.url}`;
    case 'code':
      return `${wrap(item.lead)}\n\n    ${item.code}`;
    case 'details':
      return item.rows.map(([label, value]) => wrap(`${label}${colon}${value}`, TEXT_WIDTH, DETAIL_INDENT)).join('\n');
  }
}

/** The plain-text body of `content`, ending in a newline. */
export function renderText(content: MessageContent): string {
  // French sets a (non-breaking) space before a colon.
  const colon = content.language === 'fr' ? '\u00a0: ' : ': ';
  const body = content.blocks.map((item) => block(item, colon));
  // "-- " is the signature delimiter: clients that know it set the small print apart.
  return `${body.join('\n\n')}\n\n-- \n${wrap(content.footer)}\n`;
}
