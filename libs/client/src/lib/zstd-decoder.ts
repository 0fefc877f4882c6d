import { readFile } from 'node:fs/promises';

/** Decompresses one zstd frame (one compressed event) to its JSON bytes. */
export type ZstdDecoder = (frame: Uint8Array) => Uint8Array;

/** Which implementation decodes: Node's own zlib, or the zstd-napi addon. */
export type ZstdEngine = 'node:zlib' | 'zstd-napi';

/** ID 1612007021, 112,640 bytes: the dictionary every v1 server compresses with. */
export function loadV1Dictionary(): Promise<Uint8Array> {
  // The same relative path from src/lib (tests) and dist/lib (the package).
  return readFile(new URL('../../assets/zstd_dictionary_v1', import.meta.url));
}

/** A 43-byte frame made with the v1 dictionary, and its content: proves the dictionary is applied. */
const PROBE_FRAME = 'KLUv/SdtRhVgNNUAAGB6c3QsImtpbmQiOn0D/HXQG0l15MIkHeYYmtsbaw==';
const PROBE_TEXT = '{"did":"did:plc:zstd","time_us":1,"kind":"identity"}';

type ZstdDecompressSync = (frame: Uint8Array, options: { dictionary: Uint8Array }) => Uint8Array;

/**
 * node:zlib's zstd when it takes a dictionary. `zstdDecompressSync` exists from Node 22.15 and
 * 23.8, but it applies `dictionary` only from 22.19 and 24.6 (earlier ones ignore the option and
 * fail with "Dictionary mismatch"), hence the probe rather than a version check.
 */
async function nodeZlibDecoder(dictionary: Uint8Array): Promise<ZstdDecoder | undefined> {
  const zlib = (await import('node:zlib')) as unknown as { zstdDecompressSync?: ZstdDecompressSync };
  const decompress = zlib.zstdDecompressSync;
  if (decompress === undefined) return undefined;
  const decode: ZstdDecoder = (frame) => decompress(frame, { dictionary });
  try {
    return new TextDecoder().decode(decode(Buffer.from(PROBE_FRAME, 'base64'))) === PROBE_TEXT ? decode : undefined;
  } catch {
    return undefined;
  }
}

/** The zstd-napi addon (an optional dependency), when it is installed and loads. */
async function zstdNapiDecoder(dictionary: Uint8Array): Promise<ZstdDecoder | undefined> {
  try {
    const { Decompressor } = await import('zstd-napi');
    const decompressor = new Decompressor();
    decompressor.loadDictionary(Buffer.from(dictionary));
    return (frame) => decompressor.decompress(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
  } catch {
    return undefined;
  }
}

const ENGINES: Record<ZstdEngine, (dictionary: Uint8Array) => Promise<ZstdDecoder | undefined>> = {
  'node:zlib': nodeZlibDecoder,
  'zstd-napi': zstdNapiDecoder,
};

/**
 * A decoder for v1 compressed events. By default the first that works of node:zlib (no native
 * code; Node >= 22.19 or >= 24.6) and zstd-napi (Node 20, or older 22/24 releases). Measured on
 * one 170-byte event: node:zlib about 30,000 frames/s (it loads the dictionary for every call),
 * zstd-napi about 470,000 (one context, dictionary loaded once): pass `['zstd-napi']` first when
 * replaying at full speed matters.
 *
 * @example
 * import { loadZstdDecoder } from '@jetstream-ts/client';
 *
 * // binaryMessage: a compressed event as received (Uint8Array)
 * const { decode, engine } = await loadZstdDecoder();
 * const json = new TextDecoder().decode(decode(binaryMessage));
 *
 * @param engines The implementations to try, in order.
 * @param dictionary The dictionary; the v1 one shipped in this package by default.
 * @return The decoder and the engine behind it.
 * @throws Error when none of `engines` is available here.
 */
export async function loadZstdDecoder(
  engines: readonly ZstdEngine[] = ['node:zlib', 'zstd-napi'],
  dictionary?: Uint8Array,
): Promise<{ decode: ZstdDecoder; engine: ZstdEngine }> {
  const dict = dictionary ?? (await loadV1Dictionary());
  for (const engine of engines) {
    const decode = await ENGINES[engine](dict);
    if (decode !== undefined) return { decode, engine };
  }
  throw new Error(
    `no zstd decoder with dictionary support among ${engines.join(', ')}: compressed streams need Node.js >= 22.19 or >= 24.6, or the zstd-napi package`,
  );
}
