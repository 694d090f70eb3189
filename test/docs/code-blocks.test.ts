/**
 * Every TypeScript example of README.md and docs/ compiles, as a reader would paste it into a strict project: each
 * block becomes a module of its own and the TypeScript compiler checks them all under `strict` and
 * `exactOptionalPropertyTypes` (module NodeNext, as an ES-module Node application has). `sesame-auth` and its
 * subpaths resolve through the package's `exports` map to the sources, so an example is checked against the code of
 * this commit, not a stale build. A failure names the Markdown file and line of the offending code.
 * @module
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blocksOf, documentedBlocks, REPO_ROOT, type CodeBlock } from './code-blocks.js';

/** The package's name and exports, from which the import paths of the examples are mapped to the sources. */
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, string | { types?: string }> };

/**
 * `sesame-auth`, `sesame-auth/fetch`, ... mapped to the source each export's types are built from
 * (`./dist/src/fetch.d.ts` → `src/fetch.ts`), plus `sesame-auth-client`, the client's own package (the same folder).
 */
function sourcePaths(): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const types = typeof target === 'string' ? undefined : target.types;
    if (types === undefined) continue;
    const source = types.replace(/^\.\/dist\//, './').replace(/\.d\.ts$/, '.ts');
    paths[subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`] = [join(REPO_ROOT, source)];
  }
  paths[`${manifest.name}-client`] = [join(REPO_ROOT, 'src', 'client', 'index.ts')];
  return paths;
}

/** What a reader's strict project would have: the options the issue asks every example to pass. */
const OPTIONS: ts.CompilerOptions = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noEmit: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  // Every block is a module, even one without an import, so two blocks never share names.
  moduleDetection: ts.ModuleDetectionKind.Force,
  esModuleInterop: true,
  skipLibCheck: true,
  types: ['node'],
  baseUrl: REPO_ROOT,
  paths: sourcePaths(),
};

/** Deliberately broken modules compiled with the examples, proving the check can fail (plain strictness, then the exact optional types). */
const CANARIES = {
  'canary-strict.ts': "export function length(text) { return text.length; }\n",
  'canary-exact.ts': "import { createSesameClient } from 'sesame-auth/client';\nexport const client = createSesameClient({ baseUrl: 'http://localhost', fetch: undefined });\n",
  'canary-exports.ts': "import { sesamePlugin } from 'sesame-auth/src/index.js';\nexport { sesamePlugin };\n",
} as const;

/** A block's diagnostics, each as `file:line: TSnnnn message` with the line in the Markdown file. */
type Findings = ReadonlyMap<CodeBlock, readonly string[]>;

let dir: string;
let findings: Findings;
let canaries: ReadonlyMap<string, readonly string[]>;
const blocks = documentedBlocks();
const compiled = blocks.filter((block) => block.notCompiled === undefined);

/** One diagnostic as a reader can act on it: where in the Markdown, the code and the message. */
function describeDiagnostic(block: CodeBlock | undefined, diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (diagnostic.file === undefined || diagnostic.start === undefined) return `TS${diagnostic.code} ${message}`;
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  // The block's first code line is the line after its opening fence.
  const where = block === undefined ? `${relative(REPO_ROOT, diagnostic.file.fileName)}:${line + 1}` : `${block.file}:${block.line + 1 + line}`;
  return `${where}: TS${diagnostic.code} ${message}`;
}

beforeAll(() => {
  mkdirSync(join(REPO_ROOT, '.vitest-tmp'), { recursive: true });
  // Inside the repository, so `express`, `hono` and the other imports resolve from its node_modules.
  dir = mkdtempSync(join(REPO_ROOT, '.vitest-tmp', 'doc-blocks-'));
  const byPath = new Map<string, CodeBlock>();
  compiled.forEach((block, index) => {
    const path = join(dir, `${String(index).padStart(3, '0')}-${block.file.replace(/[^\w]+/g, '-')}-L${block.line}.ts`);
    writeFileSync(path, block.code);
    byPath.set(path, block);
  });
  const canaryPaths = new Map<string, string>();
  for (const [name, code] of Object.entries(CANARIES)) {
    const path = join(dir, name);
    writeFileSync(path, code);
    canaryPaths.set(path, name);
  }
  const program = ts.createProgram({ rootNames: [...byPath.keys(), ...canaryPaths.keys()], options: OPTIONS });
  const results = new Map<CodeBlock, string[]>(compiled.map((block) => [block, []]));
  const canaryResults = new Map<string, string[]>(Object.keys(CANARIES).map((name) => [name, []]));
  const global: string[] = [];
  for (const diagnostic of [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]) global.push(describeDiagnostic(undefined, diagnostic));
  for (const source of program.getSourceFiles()) {
    const block = byPath.get(source.fileName);
    const canary = canaryPaths.get(source.fileName);
    // Only the examples are judged: the sources they import are checked by the project's own tsconfig.
    if (block === undefined && canary === undefined) continue;
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    for (const diagnostic of diagnostics) {
      if (block !== undefined) results.get(block)?.push(describeDiagnostic(block, diagnostic));
      else if (canary !== undefined) canaryResults.get(canary)?.push(describeDiagnostic(undefined, diagnostic));
    }
  }
  expect(global).toEqual([]);
  findings = results;
  canaries = canaryResults;
}, 180_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('TypeScript examples in the documentation', () => {
  it('finds the examples: README\'s and the guides\'', () => {
    expect(blocks.filter((block) => block.file === 'README.md').length).toBeGreaterThanOrEqual(5);
    expect(blocks.filter((block) => block.file.startsWith('docs/guides/')).length).toBeGreaterThanOrEqual(6);
  });

  it('opts a block out only rarely, and always with a reason', () => {
    const skipped = blocks.filter((block) => block.notCompiled !== undefined);
    expect(skipped.length).toBeLessThanOrEqual(2);
    for (const block of skipped) expect(block.notCompiled?.length ?? 0, `${block.file}:${block.line}`).toBeGreaterThanOrEqual(10);
  });

  it('fails a block that is not strict, one that breaks exactOptionalPropertyTypes, and a path outside the exports', () => {
    expect(canaries.get('canary-strict.ts')?.join('\n')).toMatch(/TS7006/);
    expect(canaries.get('canary-exact.ts')?.join('\n')).toMatch(/TS2379|exactOptionalPropertyTypes/);
    expect(canaries.get('canary-exports.ts')?.join('\n')).toMatch(/TS2307/);
  });

  it.each(compiled.map((block) => [`${block.file}:${block.line}`, block] as const))('%s compiles under strict and exactOptionalPropertyTypes', (_where, block) => {
    expect(findings.get(block)).toEqual([]);
  });
});

describe('reading blocks out of Markdown', () => {
  const text = [
    '# Title', // 1
    '```ts', // 2
    'const a = 1;', // 3
    '```', // 4
    '<!-- not-compiled: shows a type error on purpose -->', // 5
    '```typescript', // 6
    'const b: string = 2;', // 7
    '```', // 8
    '```sh', // 9
    'npm start', // 10
    '```', // 11
    '````ts', // 12
    '```', // 13
    '````', // 14
  ].join('\n');

  it('takes ts and typescript fences with their line, skips other languages, and reads the opt-out marker', () => {
    expect(blocksOf('x.md', text)).toEqual([
      { file: 'x.md', line: 2, code: 'const a = 1;\n', notCompiled: undefined },
      { file: 'x.md', line: 6, code: 'const b: string = 2;\n', notCompiled: 'shows a type error on purpose' },
      { file: 'x.md', line: 12, code: '```\n', notCompiled: undefined },
    ]);
  });

  it('ignores a marker without a reason or not right before the fence', () => {
    expect(blocksOf('y.md', '<!-- not-compiled: -->\n```ts\nx\n```\n').map((block) => block.notCompiled)).toEqual([undefined]);
    expect(blocksOf('z.md', '<!-- not-compiled: a reason -->\n\n```ts\nx\n```\n').map((block) => block.notCompiled)).toEqual([undefined]);
  });
});
