#!/usr/bin/env node
// `npm run demo`: Jetstream running offline in seconds. Synthesises realistic relay traffic,
// serves it from the harness relay on loopback, starts the server against it, and prints a URL
// to subscribe to. Ctrl-C, SIGTERM, a child that dies or an error stop everything it started and
// delete its scratch directory.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';

/** How long a child gets to stop on SIGTERM (the server commits its store) before SIGKILL. */
const STOP_GRACE_MS = 5000;

function portNumber(value) {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('not a port (0-65535)');
  return port;
}

function positiveInteger(value) {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('not a positive integer');
  return number;
}

const options = new Command('npm run demo --')
  .description('Jetstream offline on loopback: the harness relay replays synthetic traffic to the server')
  .option('--port <n>', "the server's /subscribe port", portNumber, 6008)
  .option('--metrics-port <n>', "the server's /metrics port", portNumber, 6009)
  .option('--relay-port <n>', "the harness relay's port (0 picks a free one)", portNumber, 0)
  .option('--rate <frames-per-second>', 'relay frames per second', positiveInteger, 200)
  .addHelpText('after', '\nExample:\n  npm run demo -- --port 7008 --metrics-port 7009 --relay-port 7010')
  .parse()
  .opts();

const root = fileURLToPath(new URL('../..', import.meta.url));
const harness = join(root, 'apps/test-harness/bin/jetstream-harness.js');
const server = join(root, 'apps/jetstream-server/bin/jetstream-server.js');

const scratch = mkdtempSync(join(tmpdir(), 'jetstream-demo-'));
const running = new Set();
// Whatever ends the process (stop() below, an uncaught error, process.exit anywhere), the
// scratch directory goes with it; 'exit' handlers run synchronously, so rmSync.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

let stopping;
/** Stops every child (SIGTERM, then SIGKILL after the grace period) and exits with `code`. */
function stop(code) {
  stopping ??= (async () => {
    const exits = [...running].map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of running) child.kill('SIGTERM');
    const deadline = setTimeout(() => running.forEach((child) => child.kill('SIGKILL')), STOP_GRACE_MS);
    await Promise.all(exits);
    clearTimeout(deadline);
    process.exit(code);
  })();
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(0));
process.on('uncaughtException', (error) => {
  console.error('demo:', error);
  stop(1);
});

/** Runs `node <args>`; its unexpected exit (or failure to start) stops the demo with its code. */
function run(args, stdio, { onExit = (code) => stop(code ?? 1) } = {}) {
  const child = spawn(process.execPath, args, { stdio });
  running.add(child);
  child.once('error', (error) => {
    console.error(`demo: ${args[0]}: ${error.message}`);
    stop(1);
  });
  child.once('exit', (code) => {
    running.delete(child);
    if (!stopping) onExit(code);
  });
  return child;
}

const log = join(scratch, 'synthetic.log');
console.error('demo: synthesising 3,000 frames of realistic relay traffic ...');
run([harness, 'synth', '-o', log, '--frames', '3000', '--seed', '1'], ['ignore', 'ignore', 'inherit'], {
  onExit: (code) => {
    if (code === 0) startRelay();
    else {
      console.error('demo: synth failed (did `npm ci` build the workspace?)');
      stop(1);
    }
  },
});

function startRelay() {
  const { rate, relayPort } = options;
  const relay = run(
    [harness, 'relay', '--frames', log, '--loop', '1000', '--rate', `${rate}`, '--port', `${relayPort}`],
    ['ignore', 'pipe', 'inherit'],
  );
  createInterface({ input: relay.stdout }).once('line', (relayUrl) => startServer(relayUrl.trim()));
}

function startServer(relayUrl) {
  const { port, metricsPort, rate } = options;
  console.error(`demo: relay serving ${rate} frames/s at ${relayUrl}`);
  const listen = ['--listen-addr', `127.0.0.1:${port}`, '--metrics-listen-addr', `127.0.0.1:${metricsPort}`];
  run(
    [server, '--ws-url', relayUrl, '--data-dir', join(scratch, 'data'), ...listen],
    ['ignore', 'ignore', 'inherit'],
  );
  console.log(`
Jetstream is running on synthetic traffic (logs: JSON on the server's stdout, hidden here).

  subscribe:  ws://127.0.0.1:${port}/subscribe?wantedCollections=app.bsky.feed.post
  compressed: ws://127.0.0.1:${port}/subscribe?compress=true
  replay:     ws://127.0.0.1:${port}/subscribe?cursor=0
  metrics:    http://127.0.0.1:${metricsPort}/metrics

Try:  sleep 5 | npx --yes wscat -c 'ws://127.0.0.1:${port}/subscribe?wantedCollections=app.bsky.feed.post'
Ctrl-C stops the relay and the server and deletes the demo's data (${scratch}).`);
}
