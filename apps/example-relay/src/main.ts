import { createServerContainer, DEFAULT_SERVER_CONFIG, parseListenAddress, runUntilSignal, serverConfig, TOKENS } from '@jetstream-ts/server';
import { Command, InvalidArgumentError, Option } from 'commander';
import examplePlugins from './plugin.js';

const listenAddress = (text: string) => {
  const address = parseListenAddress(text);
  if (address === undefined) throw new InvalidArgumentError('Not a listen address (examples: :6008, 127.0.0.1:6008).');
  return address;
};

await new Command('example-relay')
  .description('a custom Jetstream relay: posts only, with handles, and a lang= subscriber option')
  .addOption(new Option('--ws-url <url>', 'relay subscribeRepos URL').env('JETSTREAM_WS_URL').default(DEFAULT_SERVER_CONFIG.wsUrl))
  .addOption(new Option('--listen-addr <addr>', 'addr to serve /subscribe on').env('JETSTREAM_LISTEN_ADDR').argParser(listenAddress).default(DEFAULT_SERVER_CONFIG.listenAddr, ':6008'))
  .addOption(
    new Option('--metrics-listen-addr <addr>', 'addr to serve /metrics on').env('JETSTREAM_METRICS_LISTEN_ADDR').argParser(listenAddress).default(DEFAULT_SERVER_CONFIG.metricsListenAddr, ':6009'),
  )
  .addOption(new Option('--data-dir <dir>', 'directory of the event store').env('JETSTREAM_DATA_DIR').default(DEFAULT_SERVER_CONFIG.dataDir))
  .allowExcessArguments(false)
  .action(async (options: { wsUrl: string; listenAddr: typeof DEFAULT_SERVER_CONFIG.listenAddr; metricsListenAddr: typeof DEFAULT_SERVER_CONFIG.listenAddr; dataDir: string }) => {
    // The reference server's container, plus this relay's plugins: that is the whole relay.
    const container = createServerContainer(serverConfig(options));
    for (const plugin of examplePlugins()) container.register(TOKENS.plugins, { useValue: plugin });
    await runUntilSignal(container);
  })
  .parseAsync(process.argv);
