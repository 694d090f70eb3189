/**
 * What a message says, apart from how it is laid out: the builders describe a message once as blocks, and the text
 * and HTML renderers each lay the same blocks out, so the two parts cannot drift apart in what they tell the reader.
 * @module
 */
import type { Language } from './language.js';

/** One piece of a message body; every string in it is plain text, escaped (or not) by the renderer. */
export type Block =
  | { readonly type: 'paragraph'; readonly text: string }
  /** The message's main link: a button in HTML (with the bare URL under it), `lead` and the URL in text. */
  | { readonly type: 'action'; readonly lead: string; readonly label: string; readonly fallback: string; readonly url: string }
  /** A code to type instead of following the link, shown in a monospace block. */
  | { readonly type: 'code'; readonly lead: string; readonly code: string }
  /** A plain link (a notice's pointer to the service), never styled as a button: nothing in a notice needs clicking. */
  | { readonly type: 'link'; readonly lead: string; readonly url: string }
  /** Labelled facts (when, which device), one per line. */
  | { readonly type: 'details'; readonly rows: readonly (readonly [label: string, value: string])[] };

/** A whole message before rendering. */
export interface MessageContent {
  /** The language it is written in (the HTML `lang`, the text's punctuation). */
  readonly language: Language;
  /** The subject line, also the HTML heading. */
  readonly subject: string;
  /** The body, in reading order. */
  readonly blocks: readonly Block[];
  /** Small print saying who the message was sent to and why. */
  readonly footer: string;
}
