// Test runner settings. Real servers, databases and child processes make these tests wait far more than they compute,
// so more files run at once than there are cores (Vitest's default is one fewer than the cores: a single worker on a
// 2-core machine); TEST_WORKERS overrides it. Timeouts are generous because a busy machine is slow, never because a
// test waits for time to pass: tests that depend on time inject a clock or a worker they finish by hand.
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** Files run at once: twice the cores, at least 3 (each mostly waits on PostgreSQL, a child process or a socket). */
const workers = Number(process.env['TEST_WORKERS'] ?? Math.max(3, availableParallelism() * 2));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: workers,
    reporters: ['default'],
  },
});
