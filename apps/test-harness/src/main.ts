import { createProgram } from './lib/program.js';

// Ctrl-C (or a supervisor's SIGTERM) asks long-running commands to stop cleanly.
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

const { run } = createProgram({ stdout: process.stdout, stderr: process.stderr, stop: stop.signal });
process.exitCode = await run(process.argv.slice(2));
