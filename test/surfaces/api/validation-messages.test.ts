/**
 * The wording of validation refusals, from Ajv's own errors on real route schemas: each names the field and what it
 * must be (an email address only for the email field's pattern; a field's description for another pattern; a number's
 * whole rule from its schema), and still says something useful without the schema.
 * @module
 */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { email } from '../../../src/kernel/http/schemas.js';
import { endSessionsBody } from '../../../src/modules/sessions/http/schemas.js';
import { describeValidationError, schemaAt } from '../../../src/surfaces/api/validation.js';

const ajv = new Ajv({ coerceTypes: false, allErrors: false, strict: false });

/** The sentence a value refused by the schema gets, with and without the schema at hand. */
function refusal(schema: object, value: unknown): { withSchema: string; without: string } {
  const validate = ajv.compile(schema);
  expect(validate(value)).toBe(false);
  const errors = validate.errors ?? [];
  return { withSchema: describeValidationError(errors, schema), without: describeValidationError(errors) };
}

describe('validation messages', () => {
  it('says "must be an email address" for the email pattern only; another pattern names its field and its description', () => {
    expect(refusal({ type: 'object', properties: { email } }, { email: 'nobody' }).withSchema).toBe('email must be an email address');
    expect(refusal({ type: 'object', properties: { new_email: email } }, { new_email: 'a b@x' }).without).toBe('new_email must be an email address');
    expect(refusal(endSessionsBody, { password: 'pw', session: 'mine' }).withSchema).toBe('session must be a session id from GET /sessions, "others" or "all"');
    const bare = { type: 'object', properties: { code: { type: 'string', pattern: '^[0-9]{4}$' } } };
    expect(refusal(bare, { code: 'abcd' }).withSchema).toBe('code must be text matching ^[0-9]{4}$');
    expect(refusal(endSessionsBody, { password: 'pw', session: 'mine' }).without).toBe('session must be text matching ^([0-9a-f]{16}|others|all)$');
  });

  it('says what a number must be: its whole rule with the schema, the failed bound without it', () => {
    const id = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } } };
    expect(refusal(id, { id: 'abc' }).withSchema).toBe('id must be a positive integer');
    expect(refusal(id, { id: 0 }).withSchema).toBe('id must be a positive integer');
    expect(refusal(id, { id: 'abc' }).without).toBe('id must be an integer');
    expect(refusal(id, { id: 0 }).without).toBe('id must be at least 1');
    const limit = { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 500 } } };
    expect(refusal(limit, { limit: 501 }).withSchema).toBe('limit must be an integer from 1 to 500');
    expect(refusal(limit, { limit: 501 }).without).toBe('limit must be at most 500');
    expect(refusal({ type: 'object', properties: { offset: { type: 'integer', minimum: 0 } } }, { offset: -1 }).withSchema).toBe('offset must be a non-negative integer');
    expect(refusal({ type: 'object', properties: { ratio: { type: 'number', maximum: 1 } } }, { ratio: 2 }).withSchema).toBe('ratio must be a number of at most 1');
  });

  it('keeps the wording clients already read for strings, and names enums and booleans', () => {
    const body = { type: 'object', required: ['password'], properties: { password: { type: 'string', minLength: 1, maxLength: 8 }, name: { type: 'string', minLength: 3 } } };
    expect(refusal(body, {}).withSchema).toBe('password is required');
    expect(refusal(body, { password: 5 }).withSchema).toBe('password must be a string');
    expect(refusal(body, { password: '' }).withSchema).toBe('password must not be empty');
    expect(refusal(body, { password: '123456789' }).withSchema).toBe('password must be at most 8 characters');
    expect(refusal(body, { password: 'x', name: 'ab' }).withSchema).toBe('name must be at least 3 characters');
    expect(refusal(body, 'text').withSchema).toBe('body must be a form or JSON object');
    expect(refusal({ type: 'object', properties: { state: { type: 'string', enum: ['active', 'disabled'] } } }, { state: 'gone' }).withSchema).toBe('state must be one of active, disabled');
    expect(refusal({ type: 'object', properties: { on: { type: 'boolean' } } }, { on: 'yes' }).withSchema).toBe('on must be true or false');
  });

  it('finds the schema an error is about by its path, and nothing for a path the schema does not have', () => {
    const schema = { type: 'object', properties: { 'a/b': { type: 'integer' }, id: { type: 'integer', minimum: 1 } } };
    expect(schemaAt(schema, '#/properties/id/type')).toEqual({ type: 'integer', minimum: 1 });
    expect(schemaAt(schema, '#/properties/a~1b/type')).toEqual({ type: 'integer' });
    expect(schemaAt(schema, '#/required')).toBe(schema);
    expect(schemaAt(schema, '#/properties/missing/type')).toBeUndefined();
  });
});
