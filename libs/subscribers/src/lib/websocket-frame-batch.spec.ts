import { EventEmitter } from 'node:events';
import * as wsModule from 'ws';
import { WebSocketFrameBatch } from './websocket-frame-batch.js';

/** The parts of `ws` it exports at runtime but does not type: its own framer and parser. */
interface WsInternals {
  Sender: { frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean }): Buffer[] };
  Receiver: new (options: { isServer: boolean }) => EventEmitter & { write(chunk: Buffer): void };
}
const { Sender, Receiver } = wsModule as unknown as WsInternals;

/** Every payload length class: 7-bit, the 16-bit boundaries, 64-bit. */
const LENGTHS = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000];

function payload(length: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, index) => 0x20 + ((index + seed) % 90)));
}

/** What a `ws` client makes of the bytes: its messages in order. */
function decodeAsClient(bytes: Buffer): { data: Buffer; binary: boolean }[] {
  const messages: { data: Buffer; binary: boolean }[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer, binary: boolean) => messages.push({ data, binary }));
  receiver.on('error', (error: Error) => messages.push({ data: Buffer.from(`error: ${error.message}`), binary: false }));
  receiver.write(bytes);
  return messages;
}

describe('WebSocketFrameBatch', () => {
  it.each(LENGTHS)('frames a %i-byte message exactly as ws frames it, text and binary', (length) => {
    for (const binary of [false, true]) {
      const data = payload(length, length);
      const batch = new WebSocketFrameBatch();
      batch.add(data, binary);
      const expected = Buffer.concat(Sender.frame(data, { fin: true, opcode: binary ? 2 : 1, mask: false, readOnly: true }));
      expect(batch.byteLength).toBe(expected.length);
      expect(batch.take().equals(expected)).toBe(true);
    }
  });

  it('puts several messages in one buffer that a ws client decodes in order, with their types', () => {
    const batch = new WebSocketFrameBatch();
    const sent = LENGTHS.map((length, index) => ({ data: payload(length, index), binary: index % 2 === 1 }));
    for (const message of sent) batch.add(message.data, message.binary);

    const frames = batch.take();

    expect(decodeAsClient(frames)).toEqual(sent);
  });

  it('is empty after take, and the next take holds only what came after', () => {
    const batch = new WebSocketFrameBatch();
    batch.add(Buffer.from('first'), false);
    batch.take();

    expect(batch.isEmpty).toBe(true);
    expect(batch.byteLength).toBe(0);
    batch.add(Buffer.from([1, 2, 3]), true);
    expect(decodeAsClient(batch.take())).toEqual([{ data: Buffer.from([1, 2, 3]), binary: true }]);
  });

  it('takes an empty buffer when nothing was added', () => {
    expect(new WebSocketFrameBatch().take()).toHaveLength(0);
  });
});
