// tsyringe needs the Reflect metadata polyfill loaded before it is.
import 'reflect-metadata';
import { runServerCommand } from './lib/run-server.js';

await runServerCommand(process.argv);
