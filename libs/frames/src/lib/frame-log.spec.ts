import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, from, lastValueFrom, take, toArray } from 'rxjs';
import { compress } from 'zstd-napi';
import {
  encodeFrameLog,
  FrameLogError,
  FrameLogReader,
  isZstdCompressed,
  parseFrameLog,
  readFrameLog,
  writeFrameLog,
} from './frame-log.js';

const frames = [Uint8Array.of(1, 2, 3), new Uint8Array(70_000).fill(7), Uint8Array.of(9)];

describe('frame log', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'frame-log-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('encodes [u32 LE length][frame] records', () => {
    expect([...encodeFrameLog([Uint8Array.of(0xaa, 0xbb)])]).toEqual([2, 0, 0, 0, 0xaa, 0xbb]);
  });

  it('parses what it encodes, plain and zstd-compressed', () => {
    const log = encodeFrameLog(frames);
    expect(parseFrameLog(log)).toEqual({ frames, trailingBytes: 0 });
    const compressed = compress(log);
    expect(isZstdCompressed(compressed)).toBe(true);
    expect(isZstdCompressed(log)).toBe(false);
    expect(parseFrameLog(compressed).frames).toEqual(frames);
  });

  it('keeps the whole frames of a log cut short', () => {
    const log = encodeFrameLog(frames);
    expect(parseFrameLog(log.subarray(0, log.length - 1))).toEqual({ frames: frames.slice(0, 2), trailingBytes: 4 });
  });

  it('rejects record lengths no frame log holds', () => {
    expect(() => parseFrameLog(new TextEncoder().encode('hello, this is not a frame log'))).toThrow(FrameLogError);
    expect(() => parseFrameLog(Uint8Array.of(0, 0, 0, 0, 1))).toThrow(/empty-record at frame 0/);
  });

  it('reads records split across arbitrary chunks', () => {
    const log = encodeFrameLog(frames);
    const reader = new FrameLogReader();
    const out: Uint8Array[] = [];
    for (let i = 0; i < log.length; i += 3) out.push(...reader.push(log.subarray(i, i + 3)));
    reader.finish();
    expect(out).toEqual(frames);
  });

  it('streams a file, plain or compressed, and writes one', async () => {
    const plain = join(dir, 'plain.log');
    const zst = join(dir, 'log.zst');
    await lastValueFrom(from(frames).pipe(writeFrameLog(plain), toArray()));
    await lastValueFrom(from(frames).pipe(writeFrameLog(zst, { compress: true }), toArray()));
    expect(readFileSync(plain)).toEqual(Buffer.from(encodeFrameLog(frames)));
    expect(isZstdCompressed(readFileSync(zst))).toBe(true);
    expect(await lastValueFrom(readFrameLog(plain).pipe(toArray()))).toEqual(frames);
    expect(await lastValueFrom(readFrameLog(zst).pipe(toArray()))).toEqual(frames);
  });

  it('leaves a whole log when the consumer stops early', async () => {
    const path = join(dir, 'early.log');
    await lastValueFrom(from(frames).pipe(writeFrameLog(path), take(2), toArray()));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(parseFrameLog(readFileSync(path))).toEqual({ frames: frames.slice(0, 2), trailingBytes: 0 });
  });

  it('delivers whole frames, then errors, on a file cut short', async () => {
    const path = join(dir, 'cut.log');
    const log = encodeFrameLog(frames);
    writeFileSync(path, log.subarray(0, log.length - 2));
    const seen: Uint8Array[] = [];
    const error = await new Promise<FrameLogError>((resolve) =>
      readFrameLog(path).subscribe({ next: (f) => seen.push(f), error: resolve }),
    );
    expect(seen).toEqual(frames.slice(0, 2));
    expect(error).toBeInstanceOf(FrameLogError);
    expect(error.reason).toBe('truncated');
    expect(error.frameIndex).toBe(2);
  });

  it('completes an empty file and errors on a missing one', async () => {
    const empty = join(dir, 'empty.log');
    writeFileSync(empty, new Uint8Array(0));
    expect(await lastValueFrom(readFrameLog(empty).pipe(toArray()))).toEqual([]);
    await expect(firstValueFrom(readFrameLog(join(dir, 'missing.log')))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('errors on a corrupt zstd log', async () => {
    const path = join(dir, 'bad.zst');
    const compressed = compress(encodeFrameLog(frames));
    writeFileSync(path, compressed.subarray(0, 20));
    await expect(lastValueFrom(readFrameLog(path).pipe(toArray()))).rejects.toBeInstanceOf(FrameLogError);
  });
});
