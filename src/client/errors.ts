/**
 * The client's one error class, so callers branch on Sesame's stable refusal codes (the `Sesame-Error` header) and
 * on `Retry-After` instead of parsing status lines or wording.
 * @module
 */
// The client's own list, not the server's types: this folder is published alone (sesame-auth-client), and its
// declarations must not lead a front end's compiler into Fastify or Node. The server checks its table against it.
import type { SesameApiErrorCode } from './codes.js';

/**
 * The code of a refusal: every code the server's table (`API_ERRORS`) can answer with, or `unknown` when the answer
 * carried none (a proxy's 502, a health check's 503, or a cross-origin page whose server does not expose the header).
 * A newer server may send a code this client's version does not list; it is passed through as sent.
 */
export type SesameErrorCode = SesameApiErrorCode | 'unknown';

/** What {@link SesameClientError}'s constructor takes: everything read off one refusing response. */
export interface SesameClientErrorInit {
  /** HTTP status of the answer. */
  readonly status: number;
  /** The code from the `Sesame-Error` header, or `unknown`. */
  readonly code: SesameErrorCode;
  /** The server's `message` (meant for people), or a fallback naming the status. */
  readonly message: string;
  /** Seconds to wait before trying again, when the server sent `Retry-After`. */
  readonly retryAfter?: number | undefined;
}

/**
 * A refusal from Sesame (any non-2xx answer), typed so a caller can `switch (error.code)` with the compiler checking
 * the cases; network failures stay fetch's own `TypeError`, since no server answered.
 */
export class SesameClientError extends Error {
  /** HTTP status of the answer (401, 403, 429, ...). */
  readonly status: number;
  /** The stable refusal code, for branching without parsing wording. */
  readonly code: SesameErrorCode;
  /** Seconds the server asked to wait (429, 503), or undefined when it sent no `Retry-After`. */
  readonly retryAfter: number | undefined;

  /** Builds the error from what the response said. */
  constructor(init: SesameClientErrorInit) {
    super(init.message);
    this.name = 'SesameClientError';
    this.status = init.status;
    this.code = init.code;
    this.retryAfter = init.retryAfter;
  }
}

/** Whether a value is a {@link SesameClientError}, optionally with one of the given codes: a narrowing `catch` helper. */
export function isSesameClientError<C extends SesameErrorCode>(error: unknown, ...codes: readonly C[]): error is SesameClientError & { readonly code: C } {
  return error instanceof SesameClientError && (codes.length === 0 || (codes as readonly SesameErrorCode[]).includes(error.code));
}

/**
 * Reads `Retry-After` in either form HTTP allows (delay-seconds or an HTTP date), as whole seconds; undefined when
 * absent or unreadable, so a caller never waits on a guess.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
