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
    const bytes = this.#rest ? Buffer.concat([this.#rest, chunk]) : chunk;
    this.#rest = undefined;
    let offset = 0;
    while (!this.#done) {
      const available = bytes.length - offset;
      if (available < 2) break;
      const first = bytes[offset];
      const second = bytes[offset + 1];
      if (second & 0x80) return this.#fail('masked frame from the server');
      if (first & 0x70) return this.#fail('reserved bits set');
      let length = second & 0x7f;
      let header = 2;
      if (length === 126) {
        if (available < 4) break;
        length = bytes.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (available < 10) break;
        const high = bytes.readUInt32BE(offset + 2);
        if (high > MAX_LENGTH_HIGH_WORD) return this.#fail('frame length too large');
        length = high * 0x1_0000_0000 + bytes.readUInt32BE(offset + 6);
        header = 10;
      }
      if (available - header < length) break;
      const payload = bytes.subarray(offset + header, offset + header + length);
      offset += header + length;
      this.#frame((first & 0x80) !== 0, first & 0x0f, payload);
    }
    if (!this.#done && offset < bytes.length) this.#rest = bytes.subarray(offset);
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
