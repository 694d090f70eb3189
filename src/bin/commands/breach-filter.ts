/**
 * `sesame breach-filter build --from FILE [--top N] --out PATH`: turns a breach corpus (Have I Been Pwned's
 * `SHA1:count` download, or a plain list of passwords) into the filter file `PASSWORD_BREACH_FILTER` names. It needs
 * no settings and no database: it only reads one file and writes another, so it runs on any machine with the file.
 * @module
 */
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { BreachInputError, buildBreachFilter } from '../../modules/password/index.js';
import { CommandError, EXIT, output } from './io.js';

/** What `sesame breach-filter --help` prints. */
export const BREACH_FILTER_USAGE = `usage: sesame breach-filter build --from FILE [--top N] --out PATH [--json]

  --from FILE   SHA1:count lines in any order (Have I Been Pwned's download, hex digits in either case) or a plain
                list of passwords, one a line (hashed as read, and in NFKC form where it differs); told apart by the
                first line's shape
  --top N       keep the N entries with the highest counts (SHA1:count input only; ties at the cut in file order)
  --out PATH    the filter file to write (replaced whole: written beside it, then renamed)
  --json        print the result as one JSON line

memory follows the entries kept, not the file's size: about 35 bytes an entry while building (8 for the key,
the rest the construction's scratch), and the filter written is about 2.3 bytes an entry.`;

/** Reads `--top`: a whole number from 1 up to the filter's 32-bit entry count. */
function topOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 4_000_000_000) throw new CommandError('--top must be a whole number from 1 to 4000000000', EXIT.usage);
  return value;
}

/** A size in bytes for people: `2.3 MB`. */
function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** Runs `sesame breach-filter ...args` (the words after `breach-filter`); resolves when the file is written. */
export async function breachFilter(args: readonly string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: { from: { type: 'string' }, top: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new CommandError(`${error instanceof Error ? error.message : String(error)}\n${BREACH_FILTER_USAGE}`, EXIT.usage);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(`${BREACH_FILTER_USAGE}\n`);
    return;
  }
  if (positionals.length !== 1 || positionals[0] !== 'build' || values.from === undefined || values.out === undefined) {
    throw new CommandError(BREACH_FILTER_USAGE, EXIT.usage);
  }
  const from = values.from;
  const out = values.out;
  const top = topOption(values.top);
  const source = (): AsyncIterable<Uint8Array> => createReadStream(from, { highWaterMark: 1 << 20 });
  let result;
  try {
    result = await buildBreachFilter(source, top === undefined ? {} : { top });
  } catch (error) {
    if (error instanceof BreachInputError) throw new CommandError(`${from}: ${error.message}`, EXIT.usage);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CommandError(`${from}: no such file`, EXIT.notFound);
    throw error;
  }
  const { filter } = result;
  // Written beside the target and renamed, so a server reading PATH never sees half a filter.
  const temporary = `${out}.${process.pid}.tmp`;
  try {
    const file = await open(temporary, 'w');
    try {
      await file.write(filter.header());
      await file.write(filter.body());
    } finally {
      await file.close();
    }
    await rename(temporary, out);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new CommandError(`cannot write ${out}: ${error instanceof Error ? error.message : String(error)}`, EXIT.failed);
  }
  output(values.json === true).result(
    { file: out, format: result.format, lines: result.lines, selected: result.selected, entries: filter.size, bytes: filter.byteLength, seconds: Number((result.ms / 1000).toFixed(3)) },
    (report) =>
      `wrote ${report.file}: ${report.entries.toLocaleString('en')} entries (${report.format === 'sha1' ? 'SHA1:count lines' : 'passwords'}, ` +
      `${report.lines.toLocaleString('en')} lines read), ${megabytes(report.bytes)}, built in ${report.seconds.toFixed(1)} s`,
  );
}
