/**
 * What the package tests share: npm run the way a user runs it (output kept, timed), what `npm pack --json` reports,
 * and the checks every published tarball must pass whatever it holds (its `package.json`'s shape, source maps that
 * lead somewhere, Markdown links that resolve inside the package).
 * @module
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { REPO_ROOT } from '../support/built-server.js';

/** npm's environment for the tests: no funding or audit chatter, which is not Sesame's to answer for. */
const NPM_ENV = { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };

/** Runs npm with output captured; throws with it on failure. */
export function npm(args: readonly string[], cwd: string): string {
  return execFileSync('npm', [...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: NPM_ENV });
}

/** What one `npm install` printed and how long it took. */
export interface InstallRun {
  /** npm's warnings and errors (its stderr), the thing a user sees scroll past. */
  readonly stderr: string;
  /** Wall-clock milliseconds, reported by the tests, never asserted (a shared machine's speed proves nothing). */
  readonly ms: number;
}

/** Runs `npm install` with the given flags in a scratch application; throws with npm's output when it fails. */
export function npmInstall(app: string, flags: readonly string[]): InstallRun {
  const started = performance.now();
  const run = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...flags], { cwd: app, encoding: 'utf8', env: NPM_ENV });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`npm install failed (${String(run.status)}):\n${run.stdout}\n${run.stderr}`);
  return { stderr: run.stderr, ms };
}

/** What `npm pack --json` says of the tarball. */
export interface PackResult {
  readonly filename: string;
  /** Bytes of the .tgz. */
  readonly size: number;
  /** Bytes of its files unpacked. */
  readonly unpackedSize: number;
  readonly entryCount: number;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

/**
 * Stages one package the way a release does (`scripts/stage-packages.mjs`, which `npm run package` runs) into `out`,
 * then packs the staged folder into `out`; returns the staged folder and what npm packed.
 */
export function stageAndPack(name: 'sesame-auth' | 'sesame-auth-client', out: string): { readonly staged: string; readonly pack: PackResult } {
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'stage-packages.mjs'), '--out', out, name], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe' });
  const staged = join(out, name);
  const [pack] = JSON.parse(npm(['pack', '--json', '--pack-destination', out], staged)) as [PackResult];
  return { staged, pack };
}

/** The published package.json, as read back from the unpacked package. */
export type Manifest = Readonly<Record<string, unknown>>;

/** Reads a JSON file. */
export function readJson(path: string): Manifest {
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

/**
 * The fields of a published manifest that belong to the repository's development and mean nothing (or harm) in a
 * user's tree: development scripts would run nowhere useful, `allowScripts` and `overrides` are ignored in a
 * dependency (so shipping them only misleads), and devDependencies are never installed.
 */
export const DEVELOPMENT_FIELDS = ['scripts', 'devDependencies', 'allowScripts', 'overrides', 'workspaces', 'private'] as const;

/** Every file under `dir`, as POSIX paths relative to it. */
export function listFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.push(relative(dir, path).split('\\').join('/'));
    }
  };
  walk(dir);
  return found.sort();
}

/**
 * Source-map problems in an unpacked package: a `sourceMappingURL` naming a map that is not there, or a map whose
 * `sources` name files the package does not hold (a stack trace mapped through it names a file nobody has).
 */
export function brokenSourceMaps(root: string): string[] {
  const problems: string[] = [];
  const files = new Set(listFiles(root));
  for (const file of files) {
    if (file.endsWith('.js')) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(root, file), 'utf8'))?.[1];
      if (url !== undefined && !url.startsWith('data:') && !files.has(posix.join(posix.dirname(file), url))) problems.push(`${file} names the missing map ${url}`);
    }
    if (file.endsWith('.map')) {
      const map = JSON.parse(readFileSync(join(root, file), 'utf8')) as { sourceRoot?: string; sources?: string[]; sourcesContent?: unknown[] };
      (map.sources ?? []).forEach((source, index) => {
        if (map.sourcesContent?.[index] !== undefined && map.sourcesContent[index] !== null) return;
        const target = posix.join(posix.dirname(file), map.sourceRoot ?? '', source);
        if (!files.has(target)) problems.push(`${file} maps to the missing ${target}`);
      });
    }
  }
  return problems;
}

/** The anchors of a Markdown file's headings, as GitHub and npm's site make them (`## Install, mount` → `install-mount`). */
function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading = ''] of text.matchAll(/^#{1,6} +(.+?) *$/gm)) {
    const slug = heading.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    let anchor = slug;
    for (let n = 1; anchors.has(anchor); n += 1) anchor = `${slug}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/**
 * Relative Markdown links in the package's Markdown files that lead to no file of the package, or to no heading of
 * it (npm shows README where the repository is not at hand, so a link to an unshipped document is a dead end).
 */
export function deadMarkdownLinks(root: string): string[] {
  const dead: string[] = [];
  const withoutCode = (file: string): string => readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  for (const file of listFiles(root).filter((path) => path.endsWith('.md'))) {
    for (const [, target = ''] of withoutCode(join(root, file)).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z][a-z+.-]*:/i.test(target)) continue;
      const [pathPart = '', anchor] = target.split('#');
      const path = pathPart === '' ? join(root, file) : join(root, dirname(file), decodeURIComponent(pathPart));
      if (!existsSync(path)) dead.push(`${file} → ${target}`);
      else if (anchor !== undefined && path.endsWith('.md') && !headingAnchors(withoutCode(path)).has(anchor)) dead.push(`${file} → ${target} (no such heading)`);
    }
  }
  return dead;
}

/** Import specifiers of the `.d.ts` files under `dir` that leave it (or name a package): declarations that do not stand alone. */
export function outsideTypeImports(dir: string): string[] {
  const outside: string[] = [];
  for (const file of listFiles(dir).filter((path) => path.endsWith('.d.ts'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const [, specifier = ''] of text.matchAll(/(?:from\s+|import\s*\(\s*|reference\s+(?:types|path)=)["']([^"']+)["']/g)) {
      if (!specifier.startsWith('./')) outside.push(`${file} → ${specifier}`);
    }
  }
  return outside;
}

/**
 * npm's warnings left once the one a Sesame user cannot be spared is taken out: on Node older than 22,
 * `EBADENGINE` for `cookie@2`, which Fastify's own `light-my-request` asks for (Fastify 5 takes any
 * `light-my-request@^6`, whose newest takes `cookie@^2`; a dependency's `overrides` do not reach its user's tree).
 * The test proves separately that every cookie@2 sits under light-my-request.
 */
export function warningsBesidesFastifysCookie(stderr: string): string[] {
  const rest = stderr.replace(/npm warn EBADENGINE Unsupported engine \{\nnpm warn EBADENGINE +package: 'cookie@2\.[^']*',\n(?:npm warn EBADENGINE .*\n)*?npm warn EBADENGINE \}\n?/g, '');
  return rest.split('\n').filter((line) => /^npm (warn|error|ERR)/i.test(line));
}

/** Package names installed anywhere under an application's node_modules (scoped ones as `@scope/name`). */
export function installedPackages(app: string): string[] {
  const names: string[] = [];
  const walk = (modules: string): void => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      if (entry.name.startsWith('@')) {
        for (const scoped of readdirSync(join(modules, entry.name), { withFileTypes: true })) {
          if (scoped.isDirectory()) {
            names.push(`${entry.name}/${scoped.name}`);
            walk(join(modules, entry.name, scoped.name, 'node_modules'));
          }
        }
      } else {
        names.push(entry.name);
        walk(join(modules, entry.name, 'node_modules'));
      }
    }
  };
  walk(join(app, 'node_modules'));
  return names.sort();
}

/**
 * A front end's script as a browser bundle would hold it: DOM types only (`document`, `FormData`, `SubmitEvent`),
 * the client imported from `specifier`, a login form, and a refusal handled by its code and `Retry-After`.
 */
export function browserScript(specifier: string): string {
  return `import { createSesameClient, isSesameClientError, type SesameErrorCode } from '${specifier}';

const auth = createSesameClient({ baseUrl: new URL('/auth', location.origin) });
const form = document.querySelector<HTMLFormElement>('form#login');
const status = document.getElementById('status');

form?.addEventListener('submit', async (event: SubmitEvent) => {
  event.preventDefault();
  const fields = new FormData(form);
  try {
    const { email } = await auth.login({ email: String(fields.get('email')), password: String(fields.get('password')) });
    if (status !== null) status.textContent = \`signed in as \${email}\`;
  } catch (error) {
    const code: SesameErrorCode | undefined = isSesameClientError(error) ? error.code : undefined;
    if (isSesameClientError(error, 'rate_limit.exceeded')) window.setTimeout(() => form.requestSubmit(), (error.retryAfter ?? 1) * 1000);
    else if (status !== null) status.textContent = code === 'login.invalid_credentials' ? 'wrong email or password' : 'try again later';
  }
});
`;
}

/** A browser project's compiler settings: the DOM and ES2022 only, no `@types` package at all, declarations checked too. */
export function browserTsconfig(moduleResolution: 'bundler' | 'nodenext', files: readonly string[]): string {
  return JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: moduleResolution === 'bundler' ? 'esnext' : 'nodenext', moduleResolution, lib: ['dom', 'es2022'], types: [], skipLibCheck: false },
    files,
  });
}

/**
 * Type-checks a project with the repository's TypeScript; returns the files the program read, so a test can see that
 * nothing of Node or of the server came in. Throws with the compiler's output when the check fails.
 */
export function typeCheck(project: string): string[] {
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', project, '--listFiles'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`tsc -p ${project} failed:\n${run.stdout}${run.stderr}`);
  return run.stdout.split('\n').filter((line) => line.trim() !== '');
}
