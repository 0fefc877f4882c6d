/** A rounded count with thousands separators (`1,276`); `-` for NaN or infinity. */
export const count = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-');

/** A number with `digits` decimals; `-` for NaN or infinity. */
export const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** Bytes in MiB, one decimal. */
export const megabytes = (bytes: number) => fixed(bytes / (1024 * 1024));
