/** Constants of the v1 wire contract and of the AT Protocol data model, defined once. */

/** Dictionary ID written in every zstd frame compressed with the v1 dictionary. */
export const ZSTD_DICTIONARY_V1_ID = 1612007021;

/** v1 record conversion limits (reference §2.6); a breach drops the op. */
export const MAX_RECORD_CBOR_BYTES = 1024 * 1024;
export const MAX_RECORD_STRING_BYTES = 1024 * 1024;
export const MAX_RECORD_KEY_BYTES = 8192;
export const MAX_RECORD_CONTAINER_ENTRIES = 131072;

/** Subscriber limits (reference §5.2). */
export const MAX_WANTED_COLLECTIONS = 100;
export const MAX_WANTED_DIDS = 10000;
export const MAX_CLIENT_MESSAGE_BYTES = 10_000_000;
export const MAX_CLOSE_REASON_BYTES = 123;

/** The public relay the v1 service reads by default. */
export const DEFAULT_RELAY_URL = 'wss://bsky.network/xrpc/com.atproto.sync.subscribeRepos';
