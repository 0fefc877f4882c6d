/**
 * `did:plc:` identifiers are 24 base32 characters: 120 bits, so 15 bytes instead of 32 when
 * stored. Most of the network's DIDs are did:plc, which makes this worth its few lines.
 */

const PLC_PREFIX = 'did:plc:';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const PLC_DID = /^did:plc:[a-z2-7]{24}$/;
export const PACKED_PLC_BYTES = 15;

/** The value of a base32 character code: 'a'..'z' are 0..25, '2'..'7' are 26..31. */
const base32Value = (code: number) => (code >= 97 ? code - 97 : code - 24);

export function isPackablePlcDid(did: string): boolean {
  return PLC_DID.test(did);
}

/** Writes the 15 bytes of a DID accepted by {@link isPackablePlcDid}. */
export function writePackedPlcDid(did: string, target: Uint8Array, offset: number): number {
  // 8 characters (40 bits) make 5 bytes; three such groups.
  for (let group = 0; group < 3; group++) {
    let bits = 0;
    for (let i = 0; i < 8; i++) {
      bits = bits * 32 + base32Value(did.charCodeAt(PLC_PREFIX.length + group * 8 + i));
    }
    for (let i = 4; i >= 0; i--) {
      target[offset + i] = bits % 256;
      bits = Math.floor(bits / 256);
    }
    offset += 5;
  }
  return offset;
}

export function readPackedPlcDid(source: Uint8Array, offset: number): string {
  let did = PLC_PREFIX;
  for (let group = 0; group < 3; group++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) bits = bits * 256 + source[offset + group * 5 + i];
    let chars = '';
    for (let i = 0; i < 8; i++) {
      chars = BASE32[bits % 32] + chars;
      bits = Math.floor(bits / 32);
    }
    did += chars;
  }
  return did;
}
