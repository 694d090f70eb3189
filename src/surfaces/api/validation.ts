/**
 * Input validation settings and the wording of validation errors, so a client learns exactly which field is wrong.
 * @module
 */
import { Ajv, type ErrorObject } from 'ajv';
import type { FastifyInstance } from 'fastify';

/**
 * Installs a strict validator in this plugin's scope only. Fastify's default coerces types (a JSON number 5 becomes
 * the string "5"); for credentials a non-string is a client mistake and must be refused, not guessed at.
 */
export function useStrictValidation(app: FastifyInstance): void {
  const ajv = new Ajv({ coerceTypes: false, allErrors: false, removeAdditional: false, useDefaults: true, strict: false });
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
}

/** Turns the first Ajv error into a sentence naming the field, e.g. `password is required`. */
export function describeValidationError(errors: readonly ErrorObject[]): string {
  const error = errors[0];
  if (error === undefined) return 'request is invalid';
  const field = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  switch (error.keyword) {
    case 'required':
      return `${String(error.params['missingProperty'])} is required`;
    case 'type':
      return field === '' ? 'body must be a form or JSON object' : `${field} must be a string`;
    case 'minLength':
      return `${field} must not be empty`;
    case 'maxLength':
      return `${field} must be at most ${String(error.params['limit'])} characters`;
    case 'pattern':
      return `${field} must be an email address`;
    default:
      return `${field || 'body'} ${error.message ?? 'is invalid'}`;
  }
}
