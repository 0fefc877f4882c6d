import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadGeneratorReply, LoadGeneratorRequest } from './load-generator-protocol.js';

const STOP_GRACE_MS = 5_000;

/**
 * Every child process and temporary directory the benchmark made, so that all of them go away
 * however it ends: normally (`cleanup()`), on SIGINT/SIGTERM, or on an uncaught error (the
 * `exit` hook kills what is left with SIGKILL and removes the directories synchronously).
 */
export class BenchResources {
  readonly #children = new Set<ChildProcess>();
  readonly #dirs = new Set<string>();
  readonly #adopted = new Set<AdoptedProcess>();

  constructor() {
    process.once('exit', () => this.#cleanupNow());
  }

  /** A new directory under the system temp dir, removed at cleanup. */
  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `jetstream-bench-${prefix}-`));
    this.#dirs.add(dir);
    return dir;
  }

  removeDir(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
    this.#dirs.delete(dir);
  }

  track(child: ChildProcess): ChildProcess {
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /**
   * A process started by someone else (e.g. nats-server by `startLocalNatsServer`): `stop()` at
   * cleanup, SIGKILL on an abrupt exit. Returns `stop`, which then forgets it.
   */
  adopt(adopted: AdoptedProcess): () => Promise<void> {
    this.#adopted.add(adopted);
    return async () => {
      this.#adopted.delete(adopted);
      await adopted.stop();
    };
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves when it has exited. */
  async stop(child: ChildProcess, graceMs = STOP_GRACE_MS): Promise<number | null> {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  /** Stops every child still running and removes every directory. */
  async cleanup(): Promise<void> {
    await Promise.all([...this.#children].map((child) => this.stop(child)));
    await Promise.all([...this.#adopted].map((adopted) => adopted.stop()));
    this.#adopted.clear();
    for (const dir of this.#dirs) this.removeDir(dir);
  }

  #cleanupNow(): void {
    for (const child of this.#children) child.kill('SIGKILL');
    for (const { pid } of this.#adopted) killQuietly(pid);
    for (const dir of this.#dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** A process the benchmark did not spawn itself but must end. */
export interface AdoptedProcess {
  pid: number;
  /** Stops it gracefully and resolves when it has exited. */
  stop(): Promise<void>;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** A free TCP port on 127.0.0.1 (free when asked; the child binds it a moment later). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The compiled bench file next to this one, e.g. `load-generator.js`. */
function benchFile(name: string): string {
  return join(dirname(fileURLToPath(import.meta.url)), name);
}

/** The server's entry point in the workspace (built by `tsc -b`). */
export function jetstreamServerBin(): string {
  const packageJson = fileURLToPath(import.meta.resolve('@jetstream-ts/jetstream-server/package.json'));
  return join(dirname(packageJson), 'bin', 'jetstream-server.js');
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  /** `ws://127.0.0.1:<port>/subscribe`. */
  subscribeUrl: string;
  metricsUrl: string;
  logPath: string;
}

export interface ServerStartOptions {
  /** The command: `node <script> ...args`. */
  script: string;
  args: string[];
  port: number;
  metricsPort?: number;
  logPath: string;
  /** Node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** Resolves when the server is ready (e.g. polls /readyz). */
  ready: (server: ServerProcess) => Promise<boolean>;
  readyTimeoutMs?: number;
}

/** Starts a server child with stdout and stderr going to a log file, and waits until it is ready. */
export async function startServerProcess(
  resources: BenchResources,
  options: ServerStartOptions,
): Promise<ServerProcess> {
  const log = openSync(options.logPath, 'w');
  const child = resources.track(
    spawn(process.execPath, [...(options.nodeFlags ?? []), options.script, ...options.args], {
      stdio: ['ignore', log, log],
    }),
  );
  closeSync(log);
  const server: ServerProcess = {
    child,
    pid: child.pid ?? -1,
    subscribeUrl: `ws://127.0.0.1:${options.port}/subscribe`,
    metricsUrl: `http://127.0.0.1:${options.metricsPort ?? options.port}/metrics`,
    logPath: options.logPath,
  };
  const deadline = performance.now() + (options.readyTimeoutMs ?? 30_000);
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (await options.ready(server).catch(() => false)) return server;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await resources.stop(child);
  throw new Error(
    `${options.script} did not become ready (exit ${child.exitCode ?? child.signalCode}); see ${options.logPath}`,
  );
}

/**
 * Starts the real `jetstream-server` (its compiled app) with its store in `dataDir`: against a
 * relay, or with `relayUrl` absent and `extraArgs` saying so, an edge of a cluster.
 */
export async function startJetstreamServer(
  resources: BenchResources,
  options: {
    relayUrl?: string;
    dataDir: string;
    logPath: string;
    nodeFlags?: string[];
    extraArgs?: string[];
    /** What to wait for: `healthz` (up; the default) or `readyz` (an edge: connected to NATS). */
    ready?: 'healthz' | 'readyz';
  },
): Promise<ServerProcess> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const probe = options.ready ?? 'healthz';
  return startServerProcess(resources, {
    script: jetstreamServerBin(),
    args: [
      ...(options.relayUrl === undefined ? [] : ['--ws-url', options.relayUrl]),
      '--data-dir',
      options.dataDir,
      '--listen-addr',
      `127.0.0.1:${port}`,
      '--metrics-listen-addr',
      `127.0.0.1:${metricsPort}`,
      // No rate cap (the rate ramp goes past v1's 5,000/s, and the cap is per address: every
      // load-generator subscriber shares 127.0.0.1's), no per-address connection limit, no
      // reconnect between steps.
      '--max-sub-rate',
      '1000000000',
      '--max-connections-per-ip',
      '0',
      '--liveness-ttl',
      '10m',
      ...(options.extraArgs ?? []),
    ],
    port,
    metricsPort,
    logPath: options.logPath,
    nodeFlags: options.nodeFlags,
    // healthz: up, not ready: /readyz waits for a relay frame, and the paced relay sends none before the warm-up.
    ready: async (server) => (await fetch(server.metricsUrl.replace('/metrics', `/${probe}`))).ok,
  });
}

/** Starts the naive comparison server (`naive-fanout-server.js`) against a relay. */
export async function startNaiveServer(
  resources: BenchResources,
  options: { relayUrl: string; logPath: string; nodeFlags?: string[] },
): Promise<ServerProcess> {
  const port = await freePort();
  return startServerProcess(resources, {
    script: benchFile('naive-fanout-server.js'),
    args: [options.relayUrl, String(port)],
    port,
    logPath: options.logPath,
    nodeFlags: options.nodeFlags,
    ready: async (server) => (await fetch(server.metricsUrl.replace('/metrics', '/readyz'))).ok,
  });
}

/** The load generator child and a request/reply channel to it. */
export class LoadGenerator {
  readonly #child: ChildProcess;
  #waiting: { resolve: (reply: LoadGeneratorReply) => void; reject: (error: Error) => void } | undefined;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (reply: LoadGeneratorReply) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (reply.type === 'failed') waiting?.reject(new Error(`load generator: ${reply.message}`));
      else waiting?.resolve(reply);
    });
    child.once('exit', (code, signal) => {
      this.#waiting?.reject(new Error(`load generator exited (${code ?? signal})`));
      this.#waiting = undefined;
    });
  }

  /** Starts the load generator, with Node flags such as `--cpu-prof` (default: none). */
  static start(resources: BenchResources, nodeFlags: readonly string[] = []): LoadGenerator {
    const child = fork(benchFile('load-generator.js'), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...nodeFlags],
    });
    return new LoadGenerator(resources.track(child));
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  get child(): ChildProcess {
    return this.#child;
  }

  /** Sends a request and waits for its reply (of the given type). */
  request<T extends LoadGeneratorReply['type']>(
    request: LoadGeneratorRequest,
    replyType: T,
    timeoutMs: number,
  ): Promise<Extract<LoadGeneratorReply, { type: T }>> {
    if (this.#waiting) return Promise.reject(new Error('load generator: one request at a time'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting = undefined;
        reject(new Error(`load generator: no ${replyType} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting = {
        resolve: (reply) => {
          clearTimeout(timer);
          if (reply.type === replyType) resolve(reply as Extract<LoadGeneratorReply, { type: T }>);
          else reject(new Error(`load generator: expected ${replyType}, got ${reply.type}`));
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#child.send(request);
    });
  }

  /** A message that has no reply. */
  notify(request: LoadGeneratorRequest): void {
    this.#child.send(request);
  }
}
