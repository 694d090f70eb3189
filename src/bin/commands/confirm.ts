/**
 * Confirmation before a destructive act: `--yes` skips it; otherwise a terminal is asked, and without one (a script
 * that forgot `--yes`) the command refuses with exit 4 rather than act unasked.
 * @module
 */
import { createInterface } from 'node:readline/promises';
import { EXIT, CommandError } from './io.js';

/** Resolves when the act is confirmed; throws a not-confirmed error otherwise. */
export async function confirm(question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new CommandError(`${question} Not confirmed: pass --yes to do it without asking`, EXIT.notConfirmed);
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await terminal.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new CommandError('not confirmed: nothing was done', EXIT.notConfirmed);
  } finally {
    terminal.close();
  }
}
