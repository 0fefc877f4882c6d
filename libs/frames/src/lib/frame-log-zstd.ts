import { createRequire } from 'node:module';
import type { Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import type * as ZstdNapi from 'zstd-napi';

/**
 * The zstd a compressed frame log needs (one zstd stream over the whole file, no dictionary):
 * the optional zstd-napi package when it is installed and built, else Node's own zlib (Node >=
 * 22.15 and >= 23.8, nothing native to build). zstd-napi comes first because Node 22's zlib ends
 * a zstd stream cut short without an error (Node 24 and 26 report it): a log cut inside a record
 * is still reported as truncated, one cut exactly between records reads as shorter. Measured on
 * a 27 MB log, one core: zstd-napi 940-1,070 MB/s, node:zlib 570-1,110 MB/s. A plain frame log
 * needs neither.
 */
export interface FrameLogZstd {
  readonly engine: 'node:zlib' | 'zstd-napi';
  decompress(bytes: Uint8Array): Uint8Array;
  createDecompressStream(): Transform;
  createCompressStream(level: number): Transform;
}

/** The zstd part of `node:zlib` (absent before Node 22.15 / 23.8; not in Node 20's types). */
export interface NodeZlibZstd {
  zstdDecompressSync?: (bytes: Uint8Array) => Buffer;
  createZstdDecompress?: () => Transform;
  createZstdCompress?: (options: { params: Record<number, number> }) => Transform;
  constants: { ZSTD_c_compressionLevel?: number };
}

/** Where zstd can come from; tests replace them to exercise each choice. */
export interface ZstdSources {
  /** zstd-napi when it is installed and its addon loads, else undefined. */
  zstdNapi: () => typeof ZstdNapi | undefined;
  zlib: NodeZlibZstd;
}

export const FRAME_LOG_ZSTD_MISSING =
  'a zstd-compressed frame log needs Node >= 22.15 (zstd in node:zlib) or the optional zstd-napi package';

// A synchronous require, not import(): parseFrameLog is synchronous. zstd-napi is CommonJS.
const requireOptional = createRequire(import.meta.url);

const installed: ZstdSources = {
  zstdNapi: () => {
    try {
      return requireOptional('zstd-napi') as typeof ZstdNapi;
    } catch {
      // Not installed, or installed with --ignore-scripts so its addon was never built.
      return undefined;
    }
  },
  zlib: zlib as unknown as NodeZlibZstd,
};

/**
 * The zstd implementation to read and write compressed frame logs with: zstd-napi when it
 * loads, else node:zlib where this Node has it.
 *
 * @param sources Where to look; this process's zstd-napi and node:zlib by default.
 * @throws Error naming what to install when neither is available.
 */
export function frameLogZstd(sources: ZstdSources = installed): FrameLogZstd {
  const napi = sources.zstdNapi();
  if (napi !== undefined) {
    return {
      engine: 'zstd-napi',
      decompress: (bytes) => napi.decompress(bytes),
      createDecompressStream: () => new napi.DecompressStream(),
      createCompressStream: (level) => new napi.CompressStream({ compressionLevel: level }),
    };
  }
  const { zstdDecompressSync, createZstdDecompress, createZstdCompress, constants } = sources.zlib;
  const levelParameter = constants.ZSTD_c_compressionLevel;
  if (!zstdDecompressSync || !createZstdDecompress || !createZstdCompress || levelParameter === undefined) {
    throw new Error(FRAME_LOG_ZSTD_MISSING);
  }
  return {
    engine: 'node:zlib',
    decompress: (bytes) => zstdDecompressSync(bytes),
    createDecompressStream: () => createZstdDecompress(),
    createCompressStream: (level) => createZstdCompress({ params: { [levelParameter]: level } }),
  };
}
