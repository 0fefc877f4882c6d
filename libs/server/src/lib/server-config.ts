import { DEFAULT_RELAY_URL } from '@jetstream-ts/models';
import type { ListenAddress } from './listen-address.js';
import type { LogFormat, LogLevel } from './logger.js';

/** The server's configuration: v1's flags (reference §6), same meanings and defaults. */
export interface ServerConfig {
  wsUrl: string;
  /** Accepted for compatibility; the pipeline is ordered and needs no worker pool. */
  workerCount: number;
  /** Accepted for compatibility; it had no effect in v1 either. */
  maxQueueSize: number;
  listenAddr: ListenAddress;
  metricsListenAddr: ListenAddress;
  dataDir: string;
  /** Accepted for compatibility; like v1, the embedded v1 dictionary is always used. */
  zstdDictionaryPath: string | undefined;
  eventTtlMs: number;
  /** Events per second per client address, shared by its connections (v1: per IP). */
  maxSubRate: number;
  /** >= 0 overrides the stored relay cursor at start-up; -1 keeps it. */
  overrideRelayCursor: number;
  livenessTtlMs: number;
  /** `--workers`: processes serving `/subscribe` from this one's store; 1 is one process doing everything. */
  workers: number;
  /** Plugin modules to load (`--plugin`): file paths or package names, in order. */
  plugins: readonly string[];
  /** Scale-out on NATS JetStream; without `natsUrl`, one process on its embedded store (the default). */
  cluster: ClusterConfig;
  /** What one client may hold or send (v1 had no limits but `--max-sub-rate`). */
  clients: ClientLimitsConfig;
  /** `--log-level`, `--log-format`. */
  log: LogConfig;
}

export interface LogConfig {
  level: LogLevel;
  /** Undefined: pretty when stdout is a terminal, JSON lines otherwise. */
  format: LogFormat | undefined;
}

/** Subscriber limits; for the connection limits 0 means none. */
export interface ClientLimitsConfig {
  /** `--max-connections`: subscriber connections in all; one more gets 503. */
  maxConnections: number;
  /** `--max-connections-per-ip`: connections of one client address; one more gets 429. */
  maxConnectionsPerIp: number;
  /** `--trusted-proxies`: addresses and CIDR ranges whose `X-Forwarded-For` names the client; none by default. */
  trustedProxies: readonly string[];
  /** `--max-client-message-bytes`: a bigger client message closes the connection with 1009. */
  maxClientMessageBytes: number;
  /** `--max-client-messages-per-second`: more from one connection closes it with 1008. */
  maxClientMessagesPerSecond: number;
  /** `--max-client-bytes-per-second`: the same for their bytes. */
  maxClientBytesPerSecond: number;
  /** `--max-filter-bytes`: bytes of wanted DIDs and collections in one filter (400 / 1008 beyond). */
  maxFilterBytes: number;
}

/** `all` ingests and serves; `ingest` reads the relay into the stream; `edge` serves from its copy of the stream. */
export type ServerRole = 'all' | 'ingest' | 'edge';

export interface ClusterConfig {
  role: ServerRole;
  /** NATS server(s), comma-separated; undefined: no cluster. */
  natsUrl: string | undefined;
  /** JetStream stream of the events. */
  stream: string;
  /** How long the stream keeps events: how far back a new or restarted edge can back-fill. */
  streamMaxAgeMs: number;
  /** Copies of each message in a NATS cluster: 1, 3 or 5. */
  streamReplicas: number;
}

/** v1's defaults (reference §6), for compositions that build a config in code. */
export const DEFAULT_SERVER_CONFIG: Readonly<ServerConfig> = Object.freeze<ServerConfig>({
  wsUrl: DEFAULT_RELAY_URL,
  workerCount: 100,
  maxQueueSize: 1000,
  listenAddr: { port: 6008 },
  metricsListenAddr: { port: 6009 },
  dataDir: './data',
  zstdDictionaryPath: undefined,
  eventTtlMs: 24 * 3_600_000,
  maxSubRate: 5000,
  overrideRelayCursor: -1,
  livenessTtlMs: 15_000,
  workers: 1,
  plugins: [],
  log: { level: 'info', format: undefined },
  cluster: { role: 'all', natsUrl: undefined, stream: 'JETSTREAM_EVENTS', streamMaxAgeMs: 24 * 3_600_000, streamReplicas: 1 },
  clients: {
    maxConnections: 10_000,
    maxConnectionsPerIp: 100,
    trustedProxies: [],
    maxClientMessageBytes: 1024 * 1024,
    maxClientMessagesPerSecond: 10,
    maxClientBytesPerSecond: 2 * 1024 * 1024,
    maxFilterBytes: 1024 * 1024,
  },
});

/**
 * A complete configuration: v1's defaults with `overrides` on top.
 *
 * @example
 * import { serverConfig } from '@jetstream-ts/server';
 * const config = serverConfig({ wsUrl: 'ws://127.0.0.1:2470/xrpc/com.atproto.sync.subscribeRepos', dataDir: '/tmp/js' });
 *
 * @param overrides The settings that differ from the defaults.
 * @return The configuration.
 */
export function serverConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return { ...DEFAULT_SERVER_CONFIG, ...overrides };
}
