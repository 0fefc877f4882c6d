import { hash } from 'node:crypto';

/** The multihash code of sha2-256 and its digest length. */
export const SHA2_256 = 0x12;
export const SHA2_256_LENGTH = 32;
const CID_V1 = 1;

/**
 * Where the digest of the binary CID `bytes[start, end)` starts, when it names its data by
 * sha-256 (CIDv0, or CIDv1 with a 32-byte sha2-256 multihash), else -1.
 */
export function sha256DigestStart(bytes: Uint8Array, start: number, end: number): number {
  const digestStart = end - SHA2_256_LENGTH;
  const codeAt = digestStart - 2;
  if (codeAt < start || bytes[codeAt] !== SHA2_256 || bytes[codeAt + 1] !== SHA2_256_LENGTH) return -1;
  if (codeAt === start) return digestStart;
  // CIDv1: the version, then the codec varint ending right before the multihash.
  if (bytes[start] !== CID_V1 || codeAt === start + 1) return -1;
  for (let i = start + 1; i < codeAt - 1; i++) if (bytes[i] < 0x80) return -1;
  return bytes[codeAt - 1] < 0x80 ? digestStart : -1;
}

/** True when sha-256 of `data` is `digest[digestStart, digestStart + 32)`. */
export function hashesTo(data: Uint8Array, digest: Uint8Array, digestStart: number): boolean {
  // The digest as a 'binary' (latin1) string, one char per byte: Node makes a short string ~3x faster
  // than the Buffer that 'buffer' output allocates (~0.2 µs vs ~0.6 µs for a 100-byte record).
  const actual = hash('sha256', data, 'binary');
  for (let i = 0; i < SHA2_256_LENGTH; i++) if (actual.charCodeAt(i) !== digest[digestStart + i]) return false;
  return true;
}
