import { isUtf8 } from 'node:buffer';

/** What a `WebSocketFrameReader` finds in a server's byte stream. */
export interface WebSocketFrameEvents {
  /** A whole message: a view of the bytes read (copy it to keep it past the call). */
  message(data: Buffer, isBinary: boolean): void;
  ping(payload: Buffer): void;
  /** The server's close frame; nothing is read after it. */
  close(code: number): void;
  /** A protocol violation (RFC 6455) or invalid UTF-8 text; nothing is read after it. */
  error(reason: string): void;
}

const OPCODE_CONTINUATION = 0x0;
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;
/** Beyond 2^53 a length is not a safe integer (and no benchmark message comes near). */
const MAX_LENGTH_HIGH_WORD = 0x1fffff;

const LONGEST_HEADER = 10;

function headerSize(second: number): number {
  const length = second & 0x7f;
  return length === 126 ? 4 : length === 127 ? 10 : 2;
}

/**
 * The size (header and payload) of the frame at `offset`: -1 while its header is incomplete,
 * NaN when its length is beyond what the reader takes.
 */
function frameSize(bytes: Buffer, offset: number): number {
  const available = bytes.length - offset;
  if (available < 2) return -1;
  const header = headerSize(bytes[offset + 1]);
  if (available < header) return -1;
  if (header === 2) return 2 + (bytes[offset + 1] & 0x7f);
  if (header === 4) return 4 + bytes.readUInt16BE(offset + 2);
  const high = bytes.readUInt32BE(offset + 2);
  if (high > MAX_LENGTH_HIGH_WORD) return NaN;
  return 10 + high * 0x1_0000_0000 + bytes.readUInt32BE(offset + 6);
}

/**
 * Reads the frames a WebSocket server sends (RFC 6455, no extensions), as the load generator's
 * subscribers need and no more: each message is handed over as a view of the socket's bytes,
 * without the per-frame buffers and events of a general client. Checks what a conforming
 * client checks: unmasked frames, no reserved bits, continuation rules, control frame limits,
 * valid UTF-8 text.
 */
export class WebSocketFrameReader {
  readonly #events: WebSocketFrameEvents;
  /** Bytes of an incomplete frame, kept for the next read. */
  #rest: Buffer | undefined;
  /** Parts of a fragmented message so far; undefined when none is in progress. */
  #fragments: Buffer[] | undefined;
  #fragmentsBinary = false;
  #done = false;

  constructor(events: WebSocketFrameEvents) {
    this.#events = events;
  }

  /** Reads the next bytes of the stream. */
  push(chunk: Buffer): void {
    if (this.#done) return;
    let offset = 0;
    const rest = this.#rest;
    if (rest) {
      this.#rest = undefined;
      // Join only the bytes of the frame that spans the two reads, not the whole read.
      const head =
        rest.length >= LONGEST_HEADER
          ? rest
          : Buffer.concat([rest, chunk.subarray(0, LONGEST_HEADER - rest.length)]);
      const size = frameSize(head, 0);
      if (Number.isNaN(size)) return this.#fail('frame length too large');
      if (size < 0 || rest.length + chunk.length < size) {
        this.#rest = Buffer.concat([rest, chunk]);
        return;
      }
      offset = size - rest.length;
      this.#read(Buffer.concat([rest, chunk.subarray(0, offset)]), 0);
    }
    const end = this.#read(chunk, offset);
    if (!this.#done && end < chunk.length) this.#rest = chunk.subarray(end);
  }

  /** Reads the whole frames of `bytes` from `offset`; returns where the first incomplete one starts. */
  #read(bytes: Buffer, offset: number): number {
    while (!this.#done) {
      const size = frameSize(bytes, offset);
      if (size < 0 || bytes.length - offset < size) break;
      if (Number.isNaN(size)) this.#fail('frame length too large');
      else if (bytes[offset + 1] & 0x80) this.#fail('masked frame from the server');
      else if (bytes[offset] & 0x70) this.#fail('reserved bits set');
      else {
        const first = bytes[offset];
        const header = headerSize(bytes[offset + 1]);
        this.#frame((first & 0x80) !== 0, first & 0x0f, bytes.subarray(offset + header, offset + size));
        offset += size;
      }
    }
    return offset;
  }

  #frame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OPCODE_TEXT:
      case OPCODE_BINARY:
        if (this.#fragments) return this.#fail('new message inside a fragmented one');
        if (fin) return this.#deliver(payload, opcode === OPCODE_BINARY);
        this.#fragments = [payload];
        this.#fragmentsBinary = opcode === OPCODE_BINARY;
        return;
      case OPCODE_CONTINUATION: {
        const fragments = this.#fragments;
        if (!fragments) return this.#fail('continuation without a message');
        fragments.push(payload);
        if (!fin) return;
        this.#fragments = undefined;
        return this.#deliver(Buffer.concat(fragments), this.#fragmentsBinary);
      }
      case OPCODE_CLOSE:
      case OPCODE_PING:
      case OPCODE_PONG:
        if (!fin || payload.length > 125) return this.#fail('fragmented or long control frame');
        if (opcode === OPCODE_PING) this.#events.ping(payload);
        if (opcode === OPCODE_CLOSE) {
          this.#done = true;
          this.#events.close(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
        }
        return;
      default:
        return this.#fail(`unknown opcode ${opcode}`);
    }
  }

  #deliver(data: Buffer, isBinary: boolean): void {
    if (!isBinary && !isUtf8(data)) return this.#fail('invalid UTF-8 in a text message');
    this.#events.message(data, isBinary);
  }

  #fail(reason: string): void {
    this.#done = true;
    this.#rest = undefined;
    this.#events.error(reason);
  }
}
