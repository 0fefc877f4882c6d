import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { connectNats, startLocalNatsServer, type LocalNatsServer } from '@jetstream-ts/nats';
import { identityFrame, syncFrame, until } from '@jetstream-ts/testkit';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { registerClusterRole } from './cluster-role.js';
import { createServerContainer, resolveJetstreamServer } from './container.js';
import type { JetstreamServer } from './jetstream-server.js';
import { DEFAULT_SERVER_CONFIG, serverConfig, type ServerRole } from './server-config.js';
import { TOKENS } from './tokens.js';

const TIME = '2024-01-01T00:00:00.000Z';
const frames = () => [1, 3].flatMap((seq) => [identityFrame({ seq, did: `did:plc:${seq}`, time: TIME }), syncFrame({ seq: seq + 1, did: 'did:plc:s', blocks: new Uint8Array(), rev: 'r', time: TIME })]);

let dir: string;
let nats: LocalNatsServer;
let relay: FakeRelay | undefined;
const servers: JetstreamServer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jetstream-cluster-role-'));
  nats = await startLocalNatsServer({ storeDir: join(dir, 'nats') });
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  await relay?.close();
  relay = undefined;
});
afterAll(async () => {
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
});

function containerFor(role: ServerRole, natsUrl: string | undefined, stream: string, wsUrl = 'ws://127.0.0.1:9/unused') {
  const cluster = { ...DEFAULT_SERVER_CONFIG.cluster, role, natsUrl, stream };
  const loopback = { host: '127.0.0.1', port: 0 };
  const container = createServerContainer(serverConfig({ wsUrl, listenAddr: loopback, metricsListenAddr: loopback, dataDir: join(dir, `${stream}-${role}`), cluster }));
  container.register(TOKENS.logger, { useValue: pino({ level: 'silent' }) });
  return container;
}

async function startServer(role: ServerRole, stream: string, wsUrl?: string): Promise<JetstreamServer> {
  const container = containerFor(role, nats.url, stream, wsUrl);
  await registerClusterRole(container);
  const server = resolveJetstreamServer(container);
  servers.push(server);
  await server.start();
  return server;
}

/** The v1 JSON of every event from `cursor=0`, once `count` arrived. */
async function replay(server: JetstreamServer, count: number): Promise<string[]> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.publicAddress!.port}/subscribe?cursor=0`);
  const messages: string[] = [];
  socket.on('message', (data) => messages.push(String(data)));
  try {
    await until(() => messages.length >= count, `${count} events`);
    return messages.map((message) => message.replace(/"time_us":\d+/, '"time_us":0'));
  } finally {
    socket.terminate();
  }
}

const expectedEvents = [1, 3].map(
  (seq) => `{"did":"did:plc:${seq}","time_us":0,"kind":"identity","identity":{"did":"did:plc:${seq}","seq":${seq},"time":"${TIME}"}}`,
);

const readyz = async (server: JetstreamServer) => {
  const response = await fetch(`http://127.0.0.1:${server.metricsAddress!.port}/readyz`);
  return `${response.status} ${await response.text()}`;
};

describe('registerClusterRole', () => {
  it('does nothing without a NATS URL, and refuses an ingest or edge role without one', async () => {
    expect(await registerClusterRole(containerFor('all', undefined, 'NONE'))).toBeUndefined();
    await expect(registerClusterRole(containerFor('edge', undefined, 'NONE'))).rejects.toThrow('role edge needs a NATS URL');
  });

  it('says which NATS is unreachable', async () => {
    const stopped = await startLocalNatsServer({ storeDir: join(dir, 'stopped-nats') });
    await stopped.stop();
    const { port } = stopped;
    await expect(registerClusterRole(containerFor('ingest', `nats://127.0.0.1:${port}`, 'NONE'))).rejects.toThrow(`NATS at nats://127.0.0.1:${port} is unreachable`);
  });

  it('splits the server: the ingester publishes and serves no /subscribe, the edge serves the stream without a relay', async () => {
    relay = await startFakeRelay({ frames: frames() });
    const ingester = await startServer('ingest', 'SPLIT', relay.url);
    const edge = await startServer('edge', 'SPLIT', relay.url);

    expect(await replay(edge, 2)).toEqual(expectedEvents);
    expect(relay.connections).toHaveLength(1); // the ingester's: an edge never dials the relay
    expect((await fetch(`http://127.0.0.1:${ingester.publicAddress!.port}/subscribe`)).status).toBe(404);
    const { connection, jsm } = await connectNats(nats.url);
    const { state } = await jsm.streams.info('SPLIT');
    await connection.close();
    expect(state.messages).toBe(2);
    expect(await readyz(edge)).toBe('200 ready\n');
  });

  it('role all ingests through the stream and serves its copy; /readyz is 503 while NATS is down', async () => {
    relay = await startFakeRelay({ frames: frames() });
    const server = await startServer('all', 'ALL', relay.url);
    expect(await replay(server, 2)).toEqual(expectedEvents);
    await until(async () => (await readyz(server)) === '200 ready\n', 'ready');

    await nats.kill();
    await until(async () => (await readyz(server)) === '503 not ready: NATS reconnecting\n', '503 while NATS is down');
    nats = await startLocalNatsServer({ storeDir: join(dir, 'nats'), port: nats.port });
    await until(async () => (await readyz(server)) === '200 ready\n', 'ready again');
  });
});

