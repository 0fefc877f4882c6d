import * as dagCbor from '@ipld/dag-cbor';
import { decode } from 'cborg';
import { dagCborBlock } from './blocks.js';
import { cborArray, cborBool, cborBytes, cborCid, cborFloat64, cborInt, cborMap, cborNull, cborText, cborTextBytes } from './raw-cbor.js';

describe('raw CBOR helpers', () => {
  it('write what a strict DAG-CBOR decoder reads back (shortest heads, canonical key order)', () => {
    const cid = dagCborBlock({ a: 1 }).cid;
    const bytes = cborMap([
      ['zz', cborArray([cborInt(0), cborInt(23), cborInt(24), cborInt(256), cborInt(65536), cborInt(2 ** 32), cborInt(-1), cborInt(-257)])],
      ['b', cborBytes(Uint8Array.of(1, 2))],
      ['a', cborText('héllo')],
      ['link', cborCid(cid)],
      ['t', cborBool(true)],
      ['n', cborNull()],
    ]);
    expect(dagCbor.decode(bytes)).toEqual({
      a: 'héllo',
      b: Uint8Array.of(1, 2),
      n: null,
      t: true,
      zz: [0, 23, 24, 256, 65536, 2 ** 32, -1, -257],
      link: cid,
    });
    expect(dagCbor.encode(dagCbor.decode(bytes))).toEqual(bytes);
  });

  it('writes 64-bit integers and integral floats as such', () => {
    expect(Buffer.from(cborInt(2n ** 64n - 1n)).toString('hex')).toBe('1bffffffffffffffff');
    expect(Buffer.from(cborInt(-(2n ** 63n))).toString('hex')).toBe('3b7fffffffffffffff');
    expect(Buffer.from(cborFloat64(2)).toString('hex')).toBe('fb4000000000000000');
  });

  it('keeps the given key order on request and writes arbitrary text bytes', () => {
    const bytes = cborMap([['b', cborInt(1)], ['a', cborTextBytes(Uint8Array.of(0xff))]], { keepOrder: true });
    expect(Buffer.from(bytes).toString('hex')).toBe('a2616201616161ff');
    expect(() => decode(bytes)).not.toThrow();
  });
});
