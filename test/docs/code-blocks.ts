/**
 * The TypeScript examples of the documentation, read out of the Markdown: every ```ts and ```typescript block of
 * README.md and docs/**\/*.md, with the file and line it starts on, so a test can compile each one and name the
 * example a reader would copy when it breaks. A block opts out only with an explicit `<!-- not-compiled: reason -->`
 * on the line before its fence, so skipping one is a visible, reviewed decision.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, so the documents are found whatever the working directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One fenced TypeScript block of a Markdown file. */
export interface CodeBlock {
  /** The Markdown file, relative to the repository root (`README.md`, `docs/guides/express.md`). */
  readonly file: string;
  /** The 1-based line of the opening fence, as an editor shows it. */
  readonly line: number;
  /** The code between the fences, each line ending in a newline. */
  readonly code: string;
  /** The reason given by a `<!-- not-compiled: reason -->` marker right before the fence, or undefined. */
  readonly notCompiled: string | undefined;
}

/** The info strings that mark a block as TypeScript. */
const TYPESCRIPT_FENCES: ReadonlySet<string> = new Set(['ts', 'typescript']);

/** The opt-out marker, which must give a reason. */
const NOT_COMPILED = /^<!--\s*not-compiled:\s*(\S[^>]*?)\s*-->$/;

/**
 * The fenced blocks of one Markdown text in the order they appear. Only backtick fences at the start of a line are
 * recognised (the only kind these documents use); a fence closes at the first line of at least as many backticks.
 */
export function blocksOf(file: string, text: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(`{3,})\s*([\w-]*)/.exec(lines[i] ?? '');
    if (open === null) continue;
    const fence = open[1] ?? '```';
    let end = i + 1;
    while (end < lines.length && !(lines[end] ?? '').startsWith(fence)) end += 1;
    if (TYPESCRIPT_FENCES.has((open[2] ?? '').toLowerCase())) {
      const marker = NOT_COMPILED.exec((lines[i - 1] ?? '').trim());
      blocks.push({ file, line: i + 1, code: lines.slice(i + 1, end).map((line) => `${line}\n`).join(''), notCompiled: marker?.[1] });
    }
    i = end;
  }
  return blocks;
}

/** Every Markdown file under `dir`, sorted so failures list in a stable order. */
function markdownUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...markdownUnder(path));
    else if (entry.name.endsWith('.md')) found.push(path);
  }
  return found.sort();
}

/** The documents whose examples are compiled: README.md and every Markdown file under docs/. */
export function documentedFiles(): string[] {
  return [join(REPO_ROOT, 'README.md'), ...markdownUnder(join(REPO_ROOT, 'docs'))];
}

/** Every TypeScript block of the documentation, opted-out ones included (the caller decides what to do with them). */
export function documentedBlocks(): CodeBlock[] {
  return documentedFiles().flatMap((path) => blocksOf(relative(REPO_ROOT, path), readFileSync(path, 'utf8')));
}
