import { cborMap, concatBytes } from './cbor.test-util.js';
import { readRelayErrorFrame } from './relay-error-frame.js';

describe('readRelayErrorFrame', () => {
  it('reads the error name and message of an error frame', () => {
    const frame = concatBytes(cborMap({ op: -1 }), cborMap({ error: 'FutureCursor', message: 'Cursor in the future.' }));
    expect(readRelayErrorFrame(frame)).toEqual({ error: 'FutureCursor', message: 'Cursor in the future.' });
  });

  it('reads the hand-written bytes of {op: -1} then {error: "X"}', () => {
    expect(readRelayErrorFrame(Uint8Array.of(0xa1, 0x62, 0x6f, 0x70, 0x20, 0xa1, 0x65, 0x65, 0x72, 0x72, 0x6f, 0x72, 0x61, 0x58))).toEqual({ error: 'X' });
  });

  it('returns undefined for message frames, in either key order', () => {
    const body = cborMap({ seq: 300, did: 'did:plc:a' });
    expect(readRelayErrorFrame(concatBytes(cborMap({ t: '#commit', op: 1 }), body))).toBeUndefined();
    expect(readRelayErrorFrame(concatBytes(cborMap({ op: 1, t: '#identity' }), body))).toBeUndefined();
  });

  it('names an error frame with an unreadable body "Unknown"', () => {
    expect(readRelayErrorFrame(concatBytes(cborMap({ op: -1 }), Uint8Array.of(0x80)))).toEqual({ error: 'Unknown' });
    expect(readRelayErrorFrame(cborMap({ op: -1 }))).toEqual({ error: 'Unknown' });
  });

  it('returns undefined for bytes that are not a frame', () => {
    expect(readRelayErrorFrame(new Uint8Array())).toBeUndefined();
    expect(readRelayErrorFrame(Uint8Array.of(0xa1, 0x62, 0x6f))).toBeUndefined();
    expect(readRelayErrorFrame(Uint8Array.of(0xff, 0x00, 0x01))).toBeUndefined();
    expect(readRelayErrorFrame(new TextEncoder().encode('{"op":-1}'))).toBeUndefined();
  });
});
