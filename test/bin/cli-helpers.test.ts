/**
 * The CLI's helpers in process, without spawning it: the hidden password prompt on a stand-in terminal (raw mode on
 * while it reads and off after, nothing echoed, backspace and Ctrl-U editing, Ctrl-C cancelling), a piped password,
 * the `--type` check of `audit tail`, the purge report's wording, the text layout of the commands' output (columns,
 * `key: value` lines), and the event-type list against the sources that publish each type.
 * @module
 */
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkEventType } from '../../src/bin/commands/audit-tail.js';
import { purgeReport } from '../../src/bin/commands/maintenance.js';
import { askHidden, readNewPassword, type TerminalInput } from '../../src/bin/commands/password-prompt.js';
import { cell, columns, facts, fields, section } from '../../src/bin/commands/text.js';
import { AUDITED_EVENT_TYPES, EVENT_TYPES, destinationOf } from '../../src/event-types.js';
import { REPO_ROOT } from '../support/built-server.js';

/** A stand-in terminal: records raw-mode changes; `type` delivers keys as a terminal in raw mode would. */
class FakeTerminal extends EventEmitter implements TerminalInput {
  readonly isTTY = true;
  readonly modes: boolean[] = [];
  flowing = false;
  setRawMode(mode: boolean): this {
    this.modes.push(mode);
    return this;
  }
  resume(): this {
    this.flowing = true;
    return this;
  }
  pause(): this {
    this.flowing = false;
    return this;
  }
  /** Sends keys once the prompt listens (each call one chunk, as a paste or a key arrives). */
  type(...chunks: Array<string | Buffer>): void {
    for (const chunk of chunks) this.emit('data', chunk);
  }
  /** Never used on a terminal: the prompt reads keys, not the whole stream. */
  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    yield* [];
  }
}

/** Everything written to the prompt's output. */
function screen(): { write(text: string): void; text: string } {
  return {
    text: '',
    write(text: string) {
      this.text += text;
    },
  };
}

describe('the hidden password prompt', () => {
  it('reads a line in raw mode without echoing it, and leaves raw mode after', async () => {
    const terminal = new FakeTerminal();
    const out = screen();
    const answer = askHidden('Password: ', terminal, out);
    expect(terminal.modes).toEqual([true]);
    expect(out.text).toBe('Password: ');
    terminal.type('sec', 'ret', '\r');
    expect(await answer).toBe('secret');
    expect(out.text).toBe('Password: \n');
    expect(terminal.modes).toEqual([true, false]);
    expect(terminal.flowing).toBe(false);
    expect(terminal.listenerCount('data')).toBe(0);
  });

  it('edits as a terminal would: backspace (DEL or BS), Ctrl-U, no control characters; UTF-8 split across chunks', async () => {
    const terminal = new FakeTerminal();
    const answer = askHidden('Password: ', terminal, screen());
    const euro = Buffer.from('€', 'utf8');
    terminal.type('wrong', '\u0015', 'abx\u007f', 'c\b', 'c', '\u001b[A', euro.subarray(0, 1), euro.subarray(1), 'é\n');
    // Ctrl-U dropped "wrong"; DEL took the x, BS the c; the arrow's escape and bracket are dropped, its "[A" kept as
    // the printable text it is.
    expect(await answer).toBe('abc[A€é');
  });

  it('cancels on Ctrl-C, on Ctrl-D on an empty line and when the terminal closes, restoring the mode', async () => {
    for (const keys of [['pass', '\u0003'], ['\u0004']]) {
      const terminal = new FakeTerminal();
      const answer = askHidden('Password: ', terminal, screen());
      terminal.type(...keys);
      await expect(answer).rejects.toMatchObject({ message: 'cancelled: nothing was done', exitCode: 4 });
      expect(terminal.modes).toEqual([true, false]);
    }
    const closed = new FakeTerminal();
    const answer = askHidden('Password: ', closed, screen());
    closed.emit('end');
    await expect(answer).rejects.toMatchObject({ exitCode: 4 });
  });

  it('on a terminal asks twice and refuses two that differ; refuses an empty one without asking again', async () => {
    const terminal = new FakeTerminal();
    const out = screen();
    const agreed = readNewPassword(terminal as never, out);
    terminal.type('same-pass\r');
    await new Promise((wake) => setImmediate(wake));
    expect(out.text).toBe('Password: \nPassword (again): ');
    terminal.type('same-pass\r');
    expect(await agreed).toBe('same-pass');

    const differ = new FakeTerminal();
    const refused = readNewPassword(differ as never, screen());
    differ.type('first\r');
    await new Promise((wake) => setImmediate(wake));
    differ.type('second\r');
    await expect(refused).rejects.toMatchObject({ message: 'the two passwords differ: nothing was done', exitCode: 2 });

    const empty = new FakeTerminal();
    const emptyOut = screen();
    const none = readNewPassword(empty as never, emptyOut);
    empty.type('\r');
    await expect(none).rejects.toMatchObject({ message: 'no password given', exitCode: 2 });
    expect(emptyOut.text).toBe('Password: \n');
  });

  it('reads a piped password whole, less one line end, and refuses an empty one', async () => {
    const piped = (text: string) => Object.assign(Readable.from([Buffer.from(text)]), { isTTY: false }) as never;
    expect(await readNewPassword(piped('pw with spaces \n'), screen())).toBe('pw with spaces ');
    expect(await readNewPassword(piped('line one\r\n'), screen())).toBe('line one');
    for (const text of ['', '\n', '\r\n']) await expect(readNewPassword(piped(text), screen())).rejects.toMatchObject({ message: 'no password given', exitCode: 2 });
  });
});

describe('audit tail --type', () => {
  it('accepts every type the audit log holds and refuses the rest, naming the nearest when one is close', () => {
    for (const type of AUDITED_EVENT_TYPES) expect(() => checkEventType(type)).not.toThrow();
    expect(() => checkEventType('account.disable')).toThrow(/^unknown event type "account\.disable" \(did you mean account\.disabled\?\); the audit log holds account\.created, /);
    expect(() => checkEventType('session.loggedout')).toThrow(/did you mean session\.logged_out\?/);
    expect(() => checkEventType('x')).toThrow(/^unknown event type "x"; the audit log holds /);
    expect(() => checkEventType('cross_site.refused')).toThrow(/^cross_site\.refused events are never stored in the audit log/);
    expect(() => checkEventType('mail.sent')).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => checkEventType('__proto__')).toThrow(/unknown event type/);
  });
});

describe('the event-type list', () => {
  /** Every TypeScript source under src. */
  function sources(dir = join(REPO_ROOT, 'src')): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []));
  }

  it('lists every type of the modules\' events.ts unions, and marks as not audited exactly those published as traffic or count-only', () => {
    const files = sources();
    const declared = new Set(files.filter((file) => file.endsWith('events.ts')).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/'([a-z_]+\.[a-z_]+)'/g)].map((m) => m[1] ?? '')));
    expect([...EVENT_TYPES]).toEqual([...declared].sort());
    const unstored = new Map<string, string>();
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(/type: '([a-z_]+\.[a-z_]+)'[^\n]*?(traffic|countOnly): true/g)) unstored.set(match[1] ?? '', match[2] === 'traffic' ? 'traffic' : 'counted');
    }
    expect(unstored.size).toBeGreaterThan(0);
    for (const type of EVENT_TYPES) expect(destinationOf(type), type).toBe(unstored.get(type) ?? 'audited');
  });
});

describe('the purge report', () => {
  it('says in words what each step removed, one line each, and shows an unknown step under its own name', () => {
    expect(purgeReport({ sessions: 3, idleSessionsEnded: 1, mailOutbox: 0 })).toBe('sessions past their expiry deleted: 3\nidle sessions ended: 1\noutbox messages past retention deleted: 0');
    expect(purgeReport({ futureThing: 2 })).toBe('futureThing: 2');
    expect(purgeReport({})).toBe('nothing to purge');
  });
});

describe('the text of the commands without --json', () => {
  it('aligns columns under their header, pads every column but the last, and shows a missing value as -', () => {
    expect(columns(['ID', 'EMAIL', 'STATE'], [[1, 'a@example.com', 'active'], [22, 'b@x.io', null]])).toBe('ID  EMAIL          STATE\n1   a@example.com  active\n22  b@x.io         -');
    expect(section('mail', ['ID'], [])).toBe('mail: none');
    expect(section('sessions', ['ID', 'ENDED_AT'], [['ab', null]])).toBe('sessions (1):\n  ID  ENDED_AT\n  ab  -');
  });

  it('writes one object as key: value lines, the values in one column, nested objects under dotted keys', () => {
    expect(fields({ id: 1, email_verified_at: null, database: { url: 'sqlite:x', pool_size: 10 }, trusted: [], empty: {} })).toBe(
      [
        'id:                 1',
        'email_verified_at:  -',
        'database.url:       sqlite:x',
        'database.pool_size: 10',
        'trusted:            -',
        'empty:              -',
      ].join('\n'),
    );
  });

  it('shows facts as key=value, and JSON-quotes a string with a control character so it cannot garble the terminal', () => {
    expect(facts({ sessions_ended: 1, email_change_cancelled: true, reason: 'leaked' })).toBe('sessions_ended=1 email_change_cancelled=true reason=leaked');
    expect(facts(null)).toBe('-');
    expect(facts({})).toBe('-');
    expect(facts({ nested: { a: 1 } })).toBe('nested={"a":1}');
    expect(cell('evil\u001b[2Jname')).toBe('"evil\\u001b[2Jname"');
    expect(cell('plain name')).toBe('plain name');
    expect(cell(['a', 'b'])).toBe('a, b');
  });
});
