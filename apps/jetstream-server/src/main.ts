// tsyringe needs the Reflect metadata polyfill loaded before it is.
import 'reflect-metadata';
import { runServerCommand } from './lib/run-server.js';

/** One line on stderr and exit 1: what an operator needs, instead of a stack trace. */
function exitWith(error: unknown): never {
  console.error(`jetstream-server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

process.on('unhandledRejection', (error) => {
  // After a failed commit (a full disk), lmdb also rejects a batch promise of its own that nobody
  // holds; the failure has been logged by then with its cause and path (`ingest failed`).
  if (error instanceof Error && 'commitError' in error) process.exit(1);
  exitWith(error);
});
try {
  await runServerCommand(process.argv);
} catch (error) {
  // A server that cannot start (a store it cannot open, a port in use) ends with one line.
  exitWith(error);
}
