import { serverCommand, type ServerConfig } from './config.js';

/** Runs the command line like the binary would, capturing the config or the output and exit code. */
async function run(args: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith('JETSTREAM_')) delete process.env[key];
  Object.assign(process.env, env);
  let config: ServerConfig | undefined;
  let output = '';
  const command = serverCommand((parsed) => {
    config = parsed;
  })
    .exitOverride()
    .configureOutput({ writeOut: (text) => (output += text), writeErr: (text) => (output += text) });
  try {
    await command.parseAsync(['node', 'jetstream-server', ...args]);
    return { config, output, exitCode: 0 };
  } catch (error) {
    return { config, output, exitCode: (error as { exitCode: number }).exitCode };
  } finally {
    process.env = saved;
  }
}

describe('server configuration', () => {
  it('has the v1 defaults', async () => {
    const { config } = await run([]);
    expect(config).toEqual<ServerConfig>({
      wsUrl: 'wss://bsky.network/xrpc/com.atproto.sync.subscribeRepos',
      workerCount: 100,
      maxQueueSize: 1000,
      listenAddr: { port: 6008 },
      metricsListenAddr: { port: 6009 },
      dataDir: './data',
      zstdDictionaryPath: undefined,
      eventTtlMs: 86_400_000,
      maxSubRate: 5000,
      overrideRelayCursor: -1,
      livenessTtlMs: 15_000,
      workers: 1,
      plugins: [],
      log: { level: 'info', format: undefined },
      cluster: { role: 'all', natsUrl: undefined, stream: 'JETSTREAM_EVENTS', streamMaxAgeMs: 86_400_000, streamReplicas: 1 },
      clients: {
        maxConnections: 10_000,
        maxConnectionsPerIp: 100,
        trustedProxies: [],
        maxClientMessageBytes: 1_048_576,
        maxClientMessagesPerSecond: 10,
        maxClientBytesPerSecond: 2_097_152,
        maxFilterBytes: 1_048_576,
      },
    });
  });

  it('reads every flag', async () => {
    const { config } = await run([
      '--ws-url=ws://127.0.0.1:2470/xrpc/com.atproto.sync.subscribeRepos',
      '--worker-count=10',
      '--max-queue-size=5',
      '--listen-addr=127.0.0.1:7008',
      '--metrics-listen-addr=[::1]:7009',
      '--data-dir=/tmp/js',
      '--zstd-dictionary-path=/tmp/dict',
      '--event-ttl=1h30m',
      '--max-sub-rate=2.5',
      '--override-relay-cursor=0',
      '--liveness-ttl',
      '500ms',
      '--plugin=./a.mjs',
      '--plugin',
      'some-package',
      '--max-connections=500',
      '--max-connections-per-ip=50',
      '--trusted-proxies=127.0.0.1, 10.0.0.0/8,::1',
      '--max-client-message-bytes=4096',
      '--max-client-messages-per-second=2.5',
      '--max-client-bytes-per-second=8192',
      '--max-filter-bytes=2048',
    ]);
    expect(config).toEqual<ServerConfig>({
      wsUrl: 'ws://127.0.0.1:2470/xrpc/com.atproto.sync.subscribeRepos',
      workerCount: 10,
      maxQueueSize: 5,
      listenAddr: { host: '127.0.0.1', port: 7008 },
      metricsListenAddr: { host: '::1', port: 7009 },
      dataDir: '/tmp/js',
      zstdDictionaryPath: '/tmp/dict',
      eventTtlMs: 5_400_000,
      maxSubRate: 2.5,
      overrideRelayCursor: 0,
      livenessTtlMs: 500,
      workers: 1,
      plugins: ['./a.mjs', 'some-package'],
      log: { level: 'info', format: undefined },
      cluster: { role: 'all', natsUrl: undefined, stream: 'JETSTREAM_EVENTS', streamMaxAgeMs: 86_400_000, streamReplicas: 1 },
      clients: {
        maxConnections: 500,
        maxConnectionsPerIp: 50,
        trustedProxies: ['127.0.0.1', '10.0.0.0/8', '::1'],
        maxClientMessageBytes: 4096,
        maxClientMessagesPerSecond: 2.5,
        maxClientBytesPerSecond: 8192,
        maxFilterBytes: 2048,
      },
    });
  });

  it('reads the JETSTREAM_* variables, and a flag wins over its variable', async () => {
    const { config } = await run(['--data-dir=/from/flag'], {
      JETSTREAM_WS_URL: 'wss://relay.example/xrpc/com.atproto.sync.subscribeRepos',
      JETSTREAM_WORKER_COUNT: '7',
      JETSTREAM_MAX_QUEUE_SIZE: '8',
      JETSTREAM_LISTEN_ADDR: ':1234',
      JETSTREAM_METRICS_LISTEN_ADDR: 'localhost:1235',
      JETSTREAM_DATA_DIR: '/from/env',
      JETSTREAM_ZSTD_DICTIONARY_PATH: '/dict',
      JETSTREAM_EVENT_TTL: '48h',
      JETSTREAM_MAX_SUB_RATE: '100',
      JETSTREAM_OVERRIDE_RELAY_CURSOR: '12345',
      JETSTREAM_LIVENESS_TTL: '1m',
      JETSTREAM_PLUGINS: './a.mjs, ./b.mjs',
      JETSTREAM_MAX_CONNECTIONS: '0',
      JETSTREAM_MAX_CONNECTIONS_PER_IP: '50',
      JETSTREAM_TRUSTED_PROXIES: '192.0.2.0/24',
      JETSTREAM_MAX_CLIENT_MESSAGE_BYTES: '1000',
      JETSTREAM_MAX_CLIENT_MESSAGES_PER_SECOND: '3',
      JETSTREAM_MAX_CLIENT_BYTES_PER_SECOND: '4000',
      JETSTREAM_MAX_FILTER_BYTES: '5000',
    });
    expect(config).toEqual<ServerConfig>({
      wsUrl: 'wss://relay.example/xrpc/com.atproto.sync.subscribeRepos',
      workerCount: 7,
      maxQueueSize: 8,
      listenAddr: { port: 1234 },
      metricsListenAddr: { host: 'localhost', port: 1235 },
      dataDir: '/from/flag',
      zstdDictionaryPath: '/dict',
      eventTtlMs: 172_800_000,
      maxSubRate: 100,
      overrideRelayCursor: 12345,
      livenessTtlMs: 60_000,
      workers: 1,
      plugins: ['./a.mjs', './b.mjs'],
      log: { level: 'info', format: undefined },
      cluster: { role: 'all', natsUrl: undefined, stream: 'JETSTREAM_EVENTS', streamMaxAgeMs: 86_400_000, streamReplicas: 1 },
      clients: {
        maxConnections: 0,
        maxConnectionsPerIp: 50,
        trustedProxies: ['192.0.2.0/24'],
        maxClientMessageBytes: 1000,
        maxClientMessagesPerSecond: 3,
        maxClientBytesPerSecond: 4000,
        maxFilterBytes: 5000,
      },
    });
  });

  it('reads the cluster flags and their variables', async () => {
    const flags = await run(['--role=edge', '--nats-url=nats://127.0.0.1:4222,nats://127.0.0.1:4223', '--nats-stream=EVENTS', '--nats-stream-max-age=2h', '--nats-stream-replicas=3']);
    expect(flags.config?.cluster).toEqual({ role: 'edge', natsUrl: 'nats://127.0.0.1:4222,nats://127.0.0.1:4223', stream: 'EVENTS', streamMaxAgeMs: 7_200_000, streamReplicas: 3 });
    const variables = await run([], { JETSTREAM_ROLE: 'ingest', JETSTREAM_NATS_URL: 'tls://nats.example:4222', JETSTREAM_NATS_STREAM_MAX_AGE: '30m' });
    expect(variables.config?.cluster).toEqual({ role: 'ingest', natsUrl: 'tls://nats.example:4222', stream: 'JETSTREAM_EVENTS', streamMaxAgeMs: 1_800_000, streamReplicas: 1 });
  });

  it('reads --workers and JETSTREAM_WORKERS (1: one process, the default)', async () => {
    expect((await run(['--workers=4'])).config?.workers).toBe(4);
    expect((await run([], { JETSTREAM_WORKERS: '2' })).config?.workers).toBe(2);
    expect((await run(['--workers', '3', '--role=edge', '--nats-url=nats://127.0.0.1:4222'])).config?.workers).toBe(3);
  });

  it('reads --log-level and --log-format and their variables; no format means pretty on a terminal', async () => {
    expect((await run(['--log-level=debug', '--log-format=pretty'])).config?.log).toEqual({ level: 'debug', format: 'pretty' });
    expect((await run([], { JETSTREAM_LOG_LEVEL: 'warn', JETSTREAM_LOG_FORMAT: 'json' })).config?.log).toEqual({ level: 'warn', format: 'json' });
    expect((await run(['--log-format=json'], { JETSTREAM_LOG_FORMAT: 'pretty' })).config?.log).toEqual({ level: 'info', format: 'json' });
  });

  it.each([
    [['--log-level=verbose'], {}, 'One of trace, debug, info, warn, error, fatal, silent.'],
    [[], { JETSTREAM_LOG_FORMAT: 'text' }, 'One of json, pretty.'],
    [['--role=edge'], {}, 'error: --role edge needs --nats-url'],
    [['--role=replica'], {}, 'One of all, ingest, edge.'],
    [['--workers=0'], {}, 'Must be at least 1.'],
    [['--workers=2', '--role=ingest', '--nats-url=nats://127.0.0.1:4222'], {}, 'error: --workers serve subscribers, and an ingester serves none'],
    [['--nats-url=http://127.0.0.1:4222'], {}, 'Not a NATS URL'],
    [['--nats-stream-replicas=2'], {}, 'One of 1, 3, 5.'],
    [['--event-ttl=forever'], {}, "option '--event-ttl <duration>' argument 'forever' is invalid. Not a duration"],
    [['--liveness-ttl=0s'], {}, 'The duration must be greater than 0.'],
    [[], { JETSTREAM_LIVENESS_TTL: '-5s' }, 'The duration must be greater than 0.'],
    [['--listen-addr=6008'], {}, "option '--listen-addr <addr>' argument '6008' is invalid. Not a listen address"],
    [['--worker-count=ten'], {}, 'Not an integer.'],
    [['--override-relay-cursor=-2'], {}, 'Must be at least -1.'],
    [['--max-sub-rate=0'], {}, 'Not a number greater than 0.'],
    [['--ws-url=https://bsky.network'], {}, 'The relay URL must start with ws:// or wss://.'],
    [[], { JETSTREAM_MAX_QUEUE_SIZE: '1.5' }, 'Not an integer.'],
    [['--no-such-flag'], {}, "unknown option '--no-such-flag'"],
    [['--trusted-proxies=10.0.0.0/40'], {}, 'not an IP address or CIDR range: 10.0.0.0/40 (give IP addresses or CIDR ranges, comma-separated).'],
    [['--max-connections-per-ip=-1'], {}, 'Must be at least 0.'],
    [['--max-client-message-bytes=0'], {}, 'Must be at least 1.'],
    [[], { JETSTREAM_MAX_CLIENT_MESSAGES_PER_SECOND: '0' }, 'Not a number greater than 0.'],
  ])('rejects %j %j with a clear error', async (args, env, message) => {
    const result = await run(args, env);
    expect(result.config).toBeUndefined();
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain(message);
  });

  it('prints help with every flag, and the version', async () => {
    const help = await run(['--help']);
    for (const flag of ['--ws-url', '--worker-count', '--max-queue-size', '--listen-addr', '--metrics-listen-addr', '--data-dir', '--zstd-dictionary-path', '--event-ttl', '--max-sub-rate', '--override-relay-cursor', '--liveness-ttl', '--plugin', '--role', '--nats-url', '--nats-stream', '--nats-stream-max-age', '--nats-stream-replicas', '--max-connections', '--max-connections-per-ip', '--trusted-proxies', '--max-client-message-bytes', '--max-client-messages-per-second', '--max-client-bytes-per-second', '--max-filter-bytes', '--log-level', '--log-format', '--workers']) {
      expect(help.output).toContain(flag);
    }
    expect(help.output).toContain('JETSTREAM_LIVENESS_TTL');
    expect(help.output).toContain('JETSTREAM_MAX_CONNECTIONS_PER_IP');
    expect(help.output).toContain('JETSTREAM_LOG_FORMAT');
    expect(help.output).toContain('default: 24h');
    expect((await run(['-v'])).output).toBe('0.1.0\n');
  });
});
