import { spawn } from 'node:child_process';
import { once } from 'node:events';

export interface LocalNatsServerOptions {
  /** JetStream's storage directory (`-sd`). */
  storeDir: string;
  /** Port on 127.0.0.1; default a free one chosen by nats-server. Pass the old one to restart a server in place. */
  port?: number;
  /** The executable. Default `nats-server` on PATH (Debian's package). */
  command?: string;
  /** How long start-up may take. Default 10 s. */
  startTimeoutMs?: number;
}

export interface LocalNatsServer {
  /** `nats://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Its process id (to sample its CPU and memory). */
  pid: number;
  /** Stops it gracefully (SIGTERM) and waits for the exit. */
  stop(): Promise<void>;
  /** Kills it (SIGKILL) and waits for the exit: a crash. */
  kill(): Promise<void>;
}

/**
 * Starts `nats-server -js` on loopback, for tests and the cluster demo, and resolves once it
 * accepts clients.
 *
 * @example
 * import { mkdtemp } from 'node:fs/promises';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { startLocalNatsServer } from '@jetstream-ts/nats';
 *
 * const nats = await startLocalNatsServer({ storeDir: await mkdtemp(join(tmpdir(), 'nats-')) });
 * // ... connectNats(nats.url) ...
 * await nats.stop();
 *
 * @param options Storage directory, port, executable.
 * @return The running server.
 */
export async function startLocalNatsServer(options: LocalNatsServerOptions): Promise<LocalNatsServer> {
  const child = spawn(options.command ?? 'nats-server', ['-js', '-a', '127.0.0.1', '-p', String(options.port ?? -1), '-sd', options.storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = once(child, 'exit').then(() => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    let log = '';
    let listening: number | undefined;
    const timer = setTimeout(() => fail(new Error(`nats-server did not start within ${options.startTimeoutMs ?? 10_000} ms:\n${log}`)), options.startTimeoutMs ?? 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('error', (error) => fail(new Error(`cannot run nats-server (apt-get install nats-server): ${error.message}`)));
    const onEarlyExit = (code: number | null) => fail(new Error(`nats-server exited with ${code}:\n${log}`));
    child.once('exit', onEarlyExit);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (log.length < 20_000) log += chunk;
      listening ??= Number(/Listening for client connections on [^\s]+:(\d+)/.exec(log)?.[1]) || undefined;
      if (listening !== undefined && log.includes('Server is ready')) {
        clearTimeout(timer);
        child.off('exit', onEarlyExit);
        // Keep draining stderr so the server never blocks on a full pipe.
        child.stderr.removeAllListeners('data');
        child.stderr.resume();
        resolve(listening);
      }
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const { pid } = child;
  if (pid === undefined) throw new Error('nats-server is listening but has no process id');
  return { url: `nats://127.0.0.1:${port}`, port, pid, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}
