import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CursorBuffer } from '@jetstream-ts/cursor-buffer';
import { pino } from 'pino';
import { WebSocket, type RawData } from 'ws';
import { createServerContainer, resolveJetstreamServer, TOKENS, type JetstreamServer, type ServerConfig } from '@jetstream-ts/server';
import { serverCommand } from '../lib/config.js';

export { until } from '../lib/server-process.test-util.js';

/** A jetstream server running in this process on loopback, with its own temporary data dir. */
export interface E2eServer {
  server: JetstreamServer;
  /** The server's event log, to see what it committed (`relayCursor()`, `readFrom`). */
  log: CursorBuffer;
  /** `ws://127.0.0.1:<port>` of the public listener. */
  baseUrl: string;
  /** `http://127.0.0.1:<port>/metrics` of the metrics listener. */
  metricsUrl: string;
  /** `<baseUrl>/subscribe?<query>`. */
  subscribeUrl(query?: string): string;
  /** Stops the server and deletes its data dir (unless the caller gave one). Safe to call twice. */
  close(): Promise<void>;
}

/** The configuration the command line makes of `flags` (v1 defaults for the rest). */
async function parseFlags(flags: string[]): Promise<ServerConfig> {
  let config: ServerConfig | undefined;
  await serverCommand((parsed) => void (config = parsed)).parseAsync(flags, { from: 'user' });
  return config!;
}

/**
 * Starts, in this process, the server that `jetstream-server --ws-url <wsUrl> --data-dir <a fresh
 * temporary dir> --listen-addr 127.0.0.1:0 --metrics-listen-addr 127.0.0.1:0` would run (v1
 * defaults otherwise), with silent logs and `overrides` on top. A `dataDir` in `overrides`
 * belongs to the caller and is kept.
 */
export async function startE2eServer(wsUrl: string, overrides: Partial<ServerConfig> = {}): Promise<E2eServer> {
  const ownDataDir = overrides.dataDir === undefined;
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'jetstream-e2e-'));
  const flags = [`--ws-url=${wsUrl}`, `--data-dir=${dataDir}`, '--listen-addr=127.0.0.1:0', '--metrics-listen-addr=127.0.0.1:0'];
  const config = { ...(await parseFlags(flags)), ...overrides };
  const container = createServerContainer(config);
  container.register(TOKENS.logger, { useValue: pino({ level: 'silent' }) });
  const log = container.resolve(TOKENS.eventLog);
  const server = resolveJetstreamServer(container);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= server.stop().finally(() => ownDataDir && rmSync(dataDir, { recursive: true, force: true })));
  try {
    await server.start();
  } catch (error) {
    await close();
    throw error;
  }
  const baseUrl = `ws://127.0.0.1:${server.publicAddress!.port}`;
  const metricsUrl = `http://127.0.0.1:${server.metricsAddress!.port}/metrics`;
  return { server, log, baseUrl, metricsUrl, subscribeUrl: (query = '') => `${baseUrl}/subscribe${query ? `?${query}` : ''}`, close };
}

/** One message as a client got it: text (JSON) or binary (zstd), and when (`Date.now()` µs). */
export interface ReceivedMessage {
  data: Buffer;
  binary: boolean;
  receivedAtUs: number;
}

/** A plain `ws` subscriber that keeps every message. */
export interface Subscriber {
  socket: WebSocket;
  messages: ReceivedMessage[];
  /** The text messages so far, as strings. */
  texts(): string[];
  /** Resolves with the close code once the connection closed. */
  closed: Promise<number>;
  /** Resolves once `count` messages arrived; rejects after `timeoutMs` or on an early close. */
  received(count: number, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Opens a plain `ws` connection to `url` and records what it receives. */
export function subscribe(url: string, headers: Record<string, string> = {}): Subscriber {
  const socket = new WebSocket(url, { headers });
  const messages: ReceivedMessage[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data: RawData, binary: boolean) => {
    messages.push({ data: data as Buffer, binary, receivedAtUs: Date.now() * 1000 });
    for (const wake of waiters) wake();
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  socket.on('error', () => undefined); // the close event reports it
  let isClosed = false;
  void closed.then(() => {
    isClosed = true;
    for (const wake of waiters) wake();
  });
  const received = (count: number, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (messages.length >= count) finish(resolve);
        else if (isClosed) finish(() => reject(new Error(`connection closed after ${messages.length} of ${count} messages`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out after ${messages.length} of ${count} messages`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });
  return {
    socket,
    messages,
    texts: () => messages.map((message) => message.data.toString('utf8')),
    closed,
    received,
    close: () => socket.terminate(),
  };
}

/** The value of one metric sample (`name{labels}`, labels as written) in /metrics, or undefined. */
export async function metricSample(metricsUrl: string, sample: string): Promise<number | undefined> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

/** Waits `ms` milliseconds (to see that nothing more arrives). */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A v1 event's JSON with its `time_us` value replaced by 0 (the one field a test cannot know). */
export function withoutTimeUs(json: string): string {
  // time_us is the second top-level key, after the did (which cannot contain a quote).
  return json.replace(/^(\{"did":"[^"]*","time_us":)\d+,/, '$10,');
}

/** `time_us` of a v1 event's JSON. */
export function timeUsOf(json: string): number {
  const match = /^\{"did":"[^"]*","time_us":(\d+),/.exec(json);
  if (!match) throw new Error(`not a v1 event: ${json.slice(0, 120)}`);
  return Number(match[1]);
}
