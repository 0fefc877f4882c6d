import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { webSocketSubscriberSocket } from './websocket-subscriber-socket.js';

interface Received {
  messages: { data: Buffer; binary: boolean }[];
  pings: Buffer[];
  closed: Promise<{ code: number; reason: string }>;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A ws server on 127.0.0.1:0 and a ws client connected to it; resolves with both ends. */
async function connect(): Promise<{ server: WebSocket; client: WebSocket; received: Received }> {
  const http: Server = createServer();
  const webSockets = new WebSocketServer({ server: http, perMessageDeflate: false });
  cleanups.push(async () => {
    webSockets.clients.forEach((webSocket) => webSocket.terminate());
    await new Promise((resolve) => webSockets.close(resolve));
    await new Promise((resolve) => http.close(resolve));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const serverSide = new Promise<WebSocket>((resolve) => webSockets.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
  const received: Received = {
    messages: [],
    pings: [],
    closed: new Promise((resolve) => client.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
  };
  client.on('message', (data: Buffer, binary) => received.messages.push({ data, binary }));
  client.on('ping', (data) => received.pings.push(data));
  await new Promise((resolve) => client.once('open', resolve));
  return { server: await serverSide, client, received };
}

async function untilReceived(received: Received, count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (received.messages.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

const text = (value: string) => ({ data: Buffer.from(value), binary: false });
const binary = (...bytes: number[]) => ({ data: Buffer.from(bytes), binary: true });

describe('webSocketSubscriberSocket', () => {
  it('delivers text and binary messages, small and large, in order to a ws client', async () => {
    const { server, received } = await connect();
    const socket = webSocketSubscriberSocket(server, 1024 * 1024);
    const sent = [text('{"kind":"commit"}'), binary(0x28, 0xb5, 0x2f, 0xfd), text('x'.repeat(70_000)), binary(), text('é'.repeat(200))];

    for (const message of sent) expect(socket.send(message.data, message.binary)).toBeUndefined();
    await untilReceived(received, sent.length);

    expect(received.messages).toEqual(sent);
  });

  it('keeps messages of later turns in order after those of earlier ones', async () => {
    const { server, received } = await connect();
    const socket = webSocketSubscriberSocket(server, 1024 * 1024);

    socket.send(Buffer.from('1'), false);
    socket.send(Buffer.from('2'), false);
    await new Promise((resolve) => setImmediate(resolve));
    socket.send(Buffer.from('3'), false);
    await untilReceived(received, 3);

    expect(received.messages).toEqual([text('1'), text('2'), text('3')]);
  });

  it('asks the sender to wait above the high-water mark, and the wait ends once written', async () => {
    const { server, received } = await connect();
    const socket = webSocketSubscriberSocket(server, 100);

    expect(socket.send(Buffer.from('a'.repeat(50)), false)).toBeUndefined();
    const backpressure = socket.send(Buffer.from('b'.repeat(60)), false);

    expect(backpressure).toBeInstanceOf(Promise);
    await backpressure;
    await untilReceived(received, 2);
    expect(received.messages).toEqual([text('a'.repeat(50)), text('b'.repeat(60))]);
  });

  it('lets ws pings through between messages', async () => {
    const { server, received } = await connect();
    const socket = webSocketSubscriberSocket(server, 1024 * 1024);

    socket.send(Buffer.from('before'), false);
    server.ping(Buffer.from('are you there'));
    socket.send(Buffer.from('after'), false);
    await untilReceived(received, 2);

    expect(received.messages).toEqual([text('before'), text('after')]);
    expect(received.pings).toEqual([Buffer.from('are you there')]);
  });

  it('sends what it holds, then the close frame with its code and reason', async () => {
    const { server, received } = await connect();
    const socket = webSocketSubscriberSocket(server, 1024 * 1024);

    socket.send(Buffer.from('last'), false);
    socket.close(1008, 'consumer too slow');

    await expect(received.closed).resolves.toEqual({ code: 1008, reason: 'consumer too slow' });
    expect(received.messages).toEqual([text('last')]);
  });

  it('writes nothing once the connection is closing, and makes the sender wait for the close', async () => {
    const { server, received } = await connect();
    const socket = webSocketSubscriberSocket(server, 1024 * 1024);

    socket.send(Buffer.from('dropped: closed in the same turn'), false);
    server.close(1001, 'server shutting down');
    const wait = socket.send(Buffer.from('after close'), false);

    await expect(received.closed).resolves.toEqual({ code: 1001, reason: 'server shutting down' });
    await expect(wait).resolves.toBeUndefined();
    expect(received.messages).toEqual([]);
  });
});
