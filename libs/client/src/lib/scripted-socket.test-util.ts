import type { ClientSocket, SocketEnd, SocketHandlers, SocketOpener } from './client-socket.js';

/** One connection the client opened, driven by the test. */
export interface ScriptedConnection {
  url: string;
  /** Text the client sent (`options_update` messages). */
  sent: string[];
  paused: boolean;
  closedByClient: boolean;
  open(): void;
  /** Sends a text message (a v1 event's JSON). */
  event(json: string): void;
  binary(bytes: Uint8Array): void;
  ping(): void;
  end(end: SocketEnd): void;
}

/**
 * A {@link SocketOpener} that records each connection for the test to drive, so reconnects,
 * cursors and filters are checked without a network or timers of its own.
 */
export function scriptedSockets(options: { canPause?: boolean; reportsPings?: boolean } = {}): {
  opener: SocketOpener;
  connections: ScriptedConnection[];
} {
  const connections: ScriptedConnection[] = [];
  const opener: SocketOpener = (url: string, handlers: SocketHandlers): ClientSocket => {
    const connection: ScriptedConnection = {
      url,
      sent: [],
      paused: false,
      closedByClient: false,
      open: () => handlers.open(),
      event: (json) => handlers.message(json, false),
      binary: (bytes) => handlers.message(bytes, true),
      ping: () => handlers.alive(),
      end: (end) => handlers.ended(end),
    };
    connections.push(connection);
    return {
      send: (text) => connection.sent.push(text),
      pause: () => {
        if (!options.canPause) return false;
        connection.paused = true;
        return true;
      },
      resume: () => (connection.paused = false),
      close: () => (connection.closedByClient = true),
      reportsPings: options.reportsPings ?? true,
    };
  };
  return { opener, connections };
}

/** A v1 commit event's JSON with this time_us (a like by did:plc:a). */
export function likeJson(timeUs: number): string {
  return (
    `{"did":"did:plc:a","time_us":${timeUs},"kind":"commit","commit":{"rev":"3l3qo2vutsw2b","operation":"create",` +
    `"collection":"app.bsky.feed.like","rkey":"k${timeUs}","record":{"$type":"app.bsky.feed.like","createdAt":"2024-09-09T19:46:02.102Z",` +
    `"subject":{"cid":"bafyreidc6sydkkbchcyg62v77wbhzvb2mvytlmsychqgwf2xojjtirmzj4","uri":"at://did:plc:b/app.bsky.feed.post/3l3pte3p2e325"}},` +
    `"cid":"bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}}`
  );
}

/** Lets pending promise callbacks (the client's start-up) run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));
