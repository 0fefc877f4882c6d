import { MAX_CLOSE_REASON_BYTES } from '@jetstream-ts/models';

/** Close code for a client message that does not decode (as Jetstream v2; v1 sent 1000). */
export const CLOSE_INVALID_MESSAGE = 1007;
/** Close code for options that fail validation, and for slow readers (as Jetstream v2). */
export const CLOSE_POLICY_VIOLATION = 1008;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * Cuts a close reason to the 123 bytes a close frame can carry, on a UTF-8 character
 * boundary. v1 tried to send longer reasons, which gorilla refused, so the client saw 1006.
 */
export function truncateCloseReason(reason: string): string {
  const bytes = utf8.encode(reason);
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return reason;
  let end = MAX_CLOSE_REASON_BYTES;
  // Step back over continuation bytes (10xxxxxx) to the start of the character that did not fit.
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return utf8Decoder.decode(bytes.subarray(0, end));
}
