/**
 * The `subscribeRepos` URL for what a user typed: a bare `ws://host:port` gets the XRPC path,
 * and `cursor` (when given) replaces the query, as relay clients do.
 *
 * @example
 * import { subscribeReposUrl } from '@jetstream-ts/upstream';
 *
 * subscribeReposUrl('ws://127.0.0.1:2470', 0); // 'ws://127.0.0.1:2470/xrpc/com.atproto.sync.subscribeRepos?cursor=0'
 *
 * @param relay A ws:// or wss:// URL.
 * @param cursor Start after this seq.
 * @return The URL to dial.
 * @throws Error when `relay` is not a ws:// or wss:// URL.
 */
export function subscribeReposUrl(relay: string, cursor?: number): string {
  const url = new URL(relay);
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`relay URL must be ws:// or wss://, got ${relay}`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/xrpc/com.atproto.sync.subscribeRepos';
  if (cursor !== undefined) url.search = `?cursor=${cursor}`;
  return url.toString();
}
