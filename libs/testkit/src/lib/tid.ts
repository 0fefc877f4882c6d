const BASE32_SORTABLE = '234567abcdefghijklmnopqrstuvwxyz';

/**
 * A TID (timestamp identifier, used for revs and record keys): 13 base32-sortable characters
 * encoding `timeUs << 10 | clockId` with the top bit clear. Increasing `timeUs` gives increasing TIDs.
 */
export function tid(timeUs: number, clockId = 0): string {
  let value = (BigInt(Math.floor(timeUs)) << 10n) | BigInt(clockId & 0x3ff);
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = BASE32_SORTABLE[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}
