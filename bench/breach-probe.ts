/**
 * The child process of the bench's breach-filter step, so its memory is measured alone: `build N OUT` builds a filter
 * from N generated `SHA1:count` lines streamed through the command's own builder (no file read) and writes it;
 * `load FILE` reads a filter as the server does and times lookups. Prints one JSON line.
 * @module
 */
import { randomBytes, randomFillSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { BinaryFuse16, BreachFilter, buildBreachFilter } from '../src/modules/password/index.js';

/** Lines generated per chunk of the stream. */
const LINES_PER_CHUNK = 16_384;

/**
 * `count` random `SHA1:count` lines (random hex stands in for SHA-1, which it is indistinguishable from for the filter),
 * in chunks of bytes as a file stream would give them.
 */
async function* generatedLines(count: number): AsyncGenerator<Uint8Array> {
  for (let done = 0; done < count; done += LINES_PER_CHUNK) {
    const lines = Math.min(LINES_PER_CHUNK, count - done);
    const hex = Buffer.from(randomBytes(20 * lines).toString('hex').toUpperCase(), 'latin1');
    const chunk = Buffer.allocUnsafe(lines * 50);
    let at = 0;
    for (let i = 0; i < lines; i += 1) {
      at += hex.copy(chunk, at, 40 * i, 40 * i + 40);
      at += chunk.write(`:${1 + ((done + i) % 997)}\n`, at, 'latin1');
    }
    yield chunk.subarray(0, at);
  }
}

/** Runs one mode and prints its figures. */
async function main(): Promise<void> {
  const [mode, arg, out] = process.argv.slice(2);
  if (mode === 'build') {
    const entries = Number(arg);
    const result = await buildBreachFilter(() => generatedLines(entries));
    const file = result.filter.serialize();
    writeFileSync(out ?? '', file);
    process.stdout.write(`${JSON.stringify({ entries: result.filter.size, ms: result.ms, bytes: file.length, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
    return;
  }
  if (mode === 'load') {
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const filter = BreachFilter.fromFile(arg ?? '');
    const loadMs = performance.now() - started;
    const after = process.memoryUsage().rss;
    // Passwords never seen (the common case): SHA-1 of the UTF-8 bytes, NFKC check, and the three reads.
    const passwords = Array.from({ length: 200_000 }, (_, i) => `unbreached passphrase number ${i}`);
    let hits = 0;
    for (const password of passwords.slice(0, 20_000)) if (filter.hasPassword(password)) hits += 1;
    const t0 = performance.now();
    for (const password of passwords) if (filter.hasPassword(password)) hits += 1;
    const passwordUs = ((performance.now() - t0) * 1000) / passwords.length;
    // The filter alone, on random 64-bit keys (a second copy, read after the memory was measured).
    const raw = BinaryFuse16.load(readFileSync(arg ?? ''));
    const keys = randomFillSync(new Uint32Array(2_000_000));
    for (let i = 0; i < 200_000; i += 2) if (raw.has(keys[i] as number, keys[i + 1] as number)) hits += 1;
    const t1 = performance.now();
    for (let i = 0; i < keys.length; i += 2) if (raw.has(keys[i] as number, keys[i + 1] as number)) hits += 1;
    const keyUs = ((performance.now() - t1) * 1000) / (keys.length / 2);
    process.stdout.write(`${JSON.stringify({ loadMs, rssAddedBytes: after - before, passwordLookupUs: passwordUs, keyLookupUs: keyUs, hits, bytes: filter.bytes })}\n`);
    return;
  }
  throw new Error('usage: breach-probe build N OUT | load FILE');
}

await main();
