/**
 * The body of the password-strength worker thread: zxcvbn takes up to half a second of CPU on a long, patterned
 * password, so it runs here, off the event loop, where every other request's session check keeps being answered.
 * @module
 */
import { createRequire } from 'node:module';
import type * as ZxcvbnCore from '@zxcvbn-ts/core';

/** One password to score, with the words that make it weaker for this user (the email and its local part). */
export interface StrengthTask {
  readonly password: string;
  readonly userInputs: readonly string[];
  /** Set to 1 (and notified) when scoring begins, so the caller's time cap counts scoring, not the thread's start. */
  readonly started?: Int32Array;
}

const require = createRequire(import.meta.url);
const commonPkg = require('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]>; adjacencyGraphs: object };
const english = require('@zxcvbn-ts/language-en') as { dictionary: Record<string, string[]>; translations: object };
const core = require('@zxcvbn-ts/core') as typeof ZxcvbnCore;

/** Built once per thread at start-up (indexing the dictionaries takes a while), then reused for every task. */
const zxcvbn = new core.ZxcvbnFactory({
  dictionary: { ...commonPkg.dictionary, ...english.dictionary },
  graphs: commonPkg.adjacencyGraphs as never,
  translations: english.translations as never,
});

/** Piscina calls this for each task: returns zxcvbn's score, 0 (guessable) to 4 (very unguessable). */
export default function score(task: StrengthTask): number {
  // Inlined rather than imported from the estimator: this file is the worker's whole module graph.
  if (task.started !== undefined) {
    Atomics.store(task.started, 0, 1);
    Atomics.notify(task.started, 0);
  }
  return zxcvbn.check(task.password, [...task.userInputs]).score;
}
