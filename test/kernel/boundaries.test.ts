// The architecture's lint rule (eslint/boundaries.js) fails on each kind of deliberate violation, allows the
// imports the module contract allows, and finds none in the real tree.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const eslint = new ESLint({ cwd: ROOT });

/** The boundary messages ESLint reports for `code` placed at `path` (relative to the repository). */
async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'sesame/boundaries').map((m) => m.message);
}

describe('sesame/boundaries', () => {
  it.each([
    ['the kernel importing a module', 'src/kernel/probe.ts', "import { SessionService } from '../modules/sessions/index.js';\nexport const x = SessionService;", /the kernel knows no feature/],
    ['the kernel importing a surface', 'src/kernel/database/probe.ts', "import { sesamePlugin } from '../../surfaces/api/plugin.js';\nexport const x = sesamePlugin;", /the kernel knows no feature/],
    ["a module's http importing its store", 'src/modules/sessions/http/probe.ts', "import { KyselySessionStore } from '../store.js';\nexport const x = KyselySessionStore;", /never imports its store/],
    ["a module's http importing a driver", 'src/modules/password/http/probe.ts', "import { sql } from 'kysely';\nexport const x = sql;", /never imports a database driver \(kysely\)/],
    ['a module reaching past another module\'s index', 'src/modules/password/probe.ts', "import { SessionService } from '../sessions/service.js';\nexport const x = SessionService;", /through their index\.ts only/],
    ['a module importing a surface', 'src/modules/users/probe.ts', "import { sesamePlugin } from '../../surfaces/api/plugin.js';\nexport const x = sesamePlugin;", /a module may not import surfaces\/api\/plugin\.ts/],
    ['a surface importing a store', 'src/surfaces/api/probe.ts', "import { KyselyUserStore } from '../../modules/users/store.js';\nexport const x = KyselyUserStore;", /never imports a store/],
    ['a surface importing a driver', 'src/surfaces/ops/probe.ts', "import pg from 'pg';\nexport const x = pg;", /surface never imports a database driver \(pg\)/],
    ['the seed facade reaching past an index', 'src/seed/probe.ts', "import { KyselyUserStore } from '../modules/users/store.js';\nexport const x = KyselyUserStore;", /through their index\.ts only/],
  ])('refuses %s', async (_name, path, code, message) => {
    const errors = await boundaryErrors(path, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it.each([
    ['a module importing another through its index', 'src/modules/password/probe.ts', "import { SessionService } from '../sessions/index.js';\nexport const x = SessionService;"],
    ["a module's service importing its own store", 'src/modules/sessions/probe.ts', "import { KyselySessionStore } from './store.js';\nexport const x = KyselySessionStore;"],
    ["a module's http importing its own service", 'src/modules/sessions/http/probe.ts', "import { SessionService } from '../service.js';\nexport const x = SessionService;"],
    ['a surface importing a module\'s index and the kernel', 'src/surfaces/api/probe.ts', "import { passwordRoutes } from '../../modules/password/index.js';\nimport { SesameError } from '../../kernel/errors.js';\nexport const x = [passwordRoutes, SesameError];"],
    ['the kernel importing the kernel and a driver', 'src/kernel/probe.ts', "import { Kysely } from 'kysely';\nimport { systemClock } from './clock.js';\nexport const x = [Kysely, systemClock];"],
  ])('allows %s', async (_name, path, code) => {
    expect(await boundaryErrors(path, code)).toEqual([]);
  });

  it('finds no violation in the real source tree', async () => {
    const results = await eslint.lintFiles(['src/**/*.ts']);
    const violations = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'sesame/boundaries').map((m) => `${r.filePath}: ${m.message}`));
    expect(results.length).toBeGreaterThan(40);
    expect(violations).toEqual([]);
  });
});
