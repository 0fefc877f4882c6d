import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable, Transform } from 'node:stream';
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { frameLogZstd } from './frame-log-zstd.js';

/**
 * The frame log: a file of `[u32 little-endian length][frame bytes]` records, optionally
 * zstd-compressed as a whole (detected by the zstd magic number, so readers need no flag).
 * Compressed logs use node:zlib's zstd (Node >= 22.15) or else the optional zstd-napi package.
 */

/** Frames larger than this are not relay frames: the file is not a frame log (or is corrupt). */
export const MAX_FRAME_LOG_RECORD_BYTES = 64 * 1024 * 1024;

const ZSTD_MAGIC = 0xfd2fb528;
const READ_CHUNK_BYTES = 1024 * 1024;

export type FrameLogErrorReason = 'empty-record' | 'oversized-record' | 'truncated' | 'zstd';

/** Why a frame log could not be read to its end. Frames before `offset` were delivered. */
export class FrameLogError extends Error {
  constructor(
    readonly reason: FrameLogErrorReason,
    /** Index of the record that could not be read (= number of whole frames before it). */
    readonly frameIndex: number,
    /** Byte offset of that record in the (decompressed) log. */
    readonly offset: number,
    detail: string,
  ) {
    super(`frame log ${reason} at frame ${frameIndex} (byte ${offset}): ${detail}`);
    this.name = 'FrameLogError';
  }
}

export interface FrameLogContents {
  frames: Uint8Array[];
  /** Bytes after the last whole record (a log cut short); 0 for a clean log. */
  trailingBytes: number;
}

/** True when `bytes` starts with the zstd frame magic number. */
export function isZstdCompressed(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === ZSTD_MAGIC;
}

/**
 * Incremental reader of length-prefixed records: push chunks as they arrive, take whole frames.
 * Frames are views into the pushed chunks, not copies (only a record split across chunks is
 * assembled into new memory), so a chunk's memory must not be reused after it is pushed.
 */
export class FrameLogReader {
  /** The start of a record split across chunks, kept as parts to copy once when complete. */
  private pendingParts: Uint8Array[] = [];
  private pendingLength = 0;
  private consumed = 0;
  private count = 0;

  /** Frames completed by `chunk`. Throws `FrameLogError` on a record length no log can hold. */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let position = 0;
    if (this.pendingLength > 0) {
      position = this.completePending(chunk, frames);
      if (this.pendingLength > 0) return frames;
    }
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (chunk.length - position >= 4) {
      const length = this.checkedLength(view.getUint32(position, true), position);
      if (chunk.length - position - 4 < length) break;
      frames.push(new Uint8Array(chunk.buffer, chunk.byteOffset + position + 4, length));
      position += 4 + length;
      this.count++;
    }
    this.consumed += position;
    if (position < chunk.length) this.hold(chunk.subarray(position));
    return frames;
  }

  /** Feeds the held-back record from `chunk`; returns how many bytes of `chunk` it took. */
  private completePending(chunk: Uint8Array, frames: Uint8Array[]): number {
    let taken = 0;
    if (this.pendingLength < 4) {
      taken = Math.min(4 - this.pendingLength, chunk.length);
      this.hold(chunk.subarray(0, taken));
      if (this.pendingLength < 4) return taken;
    }
    const length = this.checkedLength(this.pendingRecordLength(), 0);
    const missing = 4 + length - this.pendingLength;
    if (chunk.length - taken < missing) {
      this.hold(chunk.subarray(taken));
      return chunk.length;
    }
    this.hold(chunk.subarray(taken, taken + missing));
    frames.push(concat(this.pendingParts).subarray(4));
    this.consumed += this.pendingLength;
    this.pendingParts = [];
    this.pendingLength = 0;
    this.count++;
    return taken + missing;
  }

  /** The length prefix of the held-back record, read across its first parts. */
  private pendingRecordLength(): number {
    const header = new Uint8Array(4);
    let filled = 0;
    for (const part of this.pendingParts) {
      const take = Math.min(4 - filled, part.length);
      header.set(part.subarray(0, take), filled);
      filled += take;
      if (filled === 4) break;
    }
    return new DataView(header.buffer).getUint32(0, true);
  }

  private hold(part: Uint8Array): void {
    this.pendingParts.push(part);
    this.pendingLength += part.length;
  }

  private checkedLength(length: number, position: number): number {
    if (length === 0 || length > MAX_FRAME_LOG_RECORD_BYTES) {
      const reason = length === 0 ? 'empty-record' : 'oversized-record';
      throw new FrameLogError(reason, this.count, this.consumed + position, `record length ${length}`);
    }
    return length;
  }

  /** Number of whole frames read so far. */
  get frameCount(): number {
    return this.count;
  }

  /** Bytes of an incomplete record held back; non-zero at the end means the log was cut short. */
  get pendingBytes(): number {
    return this.pendingLength;
  }

  /** Throws `FrameLogError('truncated')` if the input ended inside a record. */
  finish(): void {
    if (this.pendingLength > 0) {
      throw new FrameLogError('truncated', this.count, this.consumed, `${this.pendingLength} bytes after the last whole frame`);
    }
  }
}

/**
 * Splits a whole frame log held in memory (decompressing it first when it is zstd). A log cut
 * short keeps its whole frames and reports the rest as `trailingBytes`; a record length no
 * frame log can hold throws `FrameLogError`. The frames are views into `bytes` (or into the
 * decompressed copy), not copies. A compressed log where no zstd is available throws an `Error`
 * that says what to install.
 */
export function parseFrameLog(bytes: Uint8Array): FrameLogContents {
  const plain = isZstdCompressed(bytes) ? decompressLog(bytes) : bytes;
  const reader = new FrameLogReader();
  const frames = reader.push(plain);
  return { frames, trailingBytes: reader.pendingBytes };
}

/** Encodes frames as an (uncompressed) frame log. */
export function encodeFrameLog(frames: Iterable<Uint8Array>): Uint8Array {
  const list = [...frames];
  const out = new Uint8Array(list.reduce((total, frame) => total + 4 + frame.length, 0));
  const view = new DataView(out.buffer);
  let position = 0;
  for (const frame of list) {
    view.setUint32(position, frame.length, true);
    out.set(frame, position + 4);
    position += 4 + frame.length;
  }
  return out;
}

/**
 * Streams the frames of a frame log file, plain or zstd-compressed, without loading it whole.
 * Errors with a `FrameLogError` (after delivering every whole frame before it) when the log is
 * cut short or holds a record length no frame log can hold, and with the file system's error
 * when the file cannot be read (or, for a compressed log, when no zstd is available here).
 *
 * @example
 * import { decodeFrames, readFrameLog } from '@jetstream-ts/frames';
 *
 * readFrameLog('capture.log').pipe(decodeFrames()).subscribe((frame) => console.log(frame.type));
 */
export function readFrameLog(path: string): Observable<Uint8Array> {
  return new Observable<Uint8Array>((destination) => {
    // Large reads: a frame log is read front to back, and fewer, bigger chunks cost less.
    const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
    const reader = new FrameLogReader();
    let source: Readable = file;
    let started = false;
    let stopped = false;

    const fail = (error: unknown) => {
      if (stopped) return;
      stopped = true;
      file.destroy();
      source.destroy();
      destination.error(error);
    };

    const onData = (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) {
          if (stopped) return;
          destination.next(frame);
        }
      } catch (error) {
        fail(error);
      }
    };

    file.once('readable', () => {
      const head: Buffer | null = file.read(4) ?? file.read();
      if (head === null) {
        // An empty file is an empty log.
        file.once('end', () => destination.complete());
        file.resume();
        return;
      }
      started = true;
      file.unshift(head);
      if (isZstdCompressed(head)) {
        let inflate: Transform;
        try {
          inflate = frameLogZstd().createDecompressStream();
        } catch (error) {
          fail(error);
          return;
        }
        inflate.on('error', (error: Error) =>
          fail(new FrameLogError('zstd', reader.frameCount, 0, error.message)),
        );
        source = file.pipe(inflate);
      }
      source.on('data', onData);
      source.on('end', () => {
        if (stopped) return;
        try {
          reader.finish();
          destination.complete();
        } catch (error) {
          fail(error);
        }
      });
    });
    file.on('error', fail);

    return () => {
      stopped = true;
      if (started) source.destroy();
      file.destroy();
    };
  });
}

/**
 * Appends every frame that passes through to a frame log file, then passes it on unchanged.
 * The file is flushed and closed before the result completes.
 *
 * @example
 * import { writeFrameLog } from '@jetstream-ts/frames';
 * import { relayFrames } from '@jetstream-ts/upstream';
 * import { take } from 'rxjs';
 *
 * const wsUrl = 'ws://127.0.0.1:2470/xrpc/com.atproto.sync.subscribeRepos';
 * relayFrames({ wsUrl }).pipe(take(1000), writeFrameLog('capture.log.zst', { compress: true })).subscribe();
 *
 * @param path File to create (truncated if it exists).
 * @param options `compress`: zstd-compress the whole log (readers detect it).
 * @return An operator that mirrors its source and records it.
 */
export function writeFrameLog(
  path: string,
  options: { compress?: boolean } = {},
): MonoTypeOperatorFunction<Uint8Array> {
  return (source) =>
    new Observable<Uint8Array>((destination) => {
      let compressor: Transform | undefined;
      try {
        compressor = options.compress ? frameLogZstd().createCompressStream(9) : undefined;
      } catch (error) {
        destination.error(error);
        return;
      }
      const file = createWriteStream(path);
      const sink: NodeJS.WritableStream = compressor ?? file;
      compressor?.pipe(file);
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        sink.end();
      };
      const prefix = new Uint8Array(4);
      const prefixView = new DataView(prefix.buffer);
      file.on('error', (error) => destination.error(error));

      const subscription = source.subscribe({
        next: (frame) => {
          // A synchronous source keeps emitting after an early unsubscribe; record nothing more.
          if (destination.closed) return;
          prefixView.setUint32(0, frame.length, true);
          sink.write(Buffer.from(prefix));
          sink.write(frame);
          destination.next(frame);
        },
        error: (error) => {
          end();
          destination.error(error);
        },
        complete: () => {
          file.once('close', () => destination.complete());
          end();
        },
      });
      // An early unsubscribe (take(n) downstream) still leaves a whole, flushed log.
      return () => {
        subscription.unsubscribe();
        end();
      };
    });
}

function decompressLog(bytes: Uint8Array): Uint8Array {
  const zstd = frameLogZstd();
  try {
    return zstd.decompress(bytes);
  } catch (error) {
    throw new FrameLogError('zstd', 0, 0, (error as Error).message);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let position = 0;
  for (const part of parts) {
    out.set(part, position);
    position += part.length;
  }
  return out;
}
