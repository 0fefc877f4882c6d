import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import * as zlib from 'node:zlib';
import { FRAME_LOG_ZSTD_MISSING, frameLogZstd, type NodeZlibZstd } from './frame-log-zstd.js';

const text = new TextEncoder().encode('a frame log, compressed as a whole '.repeat(100));
const withoutZstd: NodeZlibZstd = { constants: {} };

async function roundTrip(zstd: ReturnType<typeof frameLogZstd>): Promise<Buffer> {
  const compressed = await buffer(Readable.from([text]).pipe(zstd.createCompressStream(9)));
  expect(zstd.decompress(compressed)).toEqual(Buffer.from(text));
  return buffer(Readable.from([compressed]).pipe(zstd.createDecompressStream()));
}

const nodeZlib = zlib as unknown as NodeZlibZstd;

describe('frameLogZstd', () => {
  it('takes zstd-napi when it loads (as in this workspace)', async () => {
    const zstd = frameLogZstd();
    expect(zstd.engine).toBe('zstd-napi');
    expect(await roundTrip(zstd)).toEqual(Buffer.from(text));
  });

  it("without zstd-napi, takes node:zlib's zstd where this Node has it (>= 22.15), else says what to install", async () => {
    const sources = { zstdNapi: () => undefined, zlib: nodeZlib };
    if (typeof nodeZlib.zstdDecompressSync === 'function') {
      const zstd = frameLogZstd(sources);
      expect(zstd.engine).toBe('node:zlib');
      expect(await roundTrip(zstd)).toEqual(Buffer.from(text));
    } else {
      expect(() => frameLogZstd(sources)).toThrow(FRAME_LOG_ZSTD_MISSING);
    }
  });

  it('says what to install when neither is there', () => {
    expect(() => frameLogZstd({ zstdNapi: () => undefined, zlib: withoutZstd })).toThrow(
      'a zstd-compressed frame log needs Node >= 22.15 (zstd in node:zlib) or the optional zstd-napi package',
    );
  });
});
