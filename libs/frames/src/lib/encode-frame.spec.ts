import * as dagCbor from '@ipld/dag-cbor';
import { decodeFrame } from './decode-frame.js';
import { encodeFrame } from './encode-frame.js';

describe('encodeFrame', () => {
  it('writes the header then the body, both canonical DAG-CBOR', () => {
    const header = { op: 1, t: '#info' };
    const body = { name: 'OutdatedCursor' };
    const bytes = encodeFrame(header, body);
    const headerBytes = dagCbor.encode(header);
    expect(bytes.subarray(0, headerBytes.length)).toEqual(headerBytes);
    expect(dagCbor.decode(bytes.subarray(headerBytes.length))).toEqual(body);
    expect(decodeFrame(bytes)).toEqual({ type: 'info', size: bytes.length, body });
  });
});
