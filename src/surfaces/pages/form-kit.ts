/**
 * The pieces every form is made of, written once so that every page meets WCAG 2.2 AA the same way: a label for
 * every field, required fields marked in words and with `aria-required`, `autocomplete` for password managers, and
 * errors gathered in a summary that takes focus (`autofocus` on it, so no script is needed) and linked to their
 * fields (`aria-describedby`, `aria-invalid`).
 * @module
 */
import { html, type SafeHtml } from './html.js';
import type { PageView } from './layout.js';

/** A problem with one field, or with the form as a whole (no `field`). */
export interface FormProblem {
  /** The field's id (and name), when the problem is that field's. */
  readonly field?: string;
  readonly message: string;
}

/** The problems of an address and a password posted empty (`passwordField` names the password's input); none when both are given. */
export function missingCredentials(view: PageView, email: string, password: string, passwordField = 'password'): FormProblem[] {
  const missing: FormProblem[] = [];
  if (email.trim() === '') missing.push({ field: 'email', message: view.t('error.emailMissing') });
  if (password === '') missing.push({ field: passwordField, message: view.t('error.passwordMissing') });
  return missing;
}

/** One input. */
export interface FieldSpec {
  readonly name: string;
  readonly label: string;
  readonly type: 'email' | 'password' | 'text';
  /** What a password manager or a browser fills in. */
  readonly autocomplete: 'email' | 'username' | 'current-password' | 'new-password' | 'one-time-code';
  readonly value?: string;
  readonly hint?: string;
  readonly maxLength: number;
  readonly inputMode?: 'numeric';
}

/** The summary of a form's problems, first in the form, focused on arrival; nothing without problems. */
export function errorSummary(view: PageView, problems: readonly FormProblem[]): SafeHtml {
  if (problems.length === 0) return html``;
  const items = problems.map((problem) => (problem.field === undefined ? html`<li>${problem.message}</li>` : html`<li><a href="#${problem.field}">${problem.message}</a></li>`));
  return html`<div class="summary" role="alert" tabindex="-1" autofocus aria-labelledby="error-summary-title"><h2 id="error-summary-title">${view.t('form.errorSummary')}</h2><ul>${items}</ul></div>`;
}

/** A labelled, required input with its hint and its error, tied together for assistive technology. */
export function field(view: PageView, spec: FieldSpec, problems: readonly FormProblem[] = []): SafeHtml {
  const error = problems.find((problem) => problem.field === spec.name);
  const hintId = `${spec.name}-hint`;
  const errorId = `${spec.name}-error`;
  const describedBy = [spec.hint === undefined ? '' : hintId, error === undefined ? '' : errorId].filter((id) => id !== '').join(' ');
  return html`<div class="field"><label for="${spec.name}">${spec.label} <span class="req">(${view.t('form.required')})</span></label>${
    spec.hint === undefined ? '' : html`<span class="hint" id="${hintId}">${spec.hint}</span>`
  }${error === undefined ? '' : html`<span class="field-error" id="${errorId}">${error.message}</span>`}<input id="${spec.name}" name="${spec.name}" type="${spec.type}" autocomplete="${spec.autocomplete}" maxlength="${spec.maxLength}" required aria-required="true"${
    spec.value === undefined || spec.type === 'password' ? '' : html` value="${spec.value}"`
  }${spec.inputMode === undefined ? '' : html` inputmode="${spec.inputMode}"`}${error === undefined ? '' : html` aria-invalid="true"`}${
    describedBy === '' ? '' : html` aria-describedby="${describedBy}"`
  }></div>`;
}

/** The advice shown beside a new password: the policy's length (when it asks for more than one character), then how to pick one. */
export function passwordAdvice(view: PageView): string {
  const { t, site } = view;
  return site.passwordMinLength > 1 ? `${t('form.passwordLength', { min: site.passwordMinLength })} ${t('form.passwordAdvice')}` : t('form.passwordAdvice');
}

/**
 * The refusal of a weak password: the policy's advice (English, from the policy) as a sentence on English pages,
 * the policy's length and a general rule in the other languages' own words.
 */
export function weakPasswordMessage(view: PageView, advice: string): string {
  const sentence = advice.charAt(0).toUpperCase() + advice.slice(1).replace(/[.\s]*$/, '.');
  return view.t('error.passwordWeak', { advice: sentence, min: view.site.passwordMinLength });
}

/** The form's submit button. */
export function submit(label: string): SafeHtml {
  return html`<button type="submit">${label}</button>`;
}

/** A hidden input. */
export function hidden(name: string, value: string): SafeHtml {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}

/** A line of links below a form ("New here? Create an account"). */
export function alternatives(...parts: readonly SafeHtml[]): SafeHtml {
  return html`<p class="alt">${parts}</p>`;
}
