import { decodeStoredEvent, encodeStoredEvent } from './stored-event-codec.js';
import { loggedEvent } from './test-events.test-util.js';

describe('stored event codec', () => {
  it('lays out a did:plc commit as flags, relaySeq, 15-byte DID, collection id, zstd', () => {
    const event = loggedEvent(10, { relaySeq: 300, did: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaab', kind: 'commit' });
    const value = encodeStoredEvent(event, 2);
    const header = [
      0b100, // commit (0) with a packed DID
      0xac, 0x02, // relaySeq 300 as LEB128
      ...new Array(14).fill(0), 1, // 'a' = 0 ... 'b' = 1: 120 bits, big-endian
      2, // collection id
    ];
    expect([...value.subarray(0, header.length)]).toEqual(header);
    expect(value.subarray(header.length)).toEqual(event.zstd);
  });

  it('stores other DIDs as length-prefixed UTF-8 and omits the collection of identity/account', () => {
    const event = loggedEvent(10, { relaySeq: 1, did: 'did:web:example.com', kind: 'identity' });
    const value = encodeStoredEvent(event, -1);
    expect([...value.subarray(0, 3)]).toEqual([1, 1, 19]);
    expect(Buffer.from(value.subarray(3, 22)).toString()).toBe('did:web:example.com');
    expect(value.subarray(22)).toEqual(event.zstd);
  });

  it.each([
    ['commit', 'did:plc:ewvi7nxzyoun6zhxrhs64oiz', 7],
    ['identity', 'did:plc:z72i7hdynmk6r22z27h6tvur', -1],
    ['account', 'did:web:bücher.example', -1],
    ['commit', 'did:plc:UPPERCASEISNOTPLCBASE32XX', 0],
  ] as const)('round-trips a %s event of %s', (kind, did, collectionId) => {
    const event = loggedEvent(10, { relaySeq: 2 ** 40 + 3, did, kind });
    const decoded = decodeStoredEvent(encodeStoredEvent(event, collectionId));
    expect(decoded).toEqual({ kind, relaySeq: 2 ** 40 + 3, did, collectionId, zstd: event.zstd });
  });
});
