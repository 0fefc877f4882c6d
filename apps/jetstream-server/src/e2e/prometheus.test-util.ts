import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { until } from './e2e-server.test-util.js';

/** A Prometheus server this test started on loopback, with its own config and storage. */
export interface LocalPrometheus {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Runs an instant query; rejects unless Prometheus answers `success`. */
  query(promql: string): Promise<unknown[]>;
  /** Stops Prometheus (SIGTERM, then SIGKILL after 5 s) and deletes its directory. */
  stop(): Promise<void>;
}

/**
 * The Prometheus binary: `$PROMETHEUS_BIN`, else `prometheus` on the PATH, else Debian's
 * `/usr/bin/prometheus`. Throws when there is none: CI installs the `prometheus` package, and a
 * test that needs it must fail rather than pass without it.
 */
export function prometheusBinary(): string {
  const candidates = [process.env['PROMETHEUS_BIN'], ...(process.env['PATH'] ?? '').split(delimiter).map((dir) => join(dir, 'prometheus')), '/usr/bin/prometheus'];
  for (const candidate of candidates) {
    if (candidate === undefined || !isAbsolute(candidate)) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error("prometheus not found (PROMETHEUS_BIN, PATH, /usr/bin/prometheus): install Debian's package, `apt-get install prometheus`");
}

/** A free loopback port (the listener is closed again before the caller takes it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts Prometheus on 127.0.0.1 scraping `targets` (host:port, job `jetstream`) every second,
 * with a temporary config and storage directory, and waits until it is ready.
 */
export async function startPrometheus(targets: readonly string[]): Promise<LocalPrometheus> {
  const binary = prometheusBinary();
  const dir = mkdtempSync(join(tmpdir(), 'jetstream-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'scrape_configs:', '  - job_name: jetstream', '    static_configs:', `      - targets: ${JSON.stringify(targets)}`, ''].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(binary, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));

  const stop = async () => {
    if (running) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const query = async (promql: string) => {
    const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql })}`);
    const body = (await response.json()) as { status: string; error?: string; data?: { result: unknown[] } };
    if (body.status !== 'success') throw new Error(`${body.error ?? response.status}`);
    return body.data?.result ?? [];
  };
  try {
    await until(async () => {
      if (!running) throw new Error(`prometheus exited: ${output}`);
      return (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200;
    }, 'prometheus to be ready', 15_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, query, stop };
}
