import { Observable } from 'rxjs';
import { WebSocket } from 'ws';

/** Why a relay connection ended without an error: the close code and reason the relay sent. */
export class RelayClosed {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {}
}

/**
 * The binary messages of one `subscribeRepos` connection, as frames. Completes when the relay
 * closes the connection (`onClose` learns the code), errors when the connection fails or the
 * relay sends a text message. Unsubscribing closes the socket. No reconnects: a recorder wants
 * to know where a capture ends.
 *
 * @example
 * relayFrames('ws://127.0.0.1:2470/xrpc/com.atproto.sync.subscribeRepos?cursor=0').pipe(take(10)).subscribe(console.log);
 */
export function relayFrames(
  url: string,
  onClose: (closed: RelayClosed) => void = () => undefined,
): Observable<Uint8Array> {
  return new Observable<Uint8Array>((destination) => {
    const socket = new WebSocket(url);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        destination.error(new Error('expected binary messages from subscribeRepos, got text'));
        return;
      }
      // A copy: the socket may reuse the buffer's memory.
      destination.next(new Uint8Array(data));
    });
    socket.on('close', (code: number, reason: Buffer) => {
      onClose(new RelayClosed(code, reason.toString('utf8')));
      destination.complete();
    });
    socket.on('error', (error) => destination.error(error));
    return () => {
      socket.removeAllListeners();
      // Errors after unsubscribing (a socket closed while connecting) have nobody to go to.
      socket.on('error', () => undefined);
      if (socket.readyState === WebSocket.OPEN) socket.close(1000);
      else socket.terminate();
    };
  });
}

/**
 * The subscribeRepos URL for `relay`: a bare `ws://host:port` gets the XRPC path, and `cursor`
 * (when given) replaces the query, as relay clients do.
 */
export function subscribeReposUrl(relay: string, cursor?: number): string {
  const url = new URL(relay);
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    throw new Error(`relay URL must be ws:// or wss://, got ${relay}`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/xrpc/com.atproto.sync.subscribeRepos';
  if (cursor !== undefined) url.search = `?cursor=${cursor}`;
  return url.toString();
}
