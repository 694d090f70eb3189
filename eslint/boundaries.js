// Sesame's architecture as a lint rule: the kernel knows no feature; modules reach each other only through their
// index.ts; a module's HTTP code never touches a store or a database driver; surfaces use modules' public faces only.
// It resolves each relative import to the file it names, so a rule cannot be dodged by spelling a path differently.
import { dirname, relative, resolve, sep } from 'node:path';

/** Packages that talk to a database or Redis: only stores, the kernel's storage and the composition root use them. */
const DRIVERS = new Set(['kysely', 'pg', 'better-sqlite3', 'ioredis']);

/** Where a file sits in the architecture, from its path under src/. */
function classify(srcRoot, file) {
  const rel = relative(srcRoot, file).split(sep).join('/');
  if (rel.startsWith('..')) return { layer: 'outside', rel };
  const parts = rel.split('/');
  if (parts[0] === 'kernel') return { layer: 'kernel', rel };
  if (parts[0] === 'modules' && parts.length > 2) {
    const rest = parts.slice(2).join('/');
    return {
      layer: 'module',
      rel,
      module: parts[1],
      isIndex: rest === 'index.ts',
      isHttp: parts[2] === 'http',
      isStore: /(^|[/-])store(\.[a-z]+)?\.ts$/.test(rest) || rest.startsWith('store/'),
    };
  }
  if (parts[0] === 'surfaces') return { layer: 'surface', rel, surface: parts[1] };
  if (parts[0] === 'seed') return { layer: 'seed', rel };
  if (parts[0] === 'bin') return { layer: 'bin', rel };
  return { layer: 'root', rel };
}

/** The message for an import that breaks a boundary, or null when it is allowed. */
function violation(from, to, specifier) {
  if (to === null) {
    const pkg = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
    if (!DRIVERS.has(pkg)) return null;
    if (from.layer === 'module' && from.isHttp) return `a module's http code never imports a database driver (${pkg}): it talks to its service`;
    if (from.layer === 'surface') return `a surface never imports a database driver (${pkg}): it talks to modules' services`;
    return null;
  }
  if (to.layer === 'outside') return null;
  if (from.layer === 'kernel' && to.layer !== 'kernel') return `the kernel knows no feature: it may not import ${to.rel}`;
  if (to.layer === 'module') {
    const sameModule = from.layer === 'module' && from.module === to.module;
    if (sameModule) {
      if (from.isHttp && to.isStore) return `a module's http code never imports its store (${to.rel}): routes talk to the service`;
      return null;
    }
    if (to.isStore && (from.layer === 'surface' || (from.layer === 'module' && from.isHttp))) {
      return `${from.layer === 'surface' ? 'a surface' : "a module's http code"} never imports a store (${to.rel})`;
    }
    if (!to.isIndex) return `modules are imported through their index.ts only: import modules/${to.module}/index.js, not ${to.rel}`;
    return null;
  }
  if (from.layer === 'module' && ['surface', 'seed', 'bin', 'root'].includes(to.layer)) {
    return `a module may not import ${to.rel}: modules depend on the kernel and on each other's index.ts only`;
  }
  return null;
}

/** The rule. */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Sesame architecture boundaries (docs/ARCHITECTURE.md)' },
    schema: [{ type: 'object', properties: { srcRoot: { type: 'string' } }, additionalProperties: false }],
  },
  create(context) {
    const srcRoot = resolve(context.options[0]?.srcRoot ?? 'src');
    const file = context.filename;
    const from = classify(srcRoot, file);
    if (from.layer === 'outside') return {};
    const check = (node, source) => {
      if (source === null || source === undefined || typeof source.value !== 'string') return;
      const specifier = source.value;
      const to = specifier.startsWith('.') ? classify(srcRoot, resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))) : null;
      const message = violation(from, to, specifier);
      if (message !== null) context.report({ node: source, message });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : null),
    };
  },
};

/** The local plugin carrying the rule. */
export default { rules: { boundaries: rule } };
