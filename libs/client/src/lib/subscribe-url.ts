/** What a subscriber asks the server to send: v1's `/subscribe` filters and size cap. */
export interface SubscriberFilterOptions {
  /** Collection NSIDs, or prefixes ending in `.*` (`app.bsky.feed.*`); at most 100. Empty: all. */
  wantedCollections?: readonly string[];
  /** Repo DIDs; at most 10,000. Empty: all. Also filters identity and account events. */
  wantedDids?: readonly string[];
  /** Skip events larger than this many bytes (0: no limit). */
  maxMessageSizeBytes?: number;
}

/** The parameters of one connection. */
export interface ConnectionParameters {
  filter: SubscriberFilterOptions;
  /** Inclusive `time_us` to replay from; undefined for the live tail. */
  cursor: number | undefined;
  compress: boolean;
  /** When set the filter travels in the first message (the hello), not in the URL. */
  requireHello: boolean;
}

/** The query parameters this client writes; the URL's other parameters are kept. */
const MANAGED_PARAMETERS = ['cursor', 'compress', 'requireHello'];

/**
 * Checks a Jetstream URL and names its `/subscribe` endpoint: `ws://` and `wss://` are used as
 * given, `http(s)://` become `ws(s)://`, and a bare host gets the `/subscribe` path.
 *
 * @example
 * import { subscribeEndpoint } from '@jetstream-ts/client';
 *
 * subscribeEndpoint('https://jetstream.example'); // 'wss://jetstream.example/subscribe'
 *
 * @param url The server's URL.
 * @return The endpoint URL, without the parameters this client manages.
 * @throws TypeError when `url` is not a URL or not a WebSocket/HTTP one.
 */
export function subscribeEndpoint(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`not a URL: ${url}`);
  }
  const protocols: Record<string, string> = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' };
  const protocol = protocols[parsed.protocol];
  if (protocol === undefined) throw new TypeError(`not a WebSocket URL (ws://, wss://, http:// or https://): ${url}`);
  parsed.protocol = protocol;
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/subscribe';
  for (const name of MANAGED_PARAMETERS) parsed.searchParams.delete(name);
  return parsed.toString();
}

/**
 * The URL of one connection: the endpoint plus the filter (unless it goes in the hello), the
 * cursor (0 included: it replays everything retained), `compress=true` and `requireHello=true`.
 *
 * @example
 * import { connectionUrl } from '@jetstream-ts/client';
 *
 * connectionUrl('ws://127.0.0.1:6008/subscribe', { filter: { wantedCollections: ['app.bsky.feed.post'] }, cursor: 0, compress: true, requireHello: false });
 * // 'ws://127.0.0.1:6008/subscribe?wantedCollections=app.bsky.feed.post&cursor=0&compress=true'
 */
export function connectionUrl(endpoint: string, parameters: ConnectionParameters): string {
  const url = new URL(endpoint);
  const query = url.searchParams;
  const { filter } = parameters;
  if (!parameters.requireHello) {
    for (const collection of filter.wantedCollections ?? []) query.append('wantedCollections', collection);
    for (const did of filter.wantedDids ?? []) query.append('wantedDids', did);
    if (filter.maxMessageSizeBytes) query.set('maxMessageSizeBytes', String(filter.maxMessageSizeBytes));
  }
  if (parameters.cursor !== undefined) query.set('cursor', String(parameters.cursor));
  if (parameters.compress) query.set('compress', 'true');
  if (parameters.requireHello) query.set('requireHello', 'true');
  return url.toString();
}

/**
 * The `options_update` message that replaces a connection's filter wholesale (reference §5.4):
 * absent lists are sent empty, which removes that filter.
 *
 * @example
 * import { optionsUpdateMessage } from '@jetstream-ts/client';
 *
 * optionsUpdateMessage({ wantedDids: ['did:plc:abc'] });
 * // '{"type":"options_update","payload":{"wantedCollections":[],"wantedDids":["did:plc:abc"],"maxMessageSizeBytes":0}}'
 */
export function optionsUpdateMessage(filter: SubscriberFilterOptions): string {
  return JSON.stringify({
    type: 'options_update',
    payload: {
      wantedCollections: filter.wantedCollections ?? [],
      wantedDids: filter.wantedDids ?? [],
      maxMessageSizeBytes: filter.maxMessageSizeBytes ?? 0,
    },
  });
}
