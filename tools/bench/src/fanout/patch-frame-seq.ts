/** The CBOR text string "seq" followed by the head of a 64-bit unsigned integer. */
const SEQ_KEY_U64 = [0x63, 0x73, 0x65, 0x71, 0x1b];

/**
 * A copy of a `subscribeRepos` frame with its body `seq` replaced, in place of the 8 bytes of a
 * seq encoded as a 64-bit CBOR integer (any seq of 2^32 or more): about a microsecond, where a
 * decode and re-encode costs a hundred times more, which matters when a relay plays a frame
 * pool in a loop at thousands of frames per second. The first `"seq"` key after the header is
 * the body's: the keys sorted before it in DAG-CBOR order (`did`, `ops`, `rev`) never hold
 * the text `seq` as a key or a whole value.
 *
 * @param frame A frame whose seq is at least 2^32 (e.g. from the synthetic firehose).
 * @param seq The new seq, at least 2^32 and a safe integer.
 * @return The patched copy, or undefined when the frame has no 64-bit seq to patch.
 */
export function patchFrameSeq(frame: Uint8Array, seq: number): Uint8Array | undefined {
  const at = indexOfSeqKey(frame);
  if (at < 0 || !Number.isSafeInteger(seq) || seq < 2 ** 32) return undefined;
  const patched = Uint8Array.from(frame);
  new DataView(patched.buffer).setBigUint64(at + SEQ_KEY_U64.length, BigInt(seq));
  return patched;
}

function indexOfSeqKey(frame: Uint8Array): number {
  const last = frame.length - SEQ_KEY_U64.length - 8;
  outer: for (let at = 0; at <= last; at++) {
    for (let offset = 0; offset < SEQ_KEY_U64.length; offset++) {
      if (frame[at + offset] !== SEQ_KEY_U64[offset]) continue outer;
    }
    return at;
  }
  return -1;
}
