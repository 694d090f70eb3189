#!/usr/bin/env node
/**
 * The `sesame` command an installed package puts on the PATH: `sesame serve` runs the standalone server (settings
 * from the environment, as README's table lists them); `--help` says so. The operations commands join it later.
 * @module
 */

/** What `sesame --help` prints. */
export const USAGE = `usage: sesame <command>

commands:
  serve       run the standalone server (settings from the environment; see README)

options:
  -h, --help  show this help`;

const [command, ...rest] = process.argv.slice(2);
if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(command === undefined ? 2 : 0);
}
if (command === 'serve' && rest.length === 0) {
  await import('./server.js');
} else {
  process.stderr.write(`sesame: unknown command ${JSON.stringify([command, ...rest].join(' '))}\n${USAGE}\n`);
  process.exit(2);
}
