/**
 * The HTML part of a message: a small complete document that mail clients render alike. Styles are inline (many
 * clients drop `<style>`), there is no image, script or outside resource (nothing to block, nothing that tracks),
 * and every value is escaped here, in one place, so no builder can forget to.
 * @module
 */
import type { Block, MessageContent } from './content.js';

/** The characters that mean something in HTML text or in a quoted attribute, and their references. */
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `value` safe to put in HTML text and in a double- or single-quoted attribute. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);
}

/** The styles, kept together so the look can change in one place. */
const STYLE = {
  page: 'margin:0;padding:0;background-color:#f4f4f5;',
  outer: 'background-color:#f4f4f5;',
  outerCell: 'padding:24px 12px;',
  card: 'max-width:560px;background-color:#ffffff;border:1px solid #e4e4e7;border-radius:8px;',
  cardCell: 'padding:32px;font-family:-apple-system,BlinkMacSystemFont,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#18181b;',
  heading: 'margin:0 0 24px;font-size:22px;line-height:1.3;font-weight:600;color:#18181b;',
  paragraph: 'margin:0 0 16px;',
  buttonRow: 'margin:24px 0;',
  button: 'display:inline-block;padding:12px 24px;background-color:#1d4ed8;color:#ffffff;font-weight:600;text-decoration:none;border-radius:6px;',
  fallback: 'margin:0 0 16px;font-size:14px;color:#52525b;',
  url: 'color:#1d4ed8;word-break:break-all;',
  code: 'display:inline-block;padding:8px 16px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,Liberation Mono,monospace;font-size:20px;letter-spacing:2px;background-color:#f4f4f5;border:1px solid #e4e4e7;border-radius:6px;color:#18181b;',
  details: 'margin:0 0 16px;border-collapse:collapse;',
  label: 'padding:4px 16px 4px 0;vertical-align:top;color:#52525b;white-space:nowrap;',
  value: 'padding:4px 0;vertical-align:top;word-break:break-all;',
  footer: 'margin:24px 0 0;padding-top:16px;border-top:1px solid #e4e4e7;font-size:12px;color:#71717a;',
} as const;

/** A link whose text is the URL itself, for readers whose client shows no button. */
function bareLink(url: string): string {
  return `<a href="${escapeHtml(url)}" style="${STYLE.url}">${escapeHtml(url)}</a>`;
}

/** One block as HTML. */
function block(item: Block): string {
  switch (item.type) {
    case 'paragraph':
      return `<p style="${STYLE.paragraph}">${escapeHtml(item.text)}</p>`;
    case 'action':
      return [
        `<p style="${STYLE.buttonRow}"><a href="${escapeHtml(item.url)}" style="${STYLE.button}">${escapeHtml(item.label)}</a></p>`,
        `<p style="${STYLE.fallback}">${escapeHtml(item.fallback)}<br>${bareLink(item.url)}</p>`,
      ].join('\n');
    case 'link':
      return `<p style="${STYLE.paragraph}">${escapeHtml(item.lead)}<br>${bareLink(item.url)}</p>`;
    case 'code':
      return [
        `<p style="${STYLE.paragraph}">${escapeHtml(item.lead)}</p>`,
        `<p style="${STYLE.paragraph}"><code style="${STYLE.code}">${escapeHtml(item.code)}</code></p>`,
      ].join('\n');
    case 'details': {
      const rows = item.rows.map(
        ([label, value]) => `<tr><td style="${STYLE.label}">${escapeHtml(label)}</td><td style="${STYLE.value}">${escapeHtml(value)}</td></tr>`,
      );
      return `<table role="presentation" style="${STYLE.details}">\n${rows.join('\n')}\n</table>`;
    }
  }
}

/** The HTML document of `content`. */
export function renderHtml(content: MessageContent): string {
  return [
    '<!doctype html>',
    `<html lang="${escapeHtml(content.language)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(content.subject)}</title>`,
    '</head>',
    `<body style="${STYLE.page}">`,
    // Layout tables, because some clients (Outlook) ignore max-width and margins on anything else.
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="${STYLE.outer}"><tr><td align="center" style="${STYLE.outerCell}">`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="${STYLE.card}"><tr><td style="${STYLE.cardCell}">`,
    `<h1 style="${STYLE.heading}">${escapeHtml(content.subject)}</h1>`,
    ...content.blocks.map(block),
    `<p style="${STYLE.footer}">${escapeHtml(content.footer)}</p>`,
    '</td></tr></table>',
    '</td></tr></table>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
