import { JetstreamSubscription } from '@atcute/jetstream';
import { Jetstream } from '@skyware/jetstream';
import { WebSocket } from 'ws';

/**
 * The fields every client must agree on, whatever shape its events come in, as one JSON string:
 * `{did, kind, time_us[, collection, rkey]}`.
 */
export function summarize(event: { did: string; kind: string; time_us: number; commit?: { collection: string; rkey: string } }): string {
  const summary: Record<string, unknown> = { did: event.did, kind: event.kind, time_us: event.time_us };
  if (event.commit) Object.assign(summary, { collection: event.commit.collection, rkey: event.commit.rkey });
  return JSON.stringify(summary);
}

/** A client library's subscription, collecting event summaries. */
export interface LibraryClient {
  /** Summaries of the events received, in order. */
  received: string[];
  /** Errors the library reported (network errors, events it rejected). */
  errors: unknown[];
  /** Closes the connection for good (no reconnect). */
  close(): Promise<void>;
}

/** Options of a @skyware/jetstream client that the tests vary. */
export interface SkywareOptions {
  cursor?: number;
  wantedCollections?: string[];
  wantedDids?: string[];
}

/**
 * A @skyware/jetstream client on `endpoint` (a full /subscribe URL; `ws` passed in, as it needs
 * on Node 20). It has no compression option (it parses every message as JSON), and it ignores
 * `cursor: 0` (`if (options.cursor)`), so a cursor of 0 must be in the endpoint URL. It
 * reconnects by itself (partysocket, 3 s first delay) with its last `time_us` as the cursor.
 */
export function startSkyware(endpoint: string, options: SkywareOptions = {}): LibraryClient {
  const received: string[] = [];
  const errors: unknown[] = [];
  const client = new Jetstream({ endpoint, ws: WebSocket, ...options });
  client.on('commit', (event) => received.push(summarize(event)));
  client.on('identity', (event) => received.push(summarize(event)));
  client.on('account', (event) => received.push(summarize(event)));
  client.on('error', (error) => errors.push(error));
  client.start();
  return {
    received,
    errors,
    close: async () => client.close(),
  };
}

/** Options of an @atcute/jetstream subscription that the tests vary. */
export interface AtcuteOptions {
  cursor: number;
  wantedCollections?: string[];
  wantedDids?: `did:${string}:${string}`[];
  /** partysocket's reconnect delays (ms); the library defaults are seconds. */
  reconnectDelayMs?: { min: number; max: number };
}

/**
 * An @atcute/jetstream subscription on `baseUrl` (it appends `/subscribe`). It has no
 * compression option either; it always connects with requireHello=true and sends its filters in
 * an options_update as the hello (`"payload":{}` without filters), validates each event (DID,
 * NSID, rkey, TID rev, CID, handle, datetime) before yielding it, and reconnects by itself with
 * its last `time_us` as the cursor.
 */
export function startAtcute(baseUrl: string, options: AtcuteOptions): LibraryClient {
  const received: string[] = [];
  const errors: unknown[] = [];
  const { reconnectDelayMs, ...subscriptionOptions } = options;
  const subscription = new JetstreamSubscription({
    url: baseUrl,
    ws: reconnectDelayMs
      ? { WebSocket, minReconnectionDelay: reconnectDelayMs.min, maxReconnectionDelay: reconnectDelayMs.max }
      : { WebSocket, maxRetries: 0 },
    onError: (error) => errors.push(error),
    ...subscriptionOptions,
  });
  const events = subscription[Symbol.asyncIterator]();
  void (async () => {
    for (let next = await events.next(); !next.done; next = await events.next()) received.push(summarize(next.value));
  })();
  return {
    received,
    errors,
    // Ends the iteration, which closes the connection (a next() already waiting stays pending).
    close: async () => void (await events.return?.()),
  };
}
