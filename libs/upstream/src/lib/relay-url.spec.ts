import { relayUrlWithCursor } from './relay-url.js';

const RELAY = 'wss://relay.example/xrpc/com.atproto.sync.subscribeRepos';

describe('relayUrlWithCursor', () => {
  it('keeps the URL as given without a cursor', () => {
    expect(relayUrlWithCursor(`${RELAY}?a=1`, undefined)).toBe(`${RELAY}?a=1`);
  });

  it('replaces the whole query string with cursor=<n>, like v1', () => {
    expect(relayUrlWithCursor(`${RELAY}?a=1&cursor=5`, 42)).toBe(`${RELAY}?cursor=42`);
    expect(relayUrlWithCursor(RELAY, 0)).toBe(`${RELAY}?cursor=0`);
  });
});
