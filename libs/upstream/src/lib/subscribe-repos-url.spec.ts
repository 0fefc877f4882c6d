import { subscribeReposUrl } from './subscribe-repos-url.js';

describe('subscribeReposUrl', () => {
  it('adds the XRPC path to a bare origin and replaces the query with the cursor', () => {
    expect(subscribeReposUrl('ws://127.0.0.1:2470')).toBe('ws://127.0.0.1:2470/xrpc/com.atproto.sync.subscribeRepos');
    expect(subscribeReposUrl('wss://relay.example/xrpc/com.atproto.sync.subscribeRepos?cursor=5', 0)).toBe(
      'wss://relay.example/xrpc/com.atproto.sync.subscribeRepos?cursor=0',
    );
    expect(subscribeReposUrl('ws://h/custom/path?x=1')).toBe('ws://h/custom/path?x=1');
  });

  it('refuses anything but a websocket URL', () => {
    expect(() => subscribeReposUrl('https://relay.example')).toThrow('relay URL must be ws:// or wss://, got https://relay.example');
    expect(() => subscribeReposUrl('not a url')).toThrow();
  });
});
