import * as dagCbor from '@ipld/dag-cbor';
import { buildFrame } from '@jetstream-ts/testkit';

/**
 * A fault a fake relay injects into a connection once it has sent `after` frames on it.
 * - `stall`: stops sending (the connection stays open and answers pings).
 * - `disconnect`: drops the TCP connection without a close frame.
 * - `error`: sends an error frame (`{op: -1}` header, `{error, message}` body), then closes
 *   with code 1000, as relays do.
 * - `corrupt`: sends one extra frame whose header is valid and whose body is not CBOR, then
 *   goes on with the next frame.
 * - `truncate`: sends the next frame cut to half its length in its place (that frame is lost),
 *   then goes on.
 * `connections` limits the fault to the first N connections (default: every connection), so a
 * test can fault one connection and watch the client recover on the next.
 */
export type RelayFault =
  | { kind: 'stall' | 'disconnect' | 'corrupt' | 'truncate'; after: number; connections?: number }
  | { kind: 'error'; after: number; error: string; message?: string; connections?: number };

export type RelayFaultKind = RelayFault['kind'];

/** The error frame a relay sends before closing, e.g. `FutureCursor` or `ConsumerTooSlow`. */
export function errorFrame(error: string, message?: string): Uint8Array {
  return buildFrame({ op: -1 }, message === undefined ? { error } : { error, message });
}

/** The `#info` frame a relay sends before replaying from a cursor older than it keeps. */
export function infoFrame(name: string, message?: string): Uint8Array {
  return buildFrame({ op: 1, t: '#info' }, message === undefined ? { name } : { name, message });
}

/**
 * A frame with a valid `#commit` header and a body that is not CBOR: a map whose first key
 * starts with a "break" byte, which no CBOR decoder accepts.
 */
export function corruptFrame(): Uint8Array {
  const header = dagCbor.encode({ op: 1, t: '#commit' });
  const body = Uint8Array.of(0xa2, 0xff, 0x63, 0x73, 0x65, 0x71);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/** The first half of a frame (at least one byte short of it). */
export function truncatedFrame(frame: Uint8Array): Uint8Array {
  return frame.slice(0, Math.min(Math.ceil(frame.length / 2), frame.length - 1));
}

/** Throws a RangeError describing the first invalid fault, for options checking. */
export function assertValidFaults(faults: readonly RelayFault[]): void {
  for (const fault of faults) {
    if (!Number.isInteger(fault.after) || fault.after < 0) {
      throw new RangeError(`${fault.kind} fault: after must be a non-negative integer, got ${fault.after}`);
    }
    if (fault.connections !== undefined && (!Number.isInteger(fault.connections) || fault.connections < 1)) {
      throw new RangeError(
        `${fault.kind} fault: connections must be a positive integer, got ${fault.connections}`,
      );
    }
    if (fault.kind === 'error' && fault.error.length === 0)
      throw new RangeError('error fault: error name is empty');
  }
}
