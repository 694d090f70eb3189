/**
 * SECURITY.md's claims stay checkable. Every ASVS row is read cell by cell and its evidence checked against the
 * repository as it is now, statically (no other suite is imported or run, so this takes well under a second):
 *
 * - every test it quotes (`file` › "describe › test", SECURITY.md's own citation convention) exists: the file, and
 *   each describe and test title as a string or template literal of that file's source;
 * - every `src/…` path it names exists, and an identifier written right after the path occurs in that file;
 * - every route it names (`GET /profile`, `POST /admin/users/:id/disable`) is one Sesame's route files register;
 * - a row marked met names a test (or, for a documentation requirement, the section that is the documentation);
 * - every `#anchor` link into SECURITY.md, from SECURITY.md, README.md or DEVELOPERS.md, names a heading.
 *
 * A failure names the row and what is missing, so the next drift is caught in the change that causes it.
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const security = read('SECURITY.md');

/** One ASVS row of SECURITY.md's tables. */
interface Row {
  /** The requirement id(s), e.g. `V6.4.3` or `V13.2.2, V13.2.3`. */
  readonly id: string;
  readonly status: string;
  /** "Where Sesame meets it / why not". */
  readonly where: string;
  /** The last cell: the tests that prove the row. */
  readonly evidence: string;
  /** The whole line, for the checks that look at every cell. */
  readonly line: string;
}

/** Splits a table line into cells on `|` outside code spans. */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let code = false;
  for (const char of line.trim().replace(/^\||\|$/g, '')) {
    if (char === '`') code = !code;
    if (char === '|' && !code) {
      out.push(cell.trim());
      cell = '';
    } else cell += char;
  }
  out.push(cell.trim());
  return out;
}

/** The ASVS rows. */
function rows(): Row[] {
  return security
    .split('\n')
    .filter((line) => line.startsWith('| V'))
    .map((line) => {
      const parts = cells(line);
      return { id: parts[0] ?? '', status: parts[3] ?? '', where: parts[4] ?? '', evidence: parts.at(-1) ?? '', line };
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Citations: `file` › "describe › test", "…another test"; "another describe › test"
// ---------------------------------------------------------------------------------------------------------------

/** A quoted test: the file it is in and its names, outermost describe first; `…` alone stands for any name. */
export interface Citation {
  readonly file: string;
  readonly names: readonly string[];
  /** As written, for messages. */
  readonly quoted: string;
}

/**
 * Reads an evidence cell into the test files it names and the tests it quotes. A quote belongs to the last test
 * file named before it outside parentheses; quotes inside parentheses are remarks (say, the cases of a table test)
 * and are not citations, while a quote outside them with no test file before it is a stray (reported: the reader
 * could not tell where that test is). "…title" takes the describes of the quote before it. A `"` closes a quote only
 * before a space, `,`, `;`, `)`, a full stop or the end, so a title may hold `{"message"}`; `\"` is a quote inside
 * a title.
 */
export function readEvidence(cell: string): { files: string[]; citations: Citation[]; strays: string[] } {
  const files: string[] = [];
  const citations: Citation[] = [];
  const strays: string[] = [];
  let file: string | undefined;
  let describes: readonly string[] = [];
  let depth = 0;
  for (let i = 0; i < cell.length; i += 1) {
    const char = cell[i];
    if (char === '`') {
      const end = cell.indexOf('`', i + 1);
      const code = cell.slice(i + 1, end === -1 ? undefined : end);
      const isTest = /^[\w./-]+\.test\.ts$/.test(code);
      if (isTest) files.push(code);
      // Outside a remark, a test file starts its citations and any other code (`npm run bench`) ends them.
      if (depth === 0) {
        file = isTest ? code : undefined;
        describes = [];
      }
      i = end === -1 ? cell.length : end;
    } else if (char === '(') depth += 1;
    else if (char === ')') depth = Math.max(0, depth - 1);
    else if (char === '"' && (i === 0 || /[\s(]/.test(cell[i - 1] ?? ''))) {
      let j = i + 1;
      while (j < cell.length) {
        if (cell[j] === '\\') j += 2;
        else if (cell[j] === '"' && /^(?:$|[\s,;)]|\.(?:$|\s))/.test(cell.slice(j + 1, j + 3))) break;
        else j += 1;
      }
      const quoted = cell.slice(i + 1, j).replace(/\\"/g, '"');
      i = j;
      if (depth > 0) continue;
      if (file === undefined) {
        strays.push(quoted);
        continue;
      }
      let names = quoted.split(' › ').map((name) => name.trim());
      const first = names[0] ?? '';
      // "…title" repeats the describes of the quote before it; "… › title" stands for a describe not named.
      if (first.startsWith('…') && first !== '…') names = [...describes, first.slice(1).trim(), ...names.slice(1)];
      describes = names.slice(0, -1);
      citations.push({ file, names, quoted });
    }
  }
  return { files, citations, strays };
}

// ---------------------------------------------------------------------------------------------------------------
// Names in a test file: its string and template literals, as patterns
// ---------------------------------------------------------------------------------------------------------------

/** Stands for any text: `${…}` in a template, `%s` or `$name` in a vitest `each` title, `…` in a citation. */
const ANY = Symbol('any');
type Pattern = ReadonlyArray<string | typeof ANY>;

/** Text with stand-ins for any text (`…`) as a pattern; the spaces around an ellipsis belong to it. */
function citedPattern(name: string): Pattern {
  return name.split(/\s*…\s*/).flatMap((part, index) => (index === 0 ? [...part] : [ANY, ...part]));
}

/** A literal's text as a pattern: vitest's `%s`, `%d`, `%j`… and `$name`, `$0.field` placeholders are any text. */
function literalPattern(parts: ReadonlyArray<string | typeof ANY>): Pattern {
  return parts.flatMap((part) => (part === ANY ? [ANY] : part.split(/%[sdifjo#]|\$[\w.]+/).flatMap((piece, index) => (index === 0 ? [...piece] : [ANY, ...piece]))));
}

/** Whether some text matches both patterns (each only literal characters and any-text stand-ins). */
function overlap(a: Pattern, b: Pattern): boolean {
  const seen = new Map<number, boolean>();
  const from = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = seen.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (a[i] === ANY) result = from(i + 1, j) || (j < b.length && from(i, j + 1));
    else if (b[j] === ANY) result = from(i, j + 1) || (i < a.length && from(i + 1, j));
    else result = i < a.length && j < b.length && a[i] === b[j] && from(i + 1, j + 1);
    seen.set(key, result);
    return result;
  };
  return from(0, 0);
}

/** A literal of a test file: its text as a pattern, and the titles of the calls whose callbacks hold it. */
interface Literal {
  readonly pattern: Pattern;
  /** Per enclosing call (`describe('title', () => …)`), outermost first: that call's own literal arguments. */
  readonly enclosing: ReadonlyArray<readonly Pattern[]>;
}

const literalsOf = new Map<string, Literal[]>();

/** The string and template literals of a test file (and `'a' + 'b'` chains), read with the TypeScript parser. */
function literals(file: string): Literal[] {
  const known = literalsOf.get(file);
  if (known !== undefined) return known;
  const source = ts.createSourceFile(file, read(join('test', file)), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const parts = (node: ts.Node): Array<string | typeof ANY> => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
    if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.flatMap((span) => [ANY, span.literal.text] as const)];
    if (ts.isParenthesizedExpression(node)) return parts(node.expression);
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) return [...parts(node.left), ...parts(node.right)];
    return [ANY];
  };
  const isPlus = (node: ts.Node): boolean => ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken;
  const isText = (node: ts.Node): boolean =>
    ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node) || (isPlus(node) && !isPlus(node.parent));
  // A title with no word of its own (`'%s'`, `${name}`) would match any citation: it proves nothing.
  const meaningful = (pattern: Pattern): boolean => pattern.some((part) => part !== ANY && /[A-Za-z]/.test(part));
  /** The titles of the calls whose function arguments hold `node`: `describe('a', () => { it('b', …) })` gives b [['a']]. */
  const enclosing = (node: ts.Node): Pattern[][] => {
    const titles: Pattern[][] = [];
    for (let child = node, parent = node.parent; parent !== undefined; child = parent, parent = parent.parent) {
      if (!ts.isCallExpression(parent) || !parent.arguments.includes(child as ts.Expression) || !ts.isFunctionLike(child)) continue;
      titles.unshift(parent.arguments.filter(isText).map((argument) => literalPattern(parts(argument))).filter(meaningful));
    }
    return titles;
  };
  const found: Literal[] = [];
  const visit = (node: ts.Node): void => {
    if (isText(node)) {
      const pattern = literalPattern(parts(node));
      if (meaningful(pattern)) found.push({ pattern, enclosing: enclosing(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  literalsOf.set(file, found);
  return found;
}

/** The runs of fixed text of a pattern. */
function fixedRuns(pattern: Pattern): string[] {
  return pattern.reduce<string[]>((runs, part) => (part === ANY ? [...runs, ''] : [...runs.slice(0, -1), `${runs.at(-1) ?? ''}${part}`]), ['']).filter((run) => run !== '');
}

/**
 * Whether a literal's text can be the cited name (ellipses allowed). When both hold stand-ins, the cited name's
 * longest fixed run must be written in the literal itself: otherwise `"refuses …"` would match `${anything} here`.
 */
function matches(name: string, pattern: Pattern): boolean {
  if (name === '…') return true;
  const cited = citedPattern(name);
  if (!overlap(cited, pattern)) return false;
  if (!cited.includes(ANY) || !pattern.includes(ANY)) return true;
  const longest = fixedRuns(cited).sort((a, b) => b.length - a.length)[0] ?? '';
  return fixedRuns(pattern).some((run) => run.includes(longest));
}

/**
 * What a citation misses in its file: the names no literal has; or, when all are there, whether its test sits
 * inside the describes quoted with it (in order; wrappers such as `Auth [sqlite]` may stand between them). A case
 * name from a table written outside every describe counts as inside any: its test is `it.each(table)('%s', …)`.
 */
function absentFrom(citation: Citation): string | undefined {
  const all = literals(citation.file);
  const absent = citation.names.filter((name) => !all.some((literal) => matches(name, literal.pattern)));
  if (absent.length > 0) return `no describe or test named ${absent.map((name) => `"${name}"`).join(', ')}`;
  const describes = citation.names.slice(0, -1).filter((name) => name !== '…');
  const test = citation.names.at(-1) ?? '…';
  if (describes.length === 0 || test === '…') return undefined;
  const nested = all.some((literal) => {
    if (!matches(test, literal.pattern)) return false;
    // A name in a table outside every describe is a case of a table test (`it.each(cases)('%s', …)`).
    if (literal.enclosing.length === 0 && !literal.pattern.includes(ANY)) return true;
    let next = 0;
    for (const titles of literal.enclosing) if (next < describes.length && titles.some((pattern) => matches(describes[next] ?? '', pattern))) next += 1;
    return next === describes.length;
  });
  return nested ? undefined : `"${test}" is not inside ${describes.map((name) => `"${name}"`).join(' › ')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Source paths and routes
// ---------------------------------------------------------------------------------------------------------------

/** Every file under a directory of the repository, relative to the root. */
function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

const SOURCES = filesUnder('src').filter((path) => path.endsWith('.ts'));

/** Whether a cited `src/…` path (a file, a folder, or with `*` for one path segment) exists. */
function sourceExists(path: string): boolean {
  if (!path.includes('*')) return existsSync(join(ROOT, path));
  const shape = new RegExp(`^${path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]+')}/?`);
  return SOURCES.some((source) => shape.test(relative(ROOT, join(ROOT, source))));
}

/**
 * The routes Sesame registers, read from its route files: every `x.get('/path', …)` (and post, put, delete, patch)
 * in `src/`, with a path written in place, in a template, or as an exported `const NAME = '/path'`. The public API,
 * the pages, the operations routes and the admin listener's routes, all without a mount prefix.
 */
function servedRoutes(): Set<string> {
  const constants = new Map<string, string>();
  const texts = SOURCES.map((path) => read(path));
  for (const text of texts) for (const m of text.matchAll(/export const ([A-Z][A-Z0-9_]*) = '(\/[^']*)'/g)) constants.set(m[1] ?? '', m[2] ?? '');
  const routes = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(/\b\w+\.(get|post|put|delete|patch)\b(?:<[^()]*?>)?\(\s*(?:'(\/[^']*)'|`((?:\/|\$\{[A-Z])[^`]*)`|([A-Z][A-Z0-9_]*)\b)/g)) {
      const [, method = '', quoted, template, constant] = m;
      const path = quoted ?? template?.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (_whole, name: string) => constants.get(name) ?? '${?}') ?? constants.get(constant ?? '');
      if (path === undefined || path.includes('${')) continue;
      routes.add(`${method.toUpperCase()} ${path}`);
      // Fastify answers HEAD for every GET route.
      if (method === 'get') routes.add(`HEAD ${path}`);
    }
  }
  return routes;
}

const ROUTES = servedRoutes();

/** The routes a text names: a method, a space, then a path starting with `/`. */
function routesIn(text: string): string[] {
  return [...text.matchAll(/\b(GET|POST|PUT|DELETE|PATCH|HEAD) (\/[\w\-./:]*)/g)].map((m) => `${m[1] ?? ''} ${(m[2] ?? '').replace(/[.:]+$/, '')}`);
}

/** The `src/…` paths a text names, and the identifier written right after each, if any (`src/x.ts` `Name.method`). */
function sourcesIn(text: string): Array<{ path: string; names: string[] }> {
  return [...text.matchAll(/`?(?<![\w/])(src\/[\w\-./*]*[\w/*])`?(?: `([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)`)?/g)].map((m) => ({ path: m[1] ?? '', names: m[2]?.split('.') ?? [] }));
}

/** The anchors of SECURITY.md's headings, as GitHub makes them. */
function anchors(): Set<string> {
  return new Set(
    security
      .split('\n')
      .filter((line) => /^#+ /.test(line))
      .map((line) => line.replace(/^#+\s*/, '').toLowerCase().replace(/[^\w\s-]/g, '').replace(/\s/g, '-')),
  );
}

/**
 * The rest of the document, as the places a claim can sit: each paragraph, list item or table line outside the ASVS
 * tables, labelled with its section's heading. Their citations, paths and routes are checked as the rows' are.
 */
function passages(): Array<{ label: string; text: string }> {
  const out: Array<{ label: string; text: string }> = [];
  let heading = '(top)';
  let block: string[] = [];
  const flush = (): void => {
    if (block.length > 0) out.push({ label: heading, text: block.join(' ') });
    block = [];
  };
  for (const line of security.split('\n')) {
    if (/^#+ /.test(line)) {
      flush();
      heading = line.replace(/^#+\s*/, '§');
    } else if (line.trim() === '' || line.startsWith('| V')) flush();
    else if (line.startsWith('|') || /^\s*(?:- |\d+\. )/.test(line)) {
      flush();
      block.push(line);
    } else block.push(line.trim());
  }
  flush();
  return out;
}

/** A row's evidence with "as V7.2.3" (alone, or closing the cell) replaced by that row's evidence. */
function resolvedEvidence(row: Row, byId: ReadonlyMap<string, Row>): string {
  return row.evidence.replace(/(?:^|; )as (V[\d.]+)$/, (whole, id: string) => {
    const other = byId.get(id);
    return other === undefined ? whole : `${whole.startsWith(';') ? '; ' : ''}${other.evidence}`;
  });
}

/** The text of one section of SECURITY.md (from its heading to the next heading of the same or a higher level). */
function section(prefix: string): string {
  const lines = security.split('\n');
  const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+\s*/, '').startsWith(prefix));
  if (start === -1) return '';
  const level = /^#+/.exec(lines[start] ?? '')?.[0].length ?? 0;
  const end = lines.findIndex((line, index) => index > start && /^#+ /.test(line) && (/^#+/.exec(line)?.[0].length ?? 0) <= level);
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** A source file's text; an absent file reads as empty, so a probe of a removed file simply finds nothing. */
function source(path: string): string {
  return existsSync(join(ROOT, path)) ? read(path) : '';
}

/** Every source file whose text matches, relative to the root. */
function sourcesMatching(pattern: RegExp): string[] {
  return SOURCES.filter((path) => pattern.test(read(path)));
}

/** The event types Sesame records or publishes: the string literals of every module's `events.ts` union. */
function eventTypes(): string[] {
  return [...new Set(SOURCES.filter((path) => path.endsWith('events.ts')).flatMap((path) => [...read(path).matchAll(/'([a-z_]+\.[a-z_]+)'/g)].map((m) => m[1] ?? '')))].sort();
}

/** The purposes keys are derived from `SECRET_KEY` for: `.derive('x')`, `.mac('x', …)` and `…_PURPOSE = 'x'`. */
function keyPurposes(): string[] {
  const found = SOURCES.flatMap((path) => [...read(path).matchAll(/\.(?:derive|mac)\('([\w-]+)'|_PURPOSE = '([\w-]+)'/g)].map((m) => m[1] ?? m[2] ?? ''));
  return [...new Set(found)].sort();
}

/** The settings that name a server Sesame connects to: every `*_URL` setting but PUBLIC_URL (where clients reach Sesame). */
function outboundSettings(): string[] {
  const found = SOURCES.flatMap((path) => [...read(path).matchAll(/\b([A-Z]+(?:_[A-Z]+)*_URL): z\b/g)].map((m) => m[1] ?? ''));
  return [...new Set(found)].filter((name) => name !== 'PUBLIC_URL').sort();
}

/** The notice kinds the courier sends whatever the per-recipient limit says (its `ALWAYS_SENT` set). */
function alwaysSent(): string[] {
  const set = /ALWAYS_SENT[^=]*= new Set\(\[([^\]]*)\]/.exec(source('src/modules/mail/courier.ts'))?.[1] ?? '';
  return [...set.matchAll(/'(\w+)'/g)].map((m) => m[1] ?? '');
}

/**
 * Claims the code can refute: a phrase, and what in the code makes it false. Each was once true and went stale
 * when a surface was added (issue 25); the probe reads the code, so the claim fails again if it is ever written anew
 * while the code says otherwise.
 */
const REFUTABLE: ReadonlyArray<{ readonly says: RegExp; readonly refutedBy: () => string | undefined }> = [
  {
    says: /serves no HTML|has no pages|There is no UI|has no client-side code/,
    refutedBy: () => {
      const pages = sourcesMatching(/text\/html/);
      return pages.length > 0 ? `${pages.join(', ')} serve HTML` : undefined;
    },
  },
  { says: /[Aa]ccounts cannot be disabled/, refutedBy: () => (/\basync disable\(/.test(source('src/modules/accounts/service.ts')) ? 'the accounts service disables accounts' : undefined) },
  {
    says: /[Tt]here is no admin (?:HTTP )?route/,
    refutedBy: () => {
      const admin = [...ROUTES].filter((route) => route.includes(' /admin/'));
      return admin.length > 0 ? `${admin[0] ?? ''} is served` : undefined;
    },
  },
  { says: /[Nn]o route changes the email/, refutedBy: () => (ROUTES.has('PUT /email') ? 'PUT /email is served' : undefined) },
  {
    says: /[Nn]o route takes a user or object id/,
    refutedBy: () => {
      const withId = [...ROUTES].filter((route) => route.includes('/:'));
      return withId.length > 0 ? `${withId[0] ?? ''} takes one` : undefined;
    },
  },
  { says: /[Nn]o route reads the query string/, refutedBy: () => (sourcesMatching(/request\.query\b/).length > 0 ? `${sourcesMatching(/request\.query\b/).join(', ')} read it` : undefined) },
  { says: /holds no secret keys?/, refutedBy: () => (/SECRET_KEY/.test(source('src/kernel/secrets.ts')) ? 'src/kernel/secrets.ts holds SECRET_KEY and derives keys from it' : undefined) },
  {
    says: /encrypts nothing|[Nn]othing is encrypted|no data is encrypted/,
    refutedBy: () => (sourcesMatching(/createCipheriv/).length > 0 ? `${sourcesMatching(/createCipheriv/).join(', ')} encrypts` : undefined),
  },
  { says: /webhook is not signed/, refutedBy: () => (/createHmac/.test(source('src/modules/mail/webhook.ts')) ? 'src/modules/mail/webhook.ts signs every call' : undefined) },
  {
    says: /only to (?:the configured )?`RESET_WEBHOOK_URL`|out of band to `RESET_WEBHOOK_URL`, never/,
    refutedBy: () => (/'email'/.test(source('src/modules/password/config.ts')) ? 'RESET_TOKEN_DELIVERY=email mails reset tokens' : undefined),
  },
  {
    says: /each new request replaces the previous one/,
    refutedBy: () => (/replace: false/.test(source('src/modules/password/reset.ts')) ? 'a reset request leaves earlier tokens live (replace: false)' : undefined),
  },
  {
    says: /[Tt]here are exactly two|[Oo]nly two (?:authentication )?pathways|[Oo]nly two pathways exist/,
    refutedBy: () => {
      const more = ['POST /email/verify', 'POST /account/reset', 'POST /admin/users/:id/force-reset'].filter((route) => ROUTES.has(route));
      return more.length > 0 ? `${more.join(', ')} prove a mailbox or replace a password too` : undefined;
    },
  },
  {
    says: /(?:These|[Ss]ecurity|[Aa]ll|[Ss]ign-in) notices[^.]* never held back/,
    refutedBy: () => (alwaysSent().includes('new_sign_in') ? undefined : `the courier always sends only ${alwaysSent().join(' and ')}: sign-in notices count against the limit`),
  },
  {
    says: /profile applies to the standalone server only/,
    refutedBy: () => (/readonly profile: /.test(source('src/surfaces/api/plugin.ts')) ? 'the plugin takes a profile' : undefined),
  },
];

/** Number words as SECURITY.md writes them. */
const NUMBERS: Readonly<Record<string, number>> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 };

describe('SECURITY.md', () => {
  const all = rows();
  const byId = new Map(all.flatMap((row) => row.id.split(', ').map((id) => [id, row] as const)));

  it('has its ASVS table', () => {
    expect(all.length).toBeGreaterThan(80);
  });

  it('reads citations by its own convention: "…" repeats the describe before it, remarks in parentheses are not citations', () => {
    const { files, citations } = readEvidence(
      '`a.test.ts` › "outer › inner › first (with parens)", "…second", "… › any describe"; "carry JSON {"message"} and \\"quotes\\"" (cases "not a citation"); `b.test.ts` (a remark) "last". `npm run x` "stray"',
    );
    expect(files).toEqual(['a.test.ts', 'b.test.ts']);
    expect(citations.map((c) => [c.file, ...c.names])).toEqual([
      ['a.test.ts', 'outer', 'inner', 'first (with parens)'],
      ['a.test.ts', 'outer', 'inner', 'second'],
      ['a.test.ts', '…', 'any describe'],
      ['a.test.ts', 'carry JSON {"message"} and "quotes"'],
      ['b.test.ts', 'last'],
    ]);
    expect(readEvidence('`npm run x` "stray"; "quote"').strays).toEqual(['stray', 'quote']);
    // Against this very file: a test under its describe, the two swapped, and a test that is not there.
    const here = (...names: string[]): string | undefined => absentFrom({ file: 'kernel/security-doc.test.ts', names, quoted: names.join(' › ') });
    expect(here('SECURITY.md', 'has its ASVS table')).toBeUndefined();
    expect(here('has its ASVS table', 'reads citations by its own convention: …')).toBe('"reads citations by its own convention: …" is not inside "has its ASVS table"');
    const unknown = ['has its', 'table'].join(' ASVS-free ');
    expect(here('SECURITY.md', unknown)).toBe(`no describe or test named "${unknown}"`);
    expect(overlap(citedPattern('no CORS grant (ASVS V3.4.2) …'), literalPattern(['no CORS grant (ASVS V3.4.2): none on any reply']))).toBe(true);
    expect(overlap(citedPattern("Sesame under /auth in 'a bare host'"), literalPattern(['Sesame under /auth in $name']))).toBe(true);
    expect(overlap(citedPattern('default settings [engine]'), literalPattern(['default settings [', ANY, ']']))).toBe(true);
    expect(overlap(citedPattern('refuses a wrong token'), literalPattern(['refuses a wrong code']))).toBe(false);
    expect(overlap(citedPattern('refuses a wrong …'), literalPattern(['accepts ', ANY]))).toBe(false);
  });

  it('finds every route the client calls among the routes it reads from the route files', () => {
    const client = read('src/client/index.ts');
    const called = [...client.matchAll(/method: '(\w+)', path: '([^']+)'/g)].map((m) => `${m[1] ?? ''} ${m[2] ?? ''}`);
    expect(called.length).toBeGreaterThan(10);
    expect(called.filter((route) => !ROUTES.has(route))).toEqual([]);
    for (const route of ['GET /health', 'GET /openapi.json', 'GET /metrics', 'GET /docs/:asset', 'POST /account/reset', 'POST /admin/users/:id/disable']) expect(ROUTES).toContain(route);
  });

  it('names, for every requirement marked met, a test or the section that documents it', () => {
    const known = anchors();
    const unproven: string[] = [];
    for (const row of all.filter((r) => r.status.includes('Met'))) {
      const evidence = resolvedEvidence(row, byId);
      const { files } = readEvidence(evidence);
      const workflows = [...evidence.matchAll(/`(\.github\/[\w/.-]+\.ya?ml)`/g)].map((m) => m[1] ?? '');
      const sections = [...`${evidence} ${row.where}`.matchAll(/\]\(#([\w-]+)\)/g)].map((m) => m[1] ?? '');
      const documented = sections.length > 0 && sections.every((anchor) => known.has(anchor));
      if (files.length === 0 && workflows.length === 0 && !documented) unproven.push(`${row.id} is marked met but names no test and no section`);
      for (const path of workflows) if (!existsSync(join(ROOT, path))) unproven.push(`${row.id} names ${path}, which does not exist`);
      const refersTo = /^as (V[\d.]+)$/.exec(row.evidence)?.[1];
      if (refersTo !== undefined && !byId.has(refersTo)) unproven.push(`${row.id} refers to ${refersTo}, which is no row`);
    }
    expect(unproven).toEqual([]);
  });

  it('quotes only test files, describes and test titles that exist', () => {
    const missing: string[] = [];
    const check = (label: string, text: string, strict: boolean): void => {
      const { files, citations, strays } = readEvidence(text);
      if (strict) for (const stray of strays) missing.push(`${label}: "${stray}" is quoted with no test file before it`);
      for (const file of new Set(files)) if (!existsSync(join(ROOT, 'test', file))) missing.push(`${label}: test file ${file} does not exist`);
      for (const citation of citations) {
        if (!existsSync(join(ROOT, 'test', citation.file))) continue;
        const absent = absentFrom(citation);
        if (absent !== undefined) missing.push(`${label}: ${citation.file} › "${citation.quoted}": ${absent}`);
      }
    };
    for (const row of all) check(row.id, row.evidence, true);
    // Prose quotes words as well as tests: only a quote after a test file is a citation there.
    for (const { label, text } of passages()) if (text.includes('.test.ts`')) check(label, text, false);
    expect(missing).toEqual([]);
  });

  it('names only src/ paths that exist, and identifiers that occur in them', () => {
    const missing: string[] = [];
    for (const { label, text } of [...all.map((row) => ({ label: row.id, text: row.line })), ...passages()]) {
      for (const { path, names } of sourcesIn(text)) {
        if (!sourceExists(path)) {
          missing.push(`${label}: ${path} does not exist`);
          continue;
        }
        if (names.length === 0 || path.includes('*') || statSync(join(ROOT, path)).isDirectory()) continue;
        const source = read(path);
        const absent = names.filter((name) => !new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\b`).test(source));
        if (absent.length > 0) missing.push(`${label}: ${path} has no ${absent.join(', ')}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('names only routes Sesame serves', () => {
    const missing: string[] = [];
    for (const { label, text } of [...all.map((row) => ({ label: row.id, text: row.line })), ...passages()]) {
      for (const route of new Set(routesIn(text))) if (!ROUTES.has(route)) missing.push(`${label}: ${route} is no route of Sesame`);
    }
    expect(missing).toEqual([]);
  });

  it('makes no claim the code refutes', () => {
    const refuted: string[] = [];
    // A test's title may say what the row may not ("no admin route on the public port"): quotes in a Test cell are left out.
    const claims = (row: Row): string => row.line.replace(row.evidence, row.evidence.replace(/"[^"]*"/g, '""'));
    const everywhere = [...all.map((row) => ({ label: row.id, text: claims(row) })), ...passages().map(({ label, text }) => ({ label, text: text.replace(/"[^"]*"/g, '""') }))];
    for (const { says, refutedBy } of REFUTABLE) {
      const places = everywhere.filter(({ text }) => says.test(text));
      const reason = places.length > 0 ? refutedBy() : undefined;
      if (reason !== undefined) for (const { label, text } of places) refuted.push(`${label} says "${says.exec(text)?.[0] ?? ''}", but ${reason}`);
    }
    // A code's guesses, as src/modules/verification/codes.ts counts them.
    const attempts = Number(/CODE_ATTEMPTS = (\d+)/.exec(source('src/modules/verification/codes.ts'))?.[1]);
    for (const { label, text } of everywhere) {
      for (const m of text.matchAll(/\b(\w+) (?:wrong )?guesses (?:per|a|at most|for each) (?:token|code)|code takes (\w+) wrong guesses/g)) {
        const said = m[1] ?? m[2] ?? '';
        const value = NUMBERS[said] ?? Number(said);
        if (!Number.isNaN(value) && value !== attempts) refuted.push(`${label} says "${m[0]}", but a code takes ${attempts} (CODE_ATTEMPTS)`);
      }
    }
    expect(refuted).toEqual([]);
  });

  it('lists in its inventories every route, event, derived key, outbound connection and email-rule exclusion the code has', () => {
    const unlisted: string[] = [];
    const routesNamed = new Set(routesIn(security));
    for (const route of [...ROUTES].filter((r) => !r.startsWith('HEAD ')).sort()) if (!routesNamed.has(route)) unlisted.push(`${route} is served but SECURITY.md never names it`);
    const logging = section('3.7');
    for (const type of eventTypes()) if (!logging.includes(`\`${type}\``)) unlisted.push(`§3.7 does not list the event ${type}`);
    const crypto = section('3.6');
    for (const purpose of keyPurposes()) if (!crypto.includes(`\`${purpose}\``)) unlisted.push(`§3.6 does not list the key derived for ${purpose}`);
    const outbound = section('3.8');
    const v1231 = all.find((row) => row.id === 'V12.3.1')?.line ?? '';
    for (const setting of outboundSettings()) {
      if (!outbound.includes(`\`${setting}\``)) unlisted.push(`§3.8 does not list ${setting}`);
      if (!v1231.includes(`\`${setting}\``)) unlisted.push(`V12.3.1 does not say how ${setting} is protected in transit`);
    }
    // The email rule as the schema writes it: what it refuses beyond `something@something` must be in §3.4.
    const emailPattern = /export const email = \{[\s\S]*?pattern: '([^']*)'/.exec(source('src/kernel/http/schemas.ts'))?.[1] ?? '';
    const inputRules = section('3.4');
    if (emailPattern.includes('\\p{Cc}') && !/control character/.test(inputRules)) unlisted.push('§3.4 does not say the email rule refuses control characters');
    if (emailPattern.includes('\\p{Cf}') && !/format character/.test(inputRules)) unlisted.push('§3.4 does not say the email rule refuses format characters');
    expect(emailPattern).not.toBe('');
    expect(eventTypes().length).toBeGreaterThan(20);
    expect(keyPurposes()).toContain('page-forms');
    expect(outboundSettings()).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL']));
    expect(unlisted).toEqual([]);
  });

  it('links only to headings that exist, from itself, README.md and DEVELOPERS.md', () => {
    const known = anchors();
    const broken: string[] = [];
    for (const m of security.matchAll(/\]\(#([\w-]+)\)/g)) if (!known.has(m[1] ?? '')) broken.push(`SECURITY.md links to #${m[1] ?? ''}`);
    for (const file of ['README.md', 'DEVELOPERS.md']) {
      for (const m of read(file).matchAll(/SECURITY\.md#([\w-]+)/g)) if (!known.has(m[1] ?? '')) broken.push(`${file} links to SECURITY.md#${m[1] ?? ''}`);
    }
    expect(broken).toEqual([]);
  });
});
