/**
 * What the account pages that test the current password share: the password field a password manager fills in, the
 * problem of a field posted empty, the refusal of a wrong password (the API's status and error code, so a page and
 * its route answer alike), the POST body's schema and the link back to the account. Written once so the three pages
 * cannot drift apart.
 * @module
 */
import type { FastifyReply } from 'fastify';
import { ERROR_HEADER } from '../../../kernel/http/responses.js';
import { MAX_PASSWORD_LENGTH } from '../../../kernel/http/schemas.js';
import { alternatives, field, type FormProblem } from '../form-kit.js';
import { FORM_TOKEN_FIELD } from '../form-token.js';
import type { SafeHtml } from '../html.js';
import type { PageView } from '../layout.js';
import { pageLink } from '../answers.js';

/** The longest password a field takes, the API's own limit. */
export const PASSWORD_MAX_LENGTH = MAX_PASSWORD_LENGTH;

/** The current password's field (`password`, as the API's routes name it), labelled as the page asks. */
export function currentPasswordField(view: PageView, label: string, problems: readonly FormProblem[]): SafeHtml {
  return field(view, { name: 'password', label, type: 'password', autocomplete: 'current-password', maxLength: PASSWORD_MAX_LENGTH }, problems);
}

/** One field that must not be posted empty, and what to say when it is. */
export interface RequiredValue {
  readonly field: string;
  readonly value: string;
  readonly message: string;
}

/** The problems of the fields posted empty (a password is never trimmed: spaces may be part of it); none when all are given. */
export function emptyFields(values: readonly RequiredValue[]): FormProblem[] {
  return values.filter((value) => value.value === '').map((value) => ({ field: value.field, message: value.message }));
}

/**
 * Marks the answer as the API's refusal of a wrong password (`session.wrong_password`, `password.current_wrong`,
 * `account.password_wrong`): the page is HTML, but a script or a test reads the same code header the route sends.
 */
export function refusedAs(reply: FastifyReply, code: string): void {
  void reply.header(ERROR_HEADER, code);
}

/** The POST body's schema: the given password fields, the form token, and nothing else. */
export function passwordBodySchema(passwords: readonly string[], others: Readonly<Record<string, object>> = {}): object {
  const properties: Record<string, object> = { ...others, [FORM_TOKEN_FIELD]: { type: 'string', maxLength: 100 } };
  for (const name of passwords) properties[name] = { type: 'string', maxLength: PASSWORD_MAX_LENGTH };
  // Every field optional: an empty or missing one gets the page that says what to fill in, not a validation refusal.
  return { type: 'object', properties, additionalProperties: false };
}

/** The way back to the account page (`./`, relative, so it works under any mount prefix). */
export function backToAccount(view: PageView): SafeHtml {
  return alternatives(pageLink('./', view.t('account.back')));
}
