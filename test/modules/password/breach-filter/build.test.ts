/**
 * Building a breach filter from a stream: `SHA1:count` lines in any order and in either case, lines split across
 * chunks anywhere, `--top` by count (never by position, ties cut in the order met), plain password lists hashed as
 * read and in NFKC form, and the refusals of input of the wrong shape.
 * @module
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BreachFilter, BreachInputError, buildBreachFilter, type LineSource } from '../../../../src/modules/password/index.js';

/** HIBP's form of a password: upper-case hex SHA-1 of its UTF-8 bytes. */
function sha1(password: string): string {
  return createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
}

/** A source that hands `text` over in chunks of `size` bytes, so lines are split at every possible place. */
function chunked(text: string, size: number): LineSource {
  const bytes = Buffer.from(text, 'utf8');
  return async function* chunks() {
    for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  };
}

/** A filter answering for passwords, from a build result. */
function passwords(result: { filter: ConstructorParameters<typeof BreachFilter>[0] }): BreachFilter {
  return new BreachFilter(result.filter);
}

const WORDS = ['first breached', 'second breached', 'third breached', 'fourth breached', 'fifth breached'];

describe('buildBreachFilter', () => {
  it('reads SHA1:count lines in any order and case, CRLF or LF, split across chunks of any size', async () => {
    const text = `${sha1(WORDS[0] ?? '')}:3\r\n${sha1(WORDS[1] ?? '').toLowerCase()}:10\n\n${sha1(WORDS[2] ?? '')}:1`;
    for (const size of [1, 7, 41, 1 << 16]) {
      const result = await buildBreachFilter(chunked(text, size));
      expect(result.format).toBe('sha1');
      expect(result.lines).toBe(3);
      expect(result.filter.size).toBe(3);
      const filter = passwords(result);
      for (const word of WORDS.slice(0, 3)) expect(filter.hasPassword(word), `${word} in chunks of ${size}`).toBe(true);
      expect(filter.hasPassword(WORDS[3] ?? '')).toBe(false);
      // No case folding: the corpus is exact.
      expect(filter.hasPassword((WORDS[0] ?? '').toUpperCase())).toBe(false);
    }
  });

  it('--top keeps the most frequent by count wherever they are in the file, cutting ties in file order', async () => {
    const counts = [1, 50, 2, 50, 40];
    const text = WORDS.map((word, i) => `${sha1(word)}:${counts[i]}`).join('\n');
    const two = passwords(await buildBreachFilter(chunked(text, 13), { top: 2 }));
    expect(WORDS.map((word) => two.hasPassword(word))).toEqual([false, true, false, true, false]);
    const three = passwords(await buildBreachFilter(chunked(text, 13), { top: 3 }));
    expect(WORDS.map((word) => three.hasPassword(word))).toEqual([false, true, false, true, true]);
    // A tie at the cut: of the three entries counted 1, the first met takes the one place left.
    const tied = `${sha1('a')}:5\n${sha1('b')}:1\n${sha1('c')}:1\n${sha1('d')}:1`;
    const cut = passwords(await buildBreachFilter(chunked(tied, 5), { top: 2 }));
    expect(['a', 'b', 'c', 'd'].map((word) => cut.hasPassword(word))).toEqual([true, true, false, false]);
    // More than there are: all of them.
    expect((await buildBreachFilter(chunked(text, 13), { top: 100 })).filter.size).toBe(5);
  });

  it('removes repeated lines before construction', async () => {
    const line = `${sha1('again')}:2`;
    const result = await buildBreachFilter(chunked(`${line}\n${line}\n${line}\n${sha1('other')}:1\n`, 9));
    expect(result.selected).toBe(4);
    expect(result.filter.size).toBe(2);
  });

  it('hashes a plain list as read and in NFKC form where that differs', async () => {
    const result = await buildBreachFilter(chunked('hunter2\r\n\uFB01rewall123\nCorrect Horse\n', 3));
    expect(result.format).toBe('passwords');
    expect(result.lines).toBe(3);
    expect(result.filter.size).toBe(4);
    const filter = passwords(result);
    for (const word of ['hunter2', '\uFB01rewall123', 'firewall123', 'Correct Horse']) expect(filter.hasPassword(word), word).toBe(true);
    expect(filter.hasPassword('correct horse')).toBe(false);
  });

  it('refuses a line of another shape after SHA1:count lines, and --top on a plain list', async () => {
    await expect(buildBreachFilter(chunked(`${sha1('x')}:1\nplain password\n`, 64))).rejects.toThrow(/line 2 is not a SHA1:count line/);
    await expect(buildBreachFilter(chunked('hunter2\n', 64), { top: 1 })).rejects.toThrow(BreachInputError);
    await expect(buildBreachFilter(chunked(`${sha1('x')}:12x\n`, 64))).resolves.toMatchObject({ format: 'passwords' });
  });
});
