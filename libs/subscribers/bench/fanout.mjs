// Fan-out throughput of the /subscribe endpoint over loopback: the server (SubscribeEndpoint
// over a CursorBuffer with an in-memory store) in the main thread, the ws clients in a worker
// thread. Prints numbers; asserts nothing.
//   npx tsc -b libs/subscribers/tsconfig.lib.json libs/cursor-buffer/tsconfig.lib.json
//   node libs/subscribers/bench/fanout.mjs [replay|live|stalled]
import { createServer } from 'node:http';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { createV1Compressor } from '@jetstream-ts/compression';
import { CursorBuffer, createMemoryEventStore } from '@jetstream-ts/cursor-buffer';
import { attachSubscribeEndpoint } from '@jetstream-ts/subscribers';

if (!isMainThread) {
  const { url, clients, expected, compress, pause } = workerData;
  const counts = new Array(clients).fill(0);
  let bytes = 0;
  let done = 0;
  const sockets = [];
  for (let i = 0; i < clients; i++) {
    const socket = new WebSocket(url + (compress ? (url.includes('?') ? '&' : '?') + 'compress=true' : ''));
    sockets.push(socket);
    socket.on('message', (data) => {
      bytes += data.length;
      if (++counts[i] === expected && ++done === clients - (pause ? 1 : 0)) parentPort.postMessage({ done: true, bytes });
    });
    socket.on('open', () => {
      if (pause && i === clients - 1) socket._socket.pause();
      if (sockets.every((s) => s.readyState === WebSocket.OPEN)) parentPort.postMessage({ open: true });
    });
    socket.on('close', (code, reason) => pause && i === clients - 1 && parentPort.postMessage({ stalledClosed: code, reason: String(reason) }));
  }
  parentPort.on('message', (m) => m === 'resume' && sockets[clients - 1]._socket.resume());
} else {
  const compressor = createV1Compressor();
  const encoder = new TextEncoder();
  const T0 = 1_700_000_000_000_000;
  const collections = ['app.bsky.feed.like', 'app.bsky.feed.post', 'app.bsky.feed.repost', 'app.bsky.graph.follow'];
  const makeEvent = (n, padding = 330) => {
    const collection = collections[n % 4];
    const json = encoder.encode(JSON.stringify({ did: `did:plc:${String(n % 5000).padStart(24, 'a')}`, time_us: T0 + n, kind: 'commit', commit: { rev: '3lbzmaa2bbk2a', operation: 'create', collection, rkey: `3lbz${n}`, record: { $type: collection, createdAt: '2026-07-01T00:00:00.000Z', subject: { cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm', uri: `at://did:plc:abc/app.bsky.feed.post/${n}` }, text: 'lorem ipsum '.repeat(padding / 12) }, cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm' } }));
    return { time_us: T0 + n, relaySeq: n, did: 'x', kind: 'commit', collection, json, zstd: compressor.compress(json) };
  };

  async function run(name, { clients, events, live, compress = false, padding, pause = false, session = {} }) {
    const log = new CursorBuffer(createMemoryEventStore(), { tailCapacity: 20_000 });
    const all = Array.from({ length: events }, (_, n) => makeEvent(n, padding));
    if (!live) for (let i = 0; i < events; i += 1000) await log.append(all.slice(i, i + 1000), i);
    const server = createServer();
    const endpoint = attachSubscribeEndpoint(server, { log, session: { maxEventsPerSecond: Infinity, ...session } });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const url = `ws://127.0.0.1:${server.address().port}/subscribe${live ? '' : `?cursor=${T0}`}`;
    const worker = new Worker(new URL(import.meta.url), { workerData: { url, clients, expected: events, compress, pause } });
    const heapBefore = process.memoryUsage().heapUsed;
    let peakHeap = heapBefore;
    const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20);
    const stalledClosed = new Promise((r) => worker.on('message', (m) => m.stalledClosed && r(m)));
    const result = await new Promise((resolve) => {
      let start;
      worker.on('message', async (m) => {
        if (m.open) {
          start = performance.now();
          if (live) for (let i = 0; i < events; i += 100) { await log.append(all.slice(i, i + 100), i); await new Promise((r) => setImmediate(r)); }
        }
        if (m.done) resolve({ ms: performance.now() - start, bytes: m.bytes });
      });
    });
    clearInterval(sampler);
    const deliveries = clients * events - (pause ? events : 0);
    console.log(`${name}: ${clients} subscribers x ${events} events (${(all[0].json.length)} B JSON, ${all[0].zstd.length} B zstd${compress ? ', compressed' : ''}): ${result.ms.toFixed(0)} ms, ${Math.round(deliveries / (result.ms / 1000)).toLocaleString()} deliveries/s, ${(result.bytes / result.ms / 1000).toFixed(1)} MB/s, server heap +${((peakHeap - heapBefore) / 1e6).toFixed(1)} MB peak`);
    if (pause) {
      await new Promise((r) => setTimeout(r, 2000));
      console.log('  server heap after 2 s with the stalled reader:', (process.memoryUsage().heapUsed / 1e6).toFixed(1), 'MB');
      worker.postMessage('resume');
      console.log('  stalled reader:', await stalledClosed);
    }
    await worker.terminate();
    await endpoint.close();
    server.close();
  }

  const only = process.argv[2];
  if (!only || only === 'replay') {
    await run('replay', { clients: 1, events: 100_000 });
    await run('replay', { clients: 10, events: 100_000 });
    await run('replay', { clients: 100, events: 20_000 });
    await run('replay', { clients: 100, events: 20_000, compress: true });
  }
  if (!only || only === 'live') await run('live', { clients: 100, events: 20_000 });
  if (!only || only === 'stalled') await run('live+stalled', { live: true, clients: 11, events: 20_000, padding: 4000, pause: true, session: { sampleIntervalMs: 100, slowReader: { maxEventsBehind: 5000, minEventsPerSecond: 5, windowMs: 1000 } } });
}
