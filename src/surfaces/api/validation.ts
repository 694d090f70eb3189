/**
 * Input validation settings and the wording of validation errors, so a client learns exactly which field is wrong and
 * what it should hold.
 * @module
 */
import { Ajv, type ErrorObject } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { email } from '../../kernel/http/schemas.js';

/**
 * Installs a strict validator in this plugin's scope only. Fastify's default coerces types (a JSON number 5 becomes
 * the string "5"); for credentials a non-string is a client mistake and must be refused, not guessed at.
 */
export function useStrictValidation(app: FastifyInstance): void {
  const ajv = new Ajv({ coerceTypes: false, allErrors: false, removeAdditional: false, useDefaults: true, strict: false });
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
}

/** A schema object, as far as the wording needs it. */
type Schema = Readonly<Record<string, unknown>>;

/**
 * The schema holding the keyword an error is about (`#/properties/id/type` → the schema of `id`), found in the route's
 * schema for that part of the request. Found this way rather than with Ajv's `verbose` option, which would also copy
 * the refused value (a password) into the error object, where a host's logger could write it down.
 */
export function schemaAt(root: unknown, schemaPath: string): Schema | undefined {
  const steps = schemaPath.replace(/^#\/?/, '').split('/').slice(0, -1);
  let at: unknown = root;
  for (const step of steps) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Schema)[decodeURIComponent(step).replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return typeof at === 'object' && at !== null ? (at as Schema) : undefined;
}

/** A number bound of a schema, when it has one. */
function bound(schema: Schema | undefined, name: 'minimum' | 'maximum'): number | undefined {
  const value = schema?.[name];
  return typeof value === 'number' ? value : undefined;
}

/** What a number field accepts, from its type and bounds: "a positive integer", "an integer from 1 to 500". */
function numberExpected(kind: 'integer' | 'number', schema: Schema | undefined): string {
  const min = bound(schema, 'minimum');
  const max = bound(schema, 'maximum');
  const noun = kind === 'integer' ? 'integer' : 'number';
  const article = kind === 'integer' ? 'an' : 'a';
  if (min !== undefined && max !== undefined) return `${article} ${noun} from ${min} to ${max}`;
  if (min === 1 && kind === 'integer') return 'a positive integer';
  if (min === 0) return `a non-negative ${noun}`;
  if (min !== undefined) return `${article} ${noun} of at least ${min}`;
  if (max !== undefined) return `${article} ${noun} of at most ${max}`;
  return `${article} ${noun}`;
}

/** What a field of this JSON type accepts, in words. */
function typeExpected(type: unknown, schema: Schema | undefined): string {
  const enumerated = schema?.['enum'];
  if (Array.isArray(enumerated)) return `one of ${enumerated.map(String).join(', ')}`;
  const types = (Array.isArray(type) ? type : String(type).split(',')).map(String);
  const words = types.map((one) => {
    if (one === 'integer' || one === 'number') return numberExpected(one, schema);
    if (one === 'boolean') return 'true or false';
    if (one === 'object') return 'an object';
    if (one === 'array') return 'a list';
    if (one === 'null') return 'null';
    return `a ${one}`;
  });
  return words.join(' or ');
}

/**
 * What a field with a pattern holds: an email address for the email field's pattern, else the field's own
 * `description` (written as what the field must be, e.g. `a session id from GET /sessions, "others" or "all"`), else
 * the pattern itself.
 */
function patternExpected(pattern: unknown, schema: Schema | undefined): string {
  if (pattern === email.pattern) return 'an email address';
  const description = schema?.['description'];
  if (typeof description === 'string' && description !== '') return description;
  return `text matching ${String(pattern)}`;
}

/** The comparison Ajv reports for a bound, in words. */
const COMPARISONS: Readonly<Record<string, string>> = { '>=': 'at least', '<=': 'at most', '>': 'more than', '<': 'less than' };

/**
 * Turns the first Ajv error into a sentence naming the field and what it must be, e.g. `password is required`,
 * `id must be a positive integer`, `session must be a session id from GET /sessions, "others" or "all"`. `schema` is
 * the route's schema for the part of the request the errors are about (body, params, query string): with it, a
 * refusal names the whole rule (`an integer from 1 to 500`) rather than the one bound that failed.
 */
export function describeValidationError(errors: readonly ErrorObject[], schema?: unknown): string {
  const error = errors[0];
  if (error === undefined) return 'request is invalid';
  const field = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const at = schema === undefined ? undefined : schemaAt(schema, error.schemaPath);
  switch (error.keyword) {
    case 'required':
      return `${String(error.params['missingProperty'])} is required`;
    case 'type':
      return field === '' ? 'body must be a form or JSON object' : `${field} must be ${typeExpected(error.params['type'], at)}`;
    case 'minLength': {
      const limit = Number(error.params['limit']);
      return limit <= 1 ? `${field} must not be empty` : `${field} must be at least ${limit} characters`;
    }
    case 'maxLength':
      return `${field} must be at most ${String(error.params['limit'])} characters`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const kind = at?.['type'] === 'integer' ? 'integer' : at?.['type'] === 'number' ? 'number' : undefined;
      if (kind !== undefined) return `${field} must be ${numberExpected(kind, at)}`;
      const comparison = COMPARISONS[String(error.params['comparison'])] ?? String(error.params['comparison']);
      return `${field} must be ${comparison} ${String(error.params['limit'])}`;
    }
    case 'enum': {
      const allowed = error.params['allowedValues'];
      return Array.isArray(allowed) ? `${field} must be one of ${allowed.map(String).join(', ')}` : `${field} ${error.message ?? 'is invalid'}`;
    }
    case 'pattern':
      return `${field} must be ${patternExpected(error.params['pattern'], at)}`;
    default:
      return `${field || 'body'} ${error.message ?? 'is invalid'}`;
  }
}
