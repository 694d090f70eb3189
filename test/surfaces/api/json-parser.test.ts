// The JSON parser's strictness: a key twice in one object, or bytes that are not UTF-8, is refused with a 400 and
// creates nothing (forms already refused both); JSON that is merely unusual still parses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duplicateKey } from '../../../src/surfaces/api/json-parser.js';
import { rawSend, send } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

describe('duplicateKey', () => {
  it.each([
    ['{"a":1,"a":2}', 'a'],
    ['{"a":1,"\\u0061":2}', 'a'],
    ['{"x":{"b":1,"b":2}}', 'b'],
    ['{"a":{"b":1},"a":2}', 'a'],
    ['[{"a":1},{"b":2,"b":3}]', 'b'],
    [' { "email" : "x" , "email" : "y" } ', 'email'],
  ])('finds the repeated key in %s', (text, key) => {
    expect(duplicateKey(text)).toBe(key);
  });

  it.each([
    '{"a":1,"b":2}',
    '[{"a":1},{"a":2}]',
    '{"a":{"a":1}}',
    '{"a":"{\\"a\\":1,\\"a\\":2}"}',
    '{"a":["a","a"],"b":"a"}',
    '{"a\\"b":1,"a":2}',
    '"{\\"a\\":1,\\"a\\":1}"',
    '{}',
    '',
  ])('finds none in %s', (text) => {
    expect(duplicateKey(text)).toBeUndefined();
  });
});

describe('JSON bodies over HTTP', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(() => service.stop());

  it('refuses a key twice and creates no account with either value', async () => {
    const reply = await rawSend(service.url, { method: 'POST', path: '/users', headers: [['content-type', 'application/json']], body: '{"email":"twice@x.io","password":"first","password":"second"}' });
    expect([reply.status, reply.message]).toEqual([400, 'body has a key twice: each field may appear once']);
    expect((await send(service.url, 'POST', '/sessions', { json: { email: 'twice@x.io', password: 'second' } })).status).toBe(401);
    expect((await send(service.url, 'POST', '/users', { json: { email: 'twice@x.io', password: 'second' } })).status).toBe(200);
  });

  it('refuses bytes that are not UTF-8 instead of storing U+FFFD in a password', async () => {
    const body = Buffer.concat([Buffer.from('{"email":"bytes@x.io","password":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const reply = await rawSend(service.url, { method: 'POST', path: '/users', headers: [['content-type', 'application/json']], body });
    expect([reply.status, reply.message]).toEqual([400, 'body is not valid UTF-8']);
    expect((await send(service.url, 'POST', '/sessions', { json: { email: 'bytes@x.io', password: 'caf\uFFFD' } })).status).toBe(401);
    // The same password in UTF-8 is fine.
    expect((await send(service.url, 'POST', '/users', { json: { email: 'bytes@x.io', password: 'café' } })).status).toBe(200);
  });

  it('still refuses prototype poisoning and accepts a UTF-8 byte-order mark-free body with a charset parameter', async () => {
    const poisoned = await rawSend(service.url, { method: 'POST', path: '/users', headers: [['content-type', 'application/json']], body: '{"email":"p@x.io","password":"x","__proto__":{"admin":true}}' });
    expect(poisoned.status).toBe(400);
    const charset = await rawSend(service.url, { method: 'POST', path: '/users', headers: [['content-type', 'application/json; charset=utf-8']], body: '{"email":"charset@x.io","password":"ok"}' });
    expect(charset.status).toBe(200);
  });
});
