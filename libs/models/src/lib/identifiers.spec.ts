import { isDid, isNsid, isRecordKey, isTid } from './identifiers.js';

describe('isNsid', () => {
  it.each(['app.bsky.feed.post', 'com.example.fooBar', 'a.b.c', 'app.bsky.graph.follow'])('accepts %s', (v) =>
    expect(isNsid(v)).toBe(true),
  );
  it.each(['', '*', 'app', 'app.bsky.graph.fo*', 'app.bsky.', '.app.bsky', 'app.bsky.1post', 'a'.repeat(318)])(
    'rejects %j',
    (v) => expect(isNsid(v)).toBe(false),
  );
});

describe('isDid', () => {
  it.each(['did:plc:ewvi7nxzyoun6zhxrhs64oiz', 'did:web:example.com', 'did:web:localhost%3A8080', 'did:key:z6Mk'])(
    'accepts %s',
    (v) => expect(isDid(v)).toBe(true),
  );
  it.each(['', 'did:', 'did:plc:', 'DID:plc:abc', 'did:PLC:abc', 'did:web:example.com:', 'did:web:a%'])(
    'rejects %j',
    (v) => expect(isDid(v)).toBe(false),
  );
});

describe('isRecordKey', () => {
  it.each(['3jzfcijpj2z2a', 'self', 'a:b', 'foo~bar'])('accepts %s', (v) => expect(isRecordKey(v)).toBe(true));
  it.each(['', '.', '..', 'a/b', 'a b'])('rejects %j', (v) => expect(isRecordKey(v)).toBe(false));
});

describe('isTid', () => {
  it('accepts a TID and rejects other strings', () => {
    expect(isTid('3jzfcijpj2z2a')).toBe(true);
    expect(isTid('3jzfcijpj2z2')).toBe(false);
    expect(isTid('zjzfcijpj2z2a')).toBe(false);
  });
});
