#!/usr/bin/env node
// `npm run demo:cluster`: the scale-out topology on loopback. Debian's nats-server with JetStream,
// a relay replaying synthetic traffic, one ingester (relay -> NATS stream) and two edges (stream ->
// own lmdb store -> subscribers), each a jetstream-server process. A cursor taken on one edge
// resumes on the other. Ctrl-C stops everything and deletes the demo's data.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeRelay } from '@jetstream-ts/fake-relay';
import { startLocalNatsServer } from '@jetstream-ts/nats';
import { synthesizeFrames } from '@jetstream-ts/synthetic-firehose';

const server = fileURLToPath(new URL('../../apps/jetstream-server/bin/jetstream-server.js', import.meta.url));
const rate = Number(process.env.DEMO_RATE ?? 200);
const edges = [
  { name: 'edge-a', port: 6008, metricsPort: 6009 },
  { name: 'edge-b', port: 6010, metricsPort: 6011 },
];
const ingesterMetricsPort = 6012;

const scratch = mkdtempSync(join(tmpdir(), 'jetstream-demo-cluster-'));
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

let nats;
let relay;
let stopping;
function stop(code) {
  stopping ??= (async () => {
    const exits = [...children].map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(exits);
    await relay?.close();
    await nats?.stop();
    process.exit(code);
  })();
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(0));

/** A jetstream-server process in the cluster; its unexpected exit stops the demo. */
function jetstreamServer(name, args) {
  const child = spawn(process.execPath, [server, `--nats-url=${nats.url}`, `--data-dir=${join(scratch, name)}`, ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', (code) => {
    children.delete(child);
    if (!stopping) {
      console.error(`demo: ${name} exited with ${code}`);
      stop(1);
    }
  });
}

try {
  nats = await startLocalNatsServer({ storeDir: join(scratch, 'nats') });
  console.error(`demo: nats-server -js at ${nats.url}; synthesising 3,000 frames ...`);
  relay = await startFakeRelay({ frames: [...synthesizeFrames({ frames: 3000, seed: 1 })], rate, loop: 1000 });
  jetstreamServer('ingester', ['--role=ingest', `--ws-url=${relay.url}`, '--listen-addr=127.0.0.1:0', `--metrics-listen-addr=127.0.0.1:${ingesterMetricsPort}`]);
  for (const edge of edges) {
    jetstreamServer(edge.name, ['--role=edge', `--listen-addr=127.0.0.1:${edge.port}`, `--metrics-listen-addr=127.0.0.1:${edge.metricsPort}`]);
  }
} catch (error) {
  console.error(`demo: ${error instanceof Error ? error.message : error}`);
  stop(1);
}

console.log(`
A Jetstream cluster is running on synthetic traffic (${rate} frames/s): relay ${relay?.url ?? ''}
-> ingester (metrics http://127.0.0.1:${ingesterMetricsPort}/metrics) -> NATS stream JETSTREAM_EVENTS -> two edges.

${edges.map((edge) => `  ${edge.name}: ws://127.0.0.1:${edge.port}/subscribe   metrics/lag: http://127.0.0.1:${edge.metricsPort}/metrics   ready: http://127.0.0.1:${edge.metricsPort}/readyz`).join('\n')}

Take a time_us from one edge and resume on the other (the cursor is valid on every edge):
  sleep 3 | npx --yes wscat -c 'ws://127.0.0.1:${edges[0].port}/subscribe?wantedCollections=app.bsky.feed.post'
  sleep 3 | npx --yes wscat -c 'ws://127.0.0.1:${edges[1].port}/subscribe?cursor=<time_us>'
Ctrl-C stops everything and deletes the demo's data (${scratch}).`);
