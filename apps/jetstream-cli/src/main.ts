import { createProgram } from './lib/program.js';

// Wiring only: the commands live in ./lib, tested there. The first Ctrl-C asks the running
// command to stop cleanly (logs flushed, sockets closed); a second one exits at once.
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => (stop.signal.aborted ? process.exit(130) : stop.abort()));
}
// A closed pipe (`jetstream subscribe … | head`) ends the output, not with a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? process.exit(0) : stop.abort()));
const { run } = createProgram({ stdout: process.stdout, stderr: process.stderr, stop: stop.signal });
process.exitCode = await run(process.argv.slice(2));
