import { connectionUrl, optionsUpdateMessage, subscribeEndpoint } from './subscribe-url.js';

describe('subscribeEndpoint', () => {
  it('adds /subscribe to a bare host, turns http(s) into ws(s), keeps other query parameters', () => {
    expect(subscribeEndpoint('ws://127.0.0.1:6008')).toBe('ws://127.0.0.1:6008/subscribe');
    expect(subscribeEndpoint('https://jetstream.example/')).toBe('wss://jetstream.example/subscribe');
    expect(subscribeEndpoint('http://h:1/custom?wantedCollections=app.bsky.feed.post&cursor=9&compress=true')).toBe(
      'ws://h:1/custom?wantedCollections=app.bsky.feed.post',
    );
  });

  it('refuses what is not a URL or not a WebSocket/HTTP one', () => {
    expect(() => subscribeEndpoint('jetstream.example')).toThrow(new TypeError('not a URL: jetstream.example'));
    expect(() => subscribeEndpoint('ftp://h')).toThrow('not a WebSocket URL (ws://, wss://, http:// or https://): ftp://h');
  });
});

describe('connectionUrl', () => {
  const endpoint = 'ws://h/subscribe';

  it('repeats each filter value, and sends cursor 0 (replay everything) as given', () => {
    expect(
      connectionUrl(endpoint, {
        filter: { wantedCollections: ['app.bsky.feed.post', 'app.bsky.graph.*'], wantedDids: ['did:plc:a', 'did:web:b.example'] },
        cursor: 0,
        compress: true,
        requireHello: false,
      }),
    ).toBe(
      'ws://h/subscribe?wantedCollections=app.bsky.feed.post&wantedCollections=app.bsky.graph.*&wantedDids=did%3Aplc%3Aa&wantedDids=did%3Aweb%3Ab.example&cursor=0&compress=true',
    );
  });

  it('leaves the filter out when it travels in the hello', () => {
    expect(connectionUrl(endpoint, { filter: { wantedDids: ['did:plc:a'], maxMessageSizeBytes: 9 }, cursor: undefined, compress: false, requireHello: true })).toBe(
      'ws://h/subscribe?requireHello=true',
    );
  });
});

describe('optionsUpdateMessage', () => {
  it('is the v1 envelope with every field, empty lists removing a filter', () => {
    expect(optionsUpdateMessage({ wantedCollections: ['app.bsky.feed.like'], maxMessageSizeBytes: 100 })).toBe(
      '{"type":"options_update","payload":{"wantedCollections":["app.bsky.feed.like"],"wantedDids":[],"maxMessageSizeBytes":100}}',
    );
  });
});
