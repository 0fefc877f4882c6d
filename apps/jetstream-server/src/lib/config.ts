import {
  DEFAULT_SERVER_CONFIG as DEFAULTS,
  parseGoDuration,
  parseListenAddress,
  LOG_LEVELS,
  TrustedProxies,
  type ListenAddress,
  type LogFormat,
  type LogLevel,
  type ServerConfig,
  type ServerRole,
} from '@jetstream-ts/server';
import { Command, InvalidArgumentError, Option } from 'commander';

export type { ServerConfig };

export const SERVER_VERSION = '0.1.0';

const positiveDuration = (text: string) => {
  const ms = parseGoDuration(text);
  if (ms === undefined) throw new InvalidArgumentError('Not a duration (examples: 24h, 15s, 1h30m, 500ms).');
  if (ms <= 0) throw new InvalidArgumentError('The duration must be greater than 0.');
  return ms;
};
const integer = (min: number) => (text: string) => {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isSafeInteger(value)) throw new InvalidArgumentError('Not an integer.');
  if (value < min) throw new InvalidArgumentError(`Must be at least ${min}.`);
  return value;
};
const positiveNumber = (text: string) => {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) throw new InvalidArgumentError('Not a number greater than 0.');
  return value;
};
const trustedProxies = (text: string) => {
  try {
    TrustedProxies.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message} (give IP addresses or CIDR ranges, comma-separated).`);
  }
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
};
const listenAddress = (text: string) => {
  const address = parseListenAddress(text);
  if (address === undefined) throw new InvalidArgumentError('Not a listen address (examples: :6008, 127.0.0.1:6008, [::1]:6008).');
  return address;
};
const natsUrl = (text: string) => {
  for (const server of text.split(',')) {
    if (!/^(nats|tls):\/\/[^\s/]+$/.test(server.trim())) throw new InvalidArgumentError('Not a NATS URL (example: nats://127.0.0.1:4222; comma-separated for a cluster).');
  }
  return text;
};
const oneOf =
  <T extends string | number>(values: readonly T[]) =>
  (text: string): T => {
    const value = values.find((candidate) => String(candidate) === text.trim());
    if (value === undefined) throw new InvalidArgumentError(`One of ${values.join(', ')}.`);
    return value;
  };
const relayUrl = (text: string) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError('Not a URL.');
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new InvalidArgumentError('The relay URL must start with ws:// or wss://.');
  return text;
};

/**
 * The `jetstream-server` command line, v1-compatible: every flag also reads its `JETSTREAM_*`
 * variable (a flag wins over the variable, the variable over the default), durations are Go
 * durations, and `--help`/`-h`, `--version`/`-v` work as in urfave/cli. Invalid values are
 * rejected with a message naming the option (v1 panicked on a liveness TTL <= 0).
 *
 * @example
 * const config = parseServerConfig(process.argv, process.env);
 *
 * @param onConfig Called with the parsed configuration when the command runs.
 * @return The commander program (call `parse`/`parseAsync`).
 */
export function serverCommand(onConfig: (config: ServerConfig) => void | Promise<void>): Command {
  const option = <T>(flags: string, description: string, env: string, parse: (text: string, previous: T) => T, fallback: T, shown?: string) =>
    new Option(flags, description).env(env).argParser(parse).default(fallback, shown);
  return new Command('jetstream-server')
    .description('atproto firehose translation service (Jetstream v1 wire contract)')
    .version(SERVER_VERSION, '-v, --version')
    .helpOption('-h, --help')
    .addOption(option('--ws-url <url>', 'full websocket path to the ATProto SubscribeRepos XRPC endpoint', 'JETSTREAM_WS_URL', relayUrl, DEFAULTS.wsUrl))
    .addOption(option('--worker-count <n>', 'accepted for v1 compatibility (ingest is one ordered pipeline)', 'JETSTREAM_WORKER_COUNT', integer(1), DEFAULTS.workerCount))
    .addOption(option('--max-queue-size <n>', 'accepted for v1 compatibility (no effect, as in v1)', 'JETSTREAM_MAX_QUEUE_SIZE', integer(1), DEFAULTS.maxQueueSize))
    .addOption(option('--workers <n>', 'processes serving /subscribe from one store (the primary ingests and writes); 1: one process', 'JETSTREAM_WORKERS', integer(1), DEFAULTS.workers))
    .addOption(option('--listen-addr <addr>', 'addr to serve the websocket on', 'JETSTREAM_LISTEN_ADDR', listenAddress, DEFAULTS.listenAddr, ':6008'))
    .addOption(
      option('--metrics-listen-addr <addr>', 'addr to serve /metrics, /healthz and /readyz on', 'JETSTREAM_METRICS_LISTEN_ADDR', listenAddress, DEFAULTS.metricsListenAddr, ':6009'),
    )
    .addOption(option('--data-dir <dir>', 'directory of the event store', 'JETSTREAM_DATA_DIR', String, DEFAULTS.dataDir))
    .addOption(
      new Option('--zstd-dictionary-path <path>', 'accepted for v1 compatibility; the v1 dictionary is always used').env('JETSTREAM_ZSTD_DICTIONARY_PATH'),
    )
    .addOption(option('--event-ttl <duration>', 'time to keep events for replay', 'JETSTREAM_EVENT_TTL', positiveDuration, DEFAULTS.eventTtlMs, '24h'))
    .addOption(option('--max-sub-rate <rate>', 'max events per second per client address, shared by its connections (as v1)', 'JETSTREAM_MAX_SUB_RATE', positiveNumber, DEFAULTS.maxSubRate))
    .addOption(option('--max-connections <n>', 'subscriber connections in all; more get 503 (0: no limit)', 'JETSTREAM_MAX_CONNECTIONS', integer(0), DEFAULTS.clients.maxConnections))
    .addOption(
      option('--max-connections-per-ip <n>', 'subscriber connections per client address; more get 429 (0: no limit)', 'JETSTREAM_MAX_CONNECTIONS_PER_IP', integer(0), DEFAULTS.clients.maxConnectionsPerIp),
    )
    .addOption(
      option(
        '--trusted-proxies <list>',
        "comma-separated IPs/CIDRs of proxies whose X-Forwarded-For names the client (default none: the peer's address)",
        'JETSTREAM_TRUSTED_PROXIES',
        trustedProxies,
        DEFAULTS.clients.trustedProxies,
        '',
      ),
    )
    .addOption(
      option('--max-client-message-bytes <n>', 'a bigger client message closes the connection with 1009', 'JETSTREAM_MAX_CLIENT_MESSAGE_BYTES', integer(1), DEFAULTS.clients.maxClientMessageBytes),
    )
    .addOption(
      option(
        '--max-client-messages-per-second <rate>',
        'more messages from one connection close it with 1008',
        'JETSTREAM_MAX_CLIENT_MESSAGES_PER_SECOND',
        positiveNumber,
        DEFAULTS.clients.maxClientMessagesPerSecond,
      ),
    )
    .addOption(
      option('--max-client-bytes-per-second <rate>', 'more message bytes from one connection close it with 1008', 'JETSTREAM_MAX_CLIENT_BYTES_PER_SECOND', positiveNumber, DEFAULTS.clients.maxClientBytesPerSecond),
    )
    .addOption(option('--max-filter-bytes <n>', 'bytes of wanted DIDs and collections in one filter (400 / 1008 beyond)', 'JETSTREAM_MAX_FILTER_BYTES', integer(1), DEFAULTS.clients.maxFilterBytes))
    .addOption(
      option('--override-relay-cursor <seq>', 'relay cursor to start from instead of the stored one (-1: stored)', 'JETSTREAM_OVERRIDE_RELAY_CURSOR', integer(-1), DEFAULTS.overrideRelayCursor),
    )
    .addOption(option('--liveness-ttl <duration>', 'reconnect to the relay when no frame came for this long; also the trim period', 'JETSTREAM_LIVENESS_TTL', positiveDuration, DEFAULTS.livenessTtlMs, '15s'))
    .addOption(
      option(
        '--plugin <module>',
        'plugin module to load (a path or package name; repeatable; the variable takes a comma-separated list)',
        'JETSTREAM_PLUGINS',
        (text: string, previous: readonly string[]) => [...previous, ...text.split(',').map((item) => item.trim()).filter((item) => item !== '')],
        DEFAULTS.plugins,
      ),
    )
    .addOption(option('--log-level <level>', `least severe log lines shown: ${LOG_LEVELS.join(', ')}`, 'JETSTREAM_LOG_LEVEL', oneOf(LOG_LEVELS), DEFAULTS.log.level))
    .addOption(
      new Option('--log-format <format>', 'json (lines for log shippers) or pretty (for people) (default: pretty on a terminal, else json)')
        .env('JETSTREAM_LOG_FORMAT')
        .argParser(oneOf(['json', 'pretty'] as const)),
    )
    .addOption(option('--role <role>', 'with --nats-url: all (ingest and serve), ingest (relay to NATS) or edge (serve from NATS)', 'JETSTREAM_ROLE', oneOf(['all', 'ingest', 'edge'] as const), DEFAULTS.cluster.role))
    .addOption(new Option('--nats-url <url>', 'NATS JetStream server(s) of a cluster; without it, one process on its embedded store').env('JETSTREAM_NATS_URL').argParser(natsUrl))
    .addOption(option('--nats-stream <name>', 'JetStream stream of the events', 'JETSTREAM_NATS_STREAM', String, DEFAULTS.cluster.stream))
    .addOption(
      option('--nats-stream-max-age <duration>', 'how long the stream keeps events (how far back an edge can back-fill)', 'JETSTREAM_NATS_STREAM_MAX_AGE', positiveDuration, DEFAULTS.cluster.streamMaxAgeMs, '24h'),
    )
    .addOption(option('--nats-stream-replicas <n>', 'copies of each event in a NATS cluster', 'JETSTREAM_NATS_STREAM_REPLICAS', (text: string) => oneOf([1, 3, 5])(text), DEFAULTS.cluster.streamReplicas))
    .allowExcessArguments(false)
    .action(async (options: Record<string, unknown>, command: Command) => {
      const role = options['role'] as ServerRole;
      const nats = options['natsUrl'] as string | undefined;
      if (role !== 'all' && nats === undefined) command.error(`error: --role ${role} needs --nats-url (without NATS the server is one process that does everything)`);
      const workers = options['workers'] as number;
      if (role === 'ingest' && workers > 1) command.error('error: --workers serve subscribers, and an ingester serves none (give the edges --workers)');
      await onConfig({
        wsUrl: options['wsUrl'] as string,
        workerCount: options['workerCount'] as number,
        maxQueueSize: options['maxQueueSize'] as number,
        listenAddr: options['listenAddr'] as ListenAddress,
        metricsListenAddr: options['metricsListenAddr'] as ListenAddress,
        dataDir: options['dataDir'] as string,
        zstdDictionaryPath: options['zstdDictionaryPath'] as string | undefined,
        eventTtlMs: options['eventTtl'] as number,
        maxSubRate: options['maxSubRate'] as number,
        overrideRelayCursor: options['overrideRelayCursor'] as number,
        livenessTtlMs: options['livenessTtl'] as number,
        workers,
        plugins: options['plugin'] as string[],
        log: { level: options['logLevel'] as LogLevel, format: options['logFormat'] as LogFormat | undefined },
        cluster: {
          role,
          natsUrl: nats,
          stream: options['natsStream'] as string,
          streamMaxAgeMs: options['natsStreamMaxAge'] as number,
          streamReplicas: options['natsStreamReplicas'] as number,
        },
        clients: {
          maxConnections: options['maxConnections'] as number,
          maxConnectionsPerIp: options['maxConnectionsPerIp'] as number,
          trustedProxies: options['trustedProxies'] as string[],
          maxClientMessageBytes: options['maxClientMessageBytes'] as number,
          maxClientMessagesPerSecond: options['maxClientMessagesPerSecond'] as number,
          maxClientBytesPerSecond: options['maxClientBytesPerSecond'] as number,
          maxFilterBytes: options['maxFilterBytes'] as number,
        },
      });
    });
}
