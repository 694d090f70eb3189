// GET /openapi.json: the OpenAPI document generated from the route schemas, covering every route with its body types.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESAME_VERSION } from '../../../src/kernel/version.js';
import { startService, type Service } from '../../support/in-process.js';
import { TEST_SECRET_KEY } from '../../support/settings.js';

/** The parts of an OpenAPI document these tests read. */
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { summary?: string; requestBody?: { content: Record<string, unknown> }; responses: Record<string, unknown> }>>;
  components: { securitySchemes: { session: { in: string; name: string } } };
}

/** Every route Sesame serves, as `METHOD path`. */
const ROUTES = [
  'GET /',
  'GET /health',
  'GET /health/live',
  'GET /health/ready',
  'POST /users',
  'GET /users/challenge',
  'POST /sessions',
  'DELETE /sessions',
  'GET /profile',
  'POST /reset_password',
  'PUT /reset_password',
  'PUT /password',
  'GET /sessions',
  'POST /sessions/end',
  'GET /profile/events',
  'GET /profile/export',
  'DELETE /profile',
  'POST /email/verify',
  'POST /email/verify/resend',
  'PUT /email',
  'PUT /profile/language',
];

let app: Service;
let document: OpenApiDocument;
beforeAll(async () => {
  app = await startService({ LOG_LEVEL: 'info' });
  const response = await fetch(`${app.url}/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  document = (await response.json()) as OpenApiDocument;
});
afterAll(async () => {
  await app.stop();
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3 document titled Sesame, at the package version', () => {
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info.title).toBe('Sesame');
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(document.info.version).toBe(pkg.version);
    expect(SESAME_VERSION).toBe(pkg.version);
  });

  it('documents every route, each with a summary, and no route that does not exist', () => {
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).filter((m) => m !== 'head').map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual([...ROUTES].sort());
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) expect(operation.summary, `${method} ${path}`).toMatch(/\w/);
    }
  });

  it('lists both body types (form and JSON) for every route with a body, and the error responses', () => {
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (operation.requestBody === undefined) continue;
        expect(Object.keys(operation.requestBody.content).sort(), `${method} ${path}`).toEqual(['application/json', 'application/x-www-form-urlencoded']);
      }
    }
    expect(Object.keys(document.paths['/sessions']?.['post']?.responses ?? {})).toEqual(['200', '400', '401', '403', '413', '415', '429', '503']);
    expect(document.components.securitySchemes.session).toMatchObject({ in: 'cookie', name: 'session_id' });
  });
});

describe('OPENAPI_ENABLED', () => {
  it('off, or production\'s default, serves no document and no route lists itself', async () => {
    const envs: Array<Record<string, string>> = [{ OPENAPI_ENABLED: 'false' }, { SESAME_PROFILE: 'production', SECRET_KEY: TEST_SECRET_KEY, PUBLIC_URL: 'https://auth.example.com', RESET_WEBHOOK_URL: 'https://mailer.example/hook', BCRYPT_COST: '10' }];
    for (const env of envs) {
      const service = await startService(env);
      try {
        const response = await fetch(`${service.url}/openapi.json`);
        expect(response.status, JSON.stringify(env)).toBe(404);
        expect(await response.text()).not.toContain(SESAME_VERSION);
      } finally {
        await service.stop();
      }
    }
  });

  it('production serves it only when asked', async () => {
    const service = await startService({ SESAME_PROFILE: 'production', SECRET_KEY: TEST_SECRET_KEY, PUBLIC_URL: 'https://auth.example.com', RESET_WEBHOOK_URL: 'https://mailer.example/hook', BCRYPT_COST: '10', OPENAPI_ENABLED: 'true' });
    try {
      expect((await fetch(`${service.url}/openapi.json`)).status).toBe(200);
    } finally {
      await service.stop();
    }
  });
});
