import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createV1Compressor } from '@jetstream-ts/compression';
import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { v1IngestStages } from '@jetstream-ts/ingest';
import type { JetstreamPlugin } from '@jetstream-ts/plugins';
import { identityFrame, until } from '@jetstream-ts/testkit';
import { pino } from 'pino';
import { filter, map } from 'rxjs';
import type { DependencyContainer } from 'tsyringe';
import { createServerContainer, resolveJetstreamServer } from './container.js';
import { registerPluginModules } from './register-plugin-modules.js';
import { serverConfig } from './server-config.js';
import { TOKENS } from './tokens.js';
import type { JetstreamServer } from './jetstream-server.js';

const TIME = '2024-01-01T00:00:00.000Z';
const identities = (count: number) => Array.from({ length: count }, (_, i) => identityFrame({ seq: i + 1, did: `did:plc:${i + 1}`, time: TIME }));

describe('plugins registered through the container', () => {
  let dataDir: string;
  let relay: FakeRelay;
  let server: JetstreamServer | undefined;

  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'server-plugins-'))));
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await relay?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function run(configure: (container: DependencyContainer) => unknown) {
    relay = await startFakeRelay({ frames: identities(5) });
    const config = serverConfig({ wsUrl: relay.url, dataDir, listenAddr: { host: '127.0.0.1', port: 0 }, metricsListenAddr: { host: '127.0.0.1', port: 0 } });
    const container = createServerContainer(config);
    container.register(TOKENS.logger, { useValue: pino({ level: 'silent' }) });
    await configure(container);
    const log = container.resolve(TOKENS.eventLog);
    server = resolveJetstreamServer(container);
    await server.start();
    await until(() => log.relayCursor() === 5, 'relay seq 5 to be committed');
    const metrics = await (await fetch(`http://127.0.0.1:${server.metricsAddress?.port}/metrics`)).text();
    return { dids: log.readFrom(0, 100).map((event) => event.did), metrics };
  }

  it('runs them in order, contains one that throws, and keeps the metrics taps when the ingest stages are replaced', async () => {
    const dropTwo: JetstreamPlugin = { name: 'no-2', stage: 'events', operator: filter((event) => event.did !== 'did:plc:2') };
    const throwOnThree: JetstreamPlugin = {
      name: 'throws-on-3',
      stage: 'events',
      operator: map((event) => {
        if (event.did === 'did:plc:3') throw new Error('plugin bug');
        return event;
      }),
    };
    const { dids, metrics } = await run((container) => {
      container.register(TOKENS.ingestStages, { useValue: v1IngestStages({ compressor: createV1Compressor() }) });
      container.register(TOKENS.plugins, { useValue: dropTwo });
      container.register(TOKENS.plugins, { useValue: throwOnThree });
    });
    expect(dids).toEqual(['did:plc:1', 'did:plc:4', 'did:plc:5']);
    expect(metrics).toContain('jetstream_plugin_failures_total{plugin="throws-on-3",stage="events"} 1');
    expect(metrics).toMatch(/^consumer_events_sequenced_total\{[^}]*\} 3$/m);
    expect(metrics).toMatch(/^indigo_repo_stream_events_received_total\{[^}]*\} 5$/m);
  });

  it('loads plugin modules after the plugins registered in code', async () => {
    const { dids } = await run((container) => registerPluginModules(container, ['../fixtures/odd-seq-plugin.mjs'], { cwd: import.meta.dirname }));
    expect(dids).toEqual(['did:plc:1', 'did:plc:3', 'did:plc:5']);
  });
});

