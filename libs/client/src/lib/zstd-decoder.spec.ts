import { createHash } from 'node:crypto';
import { createV1Compressor } from '@jetstream-ts/compression';
import { loadV1Dictionary, loadZstdDecoder } from './zstd-decoder.js';
import { likeJson } from './scripted-socket.test-util.js';

const frame = createV1Compressor().compress(new TextEncoder().encode(likeJson(1725911162329308)));
const nodeZlibTakesDictionaries = (() => {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  return (major === 22 && minor >= 19) || (major === 24 && minor >= 6) || major >= 25;
})();

describe('loadZstdDecoder', () => {
  it('ships the v1 dictionary (ID 1612007021) byte for byte', async () => {
    const dictionary = await loadV1Dictionary();
    expect(dictionary.length).toBe(112_640);
    expect(createHash('sha256').update(dictionary).digest('hex')).toBe('b8d77b46933aceecbdd5275a01241efc985c970c78162b8150cf67a26522f70c');
  });

  it('decodes a v1 frame with zstd-napi', async () => {
    const { decode, engine } = await loadZstdDecoder(['zstd-napi']);
    expect(engine).toBe('zstd-napi');
    expect(new TextDecoder().decode(decode(frame))).toBe(likeJson(1725911162329308));
  });

  it('uses node:zlib where it applies dictionaries (Node >= 22.19, >= 24.6), else says what is missing', async () => {
    if (nodeZlibTakesDictionaries) {
      const { decode, engine } = await loadZstdDecoder(['node:zlib']);
      expect(engine).toBe('node:zlib');
      expect(new TextDecoder().decode(decode(frame))).toBe(likeJson(1725911162329308));
    } else {
      await expect(loadZstdDecoder(['node:zlib'])).rejects.toThrow(
        'no zstd decoder with dictionary support among node:zlib: compressed streams need Node.js >= 22.19 or >= 24.6, or the zstd-napi package',
      );
    }
  });

  it('by default prefers node:zlib (no native addon) and falls back to zstd-napi', async () => {
    const { engine } = await loadZstdDecoder();
    expect(engine).toBe(nodeZlibTakesDictionaries ? 'node:zlib' : 'zstd-napi');
  });
});
