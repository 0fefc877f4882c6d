/**
 * A record that v1 would not convert to JSON, so its op is dropped. `reason` is a short stable
 * label (for drop reports and metrics): `record-too-large`, `not-an-object`, `invalid-cbor`,
 * `string-too-long`, `key-too-long`, `too-many-entries`, `too-deep`, `integer-out-of-range`,
 * `float-not-integral`, `invalid-link`, `invalid-bytes`, `invalid-type`, `invalid-blob`, `too-complex`
 * (maps nested so that converting would cost many times the record's size: hostile input).
 */
export class RecordConversionError extends Error {
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'RecordConversionError';
  }
}
