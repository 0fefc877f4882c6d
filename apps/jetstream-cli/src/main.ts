import { createProgram } from './lib/program.js';

// Wiring only: the commands live in ./lib, tested there.
const { run } = createProgram({ stdout: process.stdout, stderr: process.stderr });
process.exitCode = await run(process.argv.slice(2));
