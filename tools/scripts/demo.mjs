#!/usr/bin/env node
// `npm run demo`: Jetstream running offline in seconds. Synthesises realistic relay traffic,
// serves it from the harness relay on loopback, starts the server against it, and prints a URL
// to subscribe to. Ctrl-C stops everything it started.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const harness = join(root, 'apps/test-harness/bin/jetstream-harness.js');
const server = join(root, 'apps/jetstream-server/bin/jetstream-server.js');
const port = process.env.DEMO_PORT ?? '6008';
const metricsPort = process.env.DEMO_METRICS_PORT ?? '6009';
const rate = process.env.DEMO_RATE ?? '200';

const scratch = mkdtempSync(join(tmpdir(), 'jetstream-demo-'));
const children = [];
let stopping = false;

function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => {
    rmSync(scratch, { recursive: true, force: true });
    process.exit(code);
  }, 1500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const log = join(scratch, 'synthetic.log');
console.error('demo: synthesising 3,000 frames of realistic relay traffic ...');
const synth = spawnSync(process.execPath, [harness, 'synth', '-o', log, '--frames', '3000', '--seed', '1'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (synth.status !== 0) {
  console.error('demo: synth failed (did `npm ci` build the workspace?)');
  stop(1);
} else {
  const relay = spawn(process.execPath, [harness, 'relay', '--frames', log, '--loop', '1000', '--rate', rate], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(relay);
  relay.on('exit', (code) => stop(code ?? 1));
  createInterface({ input: relay.stdout }).once('line', (relayUrl) => {
    const url = relayUrl.trim();
    console.error(`demo: relay serving ${rate} frames/s at ${url}`);
    const jetstream = spawn(
      process.execPath,
      [server, '--ws-url', url, '--data-dir', join(scratch, 'data'), '--listen-addr', `127.0.0.1:${port}`,
        '--metrics-listen-addr', `127.0.0.1:${metricsPort}`],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    children.push(jetstream);
    jetstream.on('exit', (code) => stop(code ?? 1));
    console.log(`
Jetstream is running on synthetic traffic (logs: JSON on the server's stdout, hidden here).

  subscribe:  ws://127.0.0.1:${port}/subscribe?wantedCollections=app.bsky.feed.post
  compressed: ws://127.0.0.1:${port}/subscribe?compress=true
  replay:     ws://127.0.0.1:${port}/subscribe?cursor=0
  metrics:    http://127.0.0.1:${metricsPort}/metrics

Try:  sleep 5 | npx --yes wscat -c 'ws://127.0.0.1:${port}/subscribe?wantedCollections=app.bsky.feed.post'
Ctrl-C stops the relay and the server and deletes the demo's data.`);
  });
}
