import { createServer } from 'node:http';
import { createV1Compressor } from '@jetstream-ts/compression';
import { decodeFrame } from '@jetstream-ts/frames';
import { frameToEvents } from '@jetstream-ts/mapping';
import type { JetstreamEvent } from '@jetstream-ts/models';
import { WebSocket, WebSocketServer } from 'ws';
import { wantsEvent, type SubscriberSpec } from './subscriber-mix.js';

// The comparison row's server: the design compress-once replaces. Each event is held as an
// object; every subscriber gets its own JSON.stringify of it and, when compressed, its own zstd
// compression of that JSON, sent at once (no store, no batching: it does less than ours
// otherwise). Usage: node naive-fanout-server.js <relay-url> <port>. Serves /subscribe (v1's
// compress, wantedCollections and wantedDids parameters) and /readyz.

const [relayUrl, port] = process.argv.slice(2);
const compressor = createV1Compressor();
const subscribers = new Map<WebSocket, SubscriberSpec>();
let lastTimeUs = 0;

/** The event as a naive server holds it: the record parsed back into an object, no relay seq. */
function toWireObject(event: JetstreamEvent, timeUs: number): Record<string, unknown> {
  const base = { did: event.did, time_us: timeUs, kind: event.kind };
  switch (event.kind) {
    case 'commit': {
      const { record, ...commit } = event.commit;
      return {
        ...base,
        commit: record === undefined ? commit : { ...commit, record: JSON.parse(record) as unknown },
      };
    }
    case 'identity':
      return { ...base, identity: event.identity };
    case 'account':
      return { ...base, account: event.account };
  }
}

function publish(event: JetstreamEvent): void {
  lastTimeUs = Math.max(Date.now() * 1000, lastTimeUs + 1);
  const wire = toWireObject(event, lastTimeUs);
  const fields = {
    did: event.did,
    kind: event.kind,
    collection: event.kind === 'commit' ? event.commit.collection : '',
  };
  for (const [socket, spec] of subscribers) {
    if (!wantsEvent(spec, fields)) continue;
    const json = JSON.stringify(wire);
    if (spec.compress) socket.send(compressor.compress(Buffer.from(json)), { binary: true });
    else socket.send(json);
  }
}

const http = createServer((request, response) => {
  response.writeHead(request.url === '/readyz' ? 200 : 404).end();
});
const websockets = new WebSocketServer({ server: http, path: '/subscribe', perMessageDeflate: false });
websockets.on('connection', (socket, request) => {
  const query = new URL(request.url ?? '/', 'ws://naive').searchParams;
  subscribers.set(socket, {
    compress: query.get('compress') === 'true',
    wantedCollections: query.getAll('wantedCollections'),
    wantedDids: query.getAll('wantedDids'),
  });
  socket.on('close', () => subscribers.delete(socket));
  socket.on('error', () => socket.terminate());
});

const relay = new WebSocket(relayUrl, { perMessageDeflate: false });
relay.on('message', (data: Buffer) => {
  for (const event of frameToEvents(decodeFrame(data))) publish(event);
});
relay.on('close', () => process.exit(0));
relay.on('error', (error) => {
  process.stderr.write(`relay: ${error.message}\n`);
  process.exit(1);
});

http.listen(Number(port), '127.0.0.1');
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
