import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled server (`tsc -b`; the test target depends on the build). */
export const SERVER_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** A `jetstream-server` child process and what it logged. */
export interface ServerProcess {
  child: ChildProcess;
  /** Parsed pino lines from stdout so far. */
  logs: Record<string, unknown>[];
  stderr: string;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the metrics port once the server logged that it started. */
  started: Promise<{ metricsPort: number; publicPort: number }>;
}

/** Starts the compiled server with `args` (loopback listeners on free ports unless given). */
export function startServerProcess(args: string[]): ServerProcess {
  const child = spawn(process.execPath, [SERVER_MAIN, '--listen-addr=127.0.0.1:0', '--metrics-listen-addr=127.0.0.1:0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const server: ServerProcess = {
    child,
    logs,
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
    started: new Promise((resolve, reject) => {
      let partial = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry['msg'] === 'jetstream server started') {
            const port = (address: unknown) => Number(String(address).split(':').at(-1));
            resolve({ metricsPort: port(entry['metrics']), publicPort: port(entry['listen']) });
          }
        }
      });
      child.on('exit', (code, signal) => reject(new Error(`server exited before starting (${code ?? signal}): ${server.stderr}`)));
    }),
  };
  child.stderr!.on('data', (chunk: Buffer) => (server.stderr += chunk.toString()));
  return server;
}

/** A metric's value from the server's /metrics (summed over label sets), or undefined. */
export async function readMetric(metricsPort: number, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const values = text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
  return values.length === 0 ? undefined : values.reduce((sum, value) => sum + value, 0);
}

export { until } from '@jetstream-ts/testkit';
