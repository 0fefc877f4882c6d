const FINAL_TEXT = 0x81;
const FINAL_BINARY = 0x82;
const LENGTH_16_BITS = 126;
const LENGTH_64_BITS = 127;

/**
 * Messages on their way to one WebSocket client, framed together: `take()` returns their
 * frames (RFC 6455 §5.2 as a server sends them: final, unmasked, no extension bits) one after
 * the other in a single buffer, so that a connection's messages of one event-loop turn cost
 * one socket write instead of one frame header, write request and callback each.
 *
 * The payloads are referenced, not copied, until `take()`.
 *
 * @example
 * import { WebSocketFrameBatch } from '@jetstream-ts/subscribers';
 *
 * // zstdFrame: a compressed event (Uint8Array); tcpSocket: the connection's net.Socket
 * const batch = new WebSocketFrameBatch();
 * batch.add(new TextEncoder().encode('{"kind":"commit"}'), false);
 * batch.add(zstdFrame, true);
 * tcpSocket.write(batch.take()); // two frames, one write
 */
export class WebSocketFrameBatch {
  private readonly payloads: Uint8Array[] = [];
  private readonly firstBytes: number[] = [];
  private frameBytes = 0;

  /** Bytes `take()` would return now (headers and payloads). */
  get byteLength(): number {
    return this.frameBytes;
  }

  get isEmpty(): boolean {
    return this.payloads.length === 0;
  }

  /**
   * Adds one message: binary (opcode 2) or text (opcode 1, the payload being UTF-8).
   *
   * @param payload The message's bytes; not copied, so not to be changed until `take()`.
   * @param binary Whether the message is binary rather than text.
   */
  add(payload: Uint8Array, binary: boolean): void {
    this.payloads.push(payload);
    this.firstBytes.push(binary ? FINAL_BINARY : FINAL_TEXT);
    this.frameBytes += headerLength(payload.length) + payload.length;
  }

  /**
   * The frames of the messages added since the last `take()`, in order, and empties the batch.
   *
   * @return One buffer holding every frame; empty when nothing was added.
   */
  take(): Buffer {
    const frames = Buffer.allocUnsafe(this.frameBytes);
    let at = 0;
    for (let index = 0; index < this.payloads.length; index++) {
      const payload = this.payloads[index];
      at = writeHeader(frames, at, this.firstBytes[index], payload.length);
      frames.set(payload, at);
      at += payload.length;
    }
    this.payloads.length = 0;
    this.firstBytes.length = 0;
    this.frameBytes = 0;
    return frames;
  }
}

function headerLength(payloadLength: number): number {
  if (payloadLength < LENGTH_16_BITS) return 2;
  return payloadLength <= 0xffff ? 4 : 10;
}

function writeHeader(frames: Buffer, at: number, firstByte: number, payloadLength: number): number {
  frames[at] = firstByte;
  if (payloadLength < LENGTH_16_BITS) {
    frames[at + 1] = payloadLength;
    return at + 2;
  }
  if (payloadLength <= 0xffff) {
    frames[at + 1] = LENGTH_16_BITS;
    frames.writeUInt16BE(payloadLength, at + 2);
    return at + 4;
  }
  frames[at + 1] = LENGTH_64_BITS;
  frames.writeUInt32BE(Math.floor(payloadLength / 2 ** 32), at + 2);
  frames.writeUInt32BE(payloadLength >>> 0, at + 6);
  return at + 10;
}
