/**
 * Measures what importing Sesame as a library costs a host application that already runs Fastify (start-up row (c) of
 * bench/startup.ts): imports `fastify`, then the module named by its first argument, and prints both times and the
 * resident memory the second one added, as one JSON line.
 * @module
 */
import { performance } from 'node:perf_hooks';

/** What one import run measured; the bench parses it from this process's stdout. */
export interface ImportTiming {
  /** ms to import fastify, the host's own cost, for scale. */
  readonly fastifyMs: number;
  /** ms to import the library after fastify. */
  readonly importMs: number;
  /** Resident memory the library's import added, in bytes. */
  readonly rssAdded: number;
}

const target = process.argv[2];
if (target === undefined) throw new Error('usage: node import-time.js <module URL>');
const started = performance.now();
await import('fastify');
const fastifyDone = performance.now();
const rssBefore = process.memoryUsage.rss();
await import(target);
const timing: ImportTiming = { fastifyMs: fastifyDone - started, importMs: performance.now() - fastifyDone, rssAdded: process.memoryUsage.rss() - rssBefore };
process.stdout.write(`${JSON.stringify(timing)}\n`);
