import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * The compiled `jetstream-server` bin (`npx tsc -b` first), found at run time: a tool may not
 * import an app, it runs it as an operator would.
 */
export function jetstreamServerBin(): string {
  return join(dirname(fileURLToPath(import.meta.resolve('@jetstream-ts/jetstream-server/package.json'))), 'bin', 'jetstream-server.js');
}

/** A running `jetstream-server` process on loopback and what it has said. */
export interface ServerUnderTest {
  readonly child: ChildProcess;
  readonly publicPort: number;
  readonly metricsPort: number;
  /** Its pino lines so far, parsed. */
  readonly logs: readonly Record<string, unknown>[];
  /** Resolves once it exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  /** GET on its metrics listener: status and body. */
  metricsGet(path: string): Promise<{ status: number; body: string }>;
  /** SIGTERM (commit what was read, exit 0), or SIGKILL; resolves when it is gone. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const STARTED = 'jetstream server started';

/**
 * Starts the compiled server against `relayUrl` with its store in `dataDir`, listeners on free
 * loopback ports, and `args`/`env` on top; resolves once it logged that it started (rejects,
 * with its stderr, if it exits first or takes longer than `timeoutMs`).
 *
 * @example
 * const server = await startServerUnderTest({ relayUrl: relay.url, dataDir, args: ['--max-connections-per-ip=50'] });
 * await server.stop();
 */
export async function startServerUnderTest(options: {
  relayUrl: string;
  dataDir: string;
  args?: readonly string[];
  env?: Readonly<Record<string, string>>;
  timeoutMs?: number;
}): Promise<ServerUnderTest> {
  const args = [jetstreamServerBin(), `--ws-url=${options.relayUrl}`, `--data-dir=${options.dataDir}`, '--listen-addr=127.0.0.1:0', '--metrics-listen-addr=127.0.0.1:0', ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ports = await new Promise<{ publicPort: number; metricsPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in ${options.timeoutMs ?? 30_000} ms: ${stderr}`)), options.timeoutMs ?? 30_000);
    void exited.then(({ code, signal }) => reject(new Error(`the server exited before starting (${code ?? signal}): ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry['msg'] !== STARTED) return;
      clearTimeout(timer);
      const port = (address: unknown) => Number(String(address).split(':').at(-1));
      resolve({ publicPort: port(entry['listen']), metricsPort: port(entry['metrics']) });
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw error;
  });
  return {
    child,
    ...ports,
    logs,
    exited,
    stderr: () => stderr,
    metricsGet: async (path) => {
      const response = await fetch(`http://127.0.0.1:${ports.metricsPort}${path}`);
      return { status: response.status, body: await response.text() };
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Series in a Prometheus text exposition (lines that are not comments), but Node's runtime
 * series (`nodejs_*`): those grow by a histogram per GC kind as the kinds first occur, whatever
 * the clients do.
 */
export function seriesCount(metricsText: string): number {
  return metricsText.split('\n').filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('nodejs_')).length;
}

/** A metric's value summed over its series, from a Prometheus text exposition. */
export function metricValue(metricsText: string, name: string): number {
  return metricsText
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
