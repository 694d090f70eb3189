/**
 * A preload (`node --import ./test/support/loaded-modules.mjs …`, or the same flag in NODE_OPTIONS) that records which
 * npm packages a Node process loads, so test/kernel/lazy-loading.test.ts can prove that a deployment which does not
 * use PostgreSQL, Redis, metrics, OpenAPI or password scoring never pays for their code. When the process exits it
 * writes the packages' names, sorted, as a JSON array, to the file named by `LOADED_MODULES_REPORT`; without that
 * variable it does nothing.
 *
 * Why three sources of evidence, and not one: no single Node 20 mechanism sees every kind of load.
 * - `Module._resolveFilename`, wrapped here, sees every CommonJS `require()` and `require.resolve()`, including those
 *   of `createRequire` (how Sesame loads optional drivers) and the resolution of a data file that is then read with
 *   `fs` (how the common-password list is loaded: no module of that package is ever evaluated).
 * - An ES module `resolve` hook (registered with `module.register`; it runs on Node's hooks thread) sees every
 *   `import`, static or dynamic, including that of a package that ships only ES modules, and that of a CommonJS
 *   package from an ES module (whose own `require`s then go through the wrapper above).
 * - `require.cache`, read when the main thread exits, as a cross-check: every CommonJS file evaluated there.
 * Every resolution is appended to a side file at once (`appendFileSync`), not kept in memory, so nothing is lost when
 * the hooks thread or a worker thread ends abruptly; a worker thread that runs this preload too (it inherits
 * NODE_OPTIONS) appends to the same file, and the main thread's exit handler turns the whole file into the report.
 * A package counts as loaded when any file under its `node_modules/<name>/` directory was resolved.
 * @module
 */
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

const report = process.env.LOADED_MODULES_REPORT;

if (report !== undefined && report !== '') {
  const sideFile = `${report}.paths`;
  /** Paths this thread has already written, so a module required from many places costs one write. */
  const written = new Set();
  const record = (path) => {
    if (written.has(path)) return;
    written.add(path);
    appendFileSync(sideFile, `${path}\n`);
  };

  const originalResolve = Module._resolveFilename;
  Module._resolveFilename = function resolveAndRecord(...args) {
    const resolved = originalResolve.apply(this, args);
    if (typeof resolved === 'string' && resolved.includes('node_modules')) record(resolved);
    return resolved;
  };

  // Inline, so this preload stays one file; the hook only appends, it never changes a resolution.
  const hooks = `
    import { appendFileSync } from 'node:fs';
    let file;
    export function initialize(data) { file = data.file; }
    export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      if (result.url.startsWith('file:') && result.url.includes('node_modules')) appendFileSync(file, result.url + '\\n');
      return result;
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { file: sideFile } });

  if (isMainThread) {
    process.on('exit', () => {
      const paths = new Set(Object.keys(Module._cache));
      if (existsSync(sideFile)) {
        for (const line of readFileSync(sideFile, 'utf8').split('\n')) {
          if (line !== '') paths.add(line.startsWith('file:') ? fileURLToPath(line) : line);
        }
        rmSync(sideFile, { force: true });
      }
      const packages = new Set();
      for (const path of paths) {
        const name = packageOf(path);
        if (name !== undefined) packages.add(name);
      }
      writeFileSync(report, JSON.stringify([...packages].sort()));
    });
  }
}

/**
 * The npm package a file belongs to (the innermost `node_modules/<name>` or `node_modules/@scope/<name>` of its
 * path), or undefined for Node's built-ins and the project's own files.
 */
function packageOf(path) {
  const normalised = path.replaceAll('\\', '/');
  const at = normalised.lastIndexOf('/node_modules/');
  if (at === -1) return undefined;
  const [first, second] = normalised.slice(at + '/node_modules/'.length).split('/');
  if (first === undefined || first === '') return undefined;
  return first.startsWith('@') && second !== undefined ? `${first}/${second}` : first;
}
