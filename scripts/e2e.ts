/**
 * Runs the seed's task-20 end-to-end flow against a running Sesame server and reports each step:
 * `npm run e2e -- http://127.0.0.1:5000` (the default URL); exits 1 when a step fails, 2 on a bad argument.
 * @module
 */
import { runSeedFlow } from '../test/seed/e2e/seed-flow.js';

const DEFAULT_URL = 'http://127.0.0.1:5000';

/** Reads the base URL from the command line, or explains the usage and exits. */
function baseUrlFromArgs(args: readonly string[]): string {
  const given = args.find((arg) => arg !== '--');
  if (given === '-h' || given === '--help') {
    process.stdout.write(`usage: npm run e2e -- [BASE_URL]   (default ${DEFAULT_URL})\n`);
    process.exit(0);
  }
  const url = given ?? DEFAULT_URL;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    process.stderr.write(`e2e: ${JSON.stringify(url)} is not an http(s) URL\n`);
    process.exit(2);
  }
  return url;
}

const baseUrl = baseUrlFromArgs(process.argv.slice(2));
process.stdout.write(`e2e: running the seed flow against ${baseUrl}\n`);
const started = Date.now();
try {
  const result = await runSeedFlow(baseUrl, { onStep: (step) => process.stdout.write(`  ok  ${step}\n`) });
  process.stdout.write(`e2e: PASS: all steps passed for ${result.email} in ${Date.now() - started} ms\n`);
} catch (error) {
  process.stderr.write(`e2e: FAIL: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
