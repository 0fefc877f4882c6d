/**
 * The URL to dial for a relay subscription, resuming after `cursor` when one is given.
 *
 * Like v1 (reference §2.1), a cursor REPLACES the whole query string of `wsUrl` with
 * `cursor=<n>`: any other parameter in `--ws-url` is dropped when resuming. Without a cursor the
 * URL is used as given (live tail). Kept deliberately so that a deployment switching from v1
 * dials exactly the same URLs.
 *
 * @example
 * import { relayUrlWithCursor } from '@jetstream-ts/upstream';
 *
 * relayUrlWithCursor('wss://relay.example/xrpc/com.atproto.sync.subscribeRepos?x=1', 42);
 * // 'wss://relay.example/xrpc/com.atproto.sync.subscribeRepos?cursor=42'
 *
 * @param wsUrl The relay's subscribeRepos URL.
 * @param cursor The last relay seq already processed, or undefined to go live.
 * @return The URL to dial.
 */
export function relayUrlWithCursor(wsUrl: string, cursor: number | undefined): string {
  if (cursor === undefined) return wsUrl;
  const url = new URL(wsUrl);
  url.search = `cursor=${cursor}`;
  return url.toString();
}
