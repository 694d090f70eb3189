// `npm start`: runs the compiled standalone server in this very process (building first only when dist is missing or
// older than src), so the signal npm forwards on SIGTERM or Ctrl-C reaches the server itself and nothing is orphaned.
import { pathToFileURL } from 'node:url';
import { buildIfStale, SERVER_ENTRY } from './build-if-stale.mjs';

buildIfStale();
await import(pathToFileURL(SERVER_ENTRY).href);
