import { WebSocketFrameReader } from './websocket-frame-reader.js';

/** A server frame (unmasked), lengths encoded as RFC 6455 says, written here by hand. */
function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  const first = (fin ? 0x80 : 0) | opcode;
  if (payload.length < 126) return Buffer.concat([Buffer.from([first, payload.length]), payload]);
  if (payload.length < 0x10000) {
    return Buffer.concat([Buffer.from([first, 126, payload.length >> 8, payload.length & 0xff]), payload]);
  }
  const header = Buffer.from([first, 127, 0, 0, 0, 0, 0, 0, 0, 0]);
  header.writeUInt32BE(payload.length, 6);
  return Buffer.concat([header, payload]);
}

function collect(): { seen: string[]; reader: WebSocketFrameReader } {
  const seen: string[] = [];
  const reader = new WebSocketFrameReader({
    message: (data, isBinary) =>
      seen.push(`${isBinary ? 'binary' : 'text'} ${data.length} ${data.subarray(0, 8).toString('hex')}`),
    ping: (payload) => seen.push(`ping ${payload.toString()}`),
    close: (code) => seen.push(`close ${code}`),
    error: (reason) => seen.push(`error ${reason}`),
  });
  return { seen, reader };
}

const text = Buffer.from('{"did":"did:plc:a"}');
const binary = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]);
const medium = Buffer.alloc(300, 7);
const large = Buffer.alloc(70_000, 9);
const stream = Buffer.concat([
  frame(0x1, text),
  frame(0x2, binary),
  frame(0x9, Buffer.from('hi')),
  frame(0x2, medium),
  frame(0x2, large),
  frame(0x1, Buffer.from('{"a":'), false),
  frame(0xa, Buffer.alloc(0)), // a pong between fragments is allowed and ignored
  frame(0x0, Buffer.from('1}')),
  frame(0x8, Buffer.from([0x03, 0xe8])),
  frame(0x1, text), // after the close: not read
]);
const expected = [
  `text ${text.length} ${text.subarray(0, 8).toString('hex')}`,
  'binary 7 28b52ffd010203',
  'ping hi',
  'binary 300 0707070707070707',
  'binary 70000 0909090909090909',
  `text 7 ${Buffer.from('{"a":1}').toString('hex')}`,
  'close 1000',
];

describe('WebSocketFrameReader', () => {
  it('reads messages of every length encoding, fragmented ones, pings and the close, all in one read', () => {
    const { seen, reader } = collect();
    reader.push(stream);
    expect(seen).toEqual(expected);
  });

  it('reads the same when the stream comes a byte at a time, or in uneven reads', () => {
    const byByte = collect();
    for (let offset = 0; offset < stream.length; offset++)
      byByte.reader.push(stream.subarray(offset, offset + 1));
    expect(byByte.seen).toEqual(expected);
    const uneven = collect();
    for (let offset = 0, size = 1; offset < stream.length; offset += size, size = (size * 7) % 1000 || 3)
      uneven.reader.push(stream.subarray(offset, offset + size));
    expect(uneven.seen).toEqual(expected);
  });

  it.each([
    ['a masked frame', Buffer.from([0x81, 0x81, 1, 2, 3, 4, 5]), 'masked frame from the server'],
    ['reserved bits', Buffer.from([0xc1, 0x00]), 'reserved bits set'],
    ['a continuation without a message', frame(0x0, Buffer.from('x')), 'continuation without a message'],
    ['a fragmented control frame', frame(0x9, Buffer.from('x'), false), 'fragmented or long control frame'],
    [
      'a length beyond 2^53',
      Buffer.from([0x82, 127, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]),
      'frame length too large',
    ],
    ['an unknown opcode', frame(0x3, Buffer.from('x')), 'unknown opcode 3'],
    ['invalid UTF-8 text', frame(0x1, Buffer.from([0x7b, 0xff, 0x7d])), 'invalid UTF-8 in a text message'],
    [
      'a new message inside a fragmented one',
      Buffer.concat([frame(0x2, binary, false), frame(0x2, binary)]),
      'new message inside a fragmented one',
    ],
  ])('stops at %s', (_, bytes, reason) => {
    const { seen, reader } = collect();
    reader.push(Buffer.concat([bytes, frame(0x1, text)]));
    expect(seen).toEqual([`error ${reason}`]);
  });

  it('stops at a length beyond 2^53 whose header comes in two reads', () => {
    const { seen, reader } = collect();
    reader.push(Buffer.from([0x82, 127, 0xff]));
    reader.push(Buffer.from([0xff, 0xff, 0xff, 0, 0, 0, 0]));
    expect(seen).toEqual(['error frame length too large']);
  });
});
