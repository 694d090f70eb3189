/**
 * `npm run soak -- --shedding`: shows that session checks keep their latency while logins are shed. The server runs
 * at bcrypt cost 12 with the default `BCRYPT_QUEUE_MAX`; a few clients check their session continuously, first
 * alone, then while a burst of login clients far past bcrypt's pace runs beside them. Prints the session checks'
 * p50/p99 in both phases and how the logins were answered (200 served, 503 shed).
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteBench } from '../sqlite-db.js';
import { startServer } from '../server-process.js';

/** The q-quantile of sorted numbers. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Runs `clients` loops of `request` for `ms`, returning each answer's status and latency. */
async function drive(clients: number, ms: number, request: () => Promise<number>): Promise<Array<{ status: number; latency: number }>> {
  const results: Array<{ status: number; latency: number }> = [];
  const until = Date.now() + ms;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const start = performance.now();
        const status = await request().catch(() => 0);
        results.push({ status, latency: performance.now() - start });
      }
    }),
  );
  return results;
}

/** Runs the two phases and prints their figures. */
export async function runShedding(phaseMs: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-shed-'));
  const database = openSqliteBench(dir, 'shed');
  const server = await startServer({ databaseUrl: database.url, cost: 12, workers: 1, probe: false, logFile: join(tmpdir(), `sesame-shed-${Date.now()}.log`), env: { LOG_LEVEL: 'warn' } });
  try {
    const form = (body: Record<string, string>): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
    await fetch(`${server.url}/users`, form({ email: 'shed@soak.test', password: 'correct horse' }));
    const login = await fetch(`${server.url}/sessions`, form({ email: 'shed@soak.test', password: 'correct horse' }));
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const check = async (): Promise<number> => {
      const response = await fetch(`${server.url}/profile`, { headers: { cookie } });
      await response.arrayBuffer();
      return response.status;
    };
    const logIn = async (): Promise<number> => {
      const response = await fetch(`${server.url}/sessions`, form({ email: 'shed@soak.test', password: 'correct horse' }));
      await response.arrayBuffer();
      return response.status;
    };
    const alone = await drive(4, phaseMs, check);
    const [beside, logins] = await Promise.all([drive(4, phaseMs, check), drive(64, phaseMs, logIn)]);
    const figures = (results: Array<{ status: number; latency: number }>): string => {
      const sorted = results.map((r) => r.latency).sort((a, b) => a - b);
      return `${results.length} checks, p50 ${quantile(sorted, 0.5).toFixed(1)} ms, p99 ${quantile(sorted, 0.99).toFixed(1)} ms`;
    };
    const byStatus = new Map<number, number>();
    for (const r of logins) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    console.log(`session checks alone:                ${figures(alone)}`);
    console.log(`session checks beside a login burst: ${figures(beside)}`);
    console.log(`logins (64 clients, bcrypt cost 12): ${[...byStatus.entries()].map(([status, n]) => `${status} x${n}`).join(', ')}`);
  } finally {
    await server.stop();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
