import { WebSocket } from 'ws';
import { buildFrame } from '@jetstream-ts/testkit';

/** An `#identity` frame with the given seq: small and enough to test sequencing. */
export function identityFrame(seq: number, did = `did:plc:user${seq}`): Uint8Array {
  return buildFrame({ op: 1, t: '#identity' }, { seq, did, time: '2026-07-01T00:00:00.000Z' });
}

export interface Collected {
  frames: Uint8Array[];
  /** The close code when the relay closed the connection (1006 when it dropped it). */
  closeCode: number | undefined;
  /** True when `waitMs` passed before `count` frames or a close. */
  timedOut: boolean;
}

/**
 * Connects to `url` and collects binary messages until `count` arrived, the socket closed, or
 * `waitMs` passed; then closes the socket.
 */
export function collectFrames(
  url: string,
  options: { count?: number; waitMs?: number } = {},
): Promise<Collected> {
  const { count = Infinity, waitMs = 5000 } = options;
  return new Promise((resolve, reject) => {
    const frames: Uint8Array[] = [];
    const socket = new WebSocket(url);
    const finish = (closeCode: number | undefined, timedOut: boolean) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      resolve({ frames, closeCode, timedOut });
    };
    const timer = setTimeout(() => finish(undefined, true), waitMs);
    socket.on('message', (data: Buffer) => {
      frames.push(new Uint8Array(data));
      if (frames.length >= count) finish(undefined, false);
    });
    socket.on('close', (code) => finish(code, false));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
