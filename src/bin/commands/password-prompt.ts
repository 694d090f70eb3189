/**
 * The password `sesame users create` sets: asked on the terminal without echo (twice, so a typo typed blind is caught),
 * or read from standard input when it is piped. Never from the command line, where it would sit in the shell's
 * history and in every process listing.
 * @module
 */
import { StringDecoder } from 'node:string_decoder';
import { EXIT, CommandError } from './exit.js';

/** The part of a terminal's input stream the prompt uses (process.stdin, or a stand-in in tests). */
export interface TerminalInput extends NodeJS.EventEmitter {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** Where the prompt is written: standard error, so standard output carries only the result a script reads. */
export interface PromptOutput {
  write(text: string): unknown;
}

/** Characters the prompt acts on in raw mode (where the terminal no longer turns them into signals or edits). */
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const BACKSPACES = new Set(['\u007f', '\b']);

/**
 * Asks for one line on a terminal without echoing it. In raw mode the terminal neither echoes nor edits, so the
 * prompt does the little editing a password needs (backspace, Ctrl-U to start over) and ends on Enter; Ctrl-C or
 * Ctrl-D on an empty line cancel (raw mode delivers Ctrl-C as a character, not as SIGINT). The terminal's mode is
 * restored however it ends.
 */
export function askHidden(question: string, input: TerminalInput, output: PromptOutput): Promise<string> {
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let typed = '';
    const finish = (error: CommandError | undefined): void => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (error === undefined) resolve(typed);
      else reject(error);
    };
    const cancelled = (): CommandError => new CommandError('cancelled: nothing was done', EXIT.notConfirmed);
    /** Input closed before Enter (a terminal hung up): nothing was confirmed. */
    function onEnd(): void {
      finish(cancelled());
    }
    /** Takes the keys typed, editing the line as a terminal would have. */
    function onData(chunk: Buffer | string): void {
      // A paste arrives as one chunk of many characters, possibly ending in Enter.
      for (const char of typeof chunk === 'string' ? chunk : decoder.write(chunk)) {
        if (char === '\r' || char === '\n') return finish(undefined);
        if (char === CTRL_C || (char === CTRL_D && typed === '')) return finish(cancelled());
        if (BACKSPACES.has(char)) typed = [...typed].slice(0, -1).join('');
        else if (char === CTRL_U) typed = '';
        // Other control characters (arrows' escape sequences, Ctrl-D on a non-empty line) are not part of a password.
        else if (char >= ' ' && char !== '\u007f') typed += char;
      }
    }
    // Raw before the question shows: a key typed the moment it appears must not be echoed.
    input.setRawMode?.(true);
    output.write(question);
    input.on('data', onData);
    input.once('end', onEnd);
    input.resume();
  });
}

/** Reads all of a piped standard input, trimmed of one line end (`echo pw |` adds one). */
async function readAll(input: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/**
 * The new account's password: asked twice without echo when standard input is a terminal, read whole when it is
 * piped. An empty one is refused here, before the database is opened, with a sentence saying so rather than the
 * password rule's refusal of a password nobody typed.
 */
export async function readNewPassword(
  input: TerminalInput & AsyncIterable<Buffer | string> = process.stdin,
  output: PromptOutput = process.stderr,
): Promise<string> {
  let password: string;
  if (input.isTTY === true) {
    password = await askHidden('Password: ', input, output);
    if (password !== '' && (await askHidden('Password (again): ', input, output)) !== password) {
      throw new CommandError('the two passwords differ: nothing was done', EXIT.usage);
    }
  } else {
    password = await readAll(input);
  }
  if (password === '') throw new CommandError('no password given', EXIT.usage);
  return password;
}
