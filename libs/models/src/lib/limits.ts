/** Constants of the v1 wire contract and of the AT Protocol data model, defined once. */

/** Dictionary ID written in every zstd frame compressed with the v1 dictionary. */
export const ZSTD_DICTIONARY_V1_ID = 1612007021;

/** v1 record conversion limits (reference §2.6); a breach drops the op. */
export const MAX_RECORD_CBOR_BYTES = 1024 * 1024;
export const MAX_RECORD_STRING_BYTES = 1024 * 1024;
export const MAX_RECORD_KEY_BYTES = 8192;
export const MAX_RECORD_CONTAINER_ENTRIES = 131072;

/**
 * Work bounds for one `#commit` (hostile input: any PDS can craft one). Past a budget the whole
 * commit is dropped (stage `commit`, reason `over-budget`). Real commits are far below them: the
 * lexicon allows 200 ops and 2,000,000 bytes of blocks; the largest real fixture (42 ops) is a
 * 14.6 KB CAR of 71 blocks whose lookups make 525 MST node visits reading 1,109 entries.
 */
export const MAX_COMMIT_CAR_BYTES = 4_000_000;
export const MAX_COMMIT_CAR_BLOCKS = 10_000;
/** MST nodes read by all the lookups of one commit together (200 ops × 50 levels). */
export const MAX_COMMIT_MST_NODE_VISITS = 10_000;
/** Entries of the MST nodes those lookups read, per visit (a real node holds a few; a crafted one 100,000). */
export const MAX_COMMIT_MST_ENTRY_READS = 1_000_000;
/**
 * Nodes on one MST lookup path: one per layer, and sha-256 keys have at most 128 layers above
 * layer 0. A deeper path is not an MST; the op is dropped (reason `mst-too-deep`).
 */
export const MAX_MST_DEPTH = 129;
/** Nesting of DAG-CBOR containers read from relay input (frames, records): deeper is refused, not recursed into. */
export const MAX_CBOR_NESTING = 512;

/** Subscriber limits (reference §5.2). */
export const MAX_WANTED_COLLECTIONS = 100;
export const MAX_WANTED_DIDS = 10000;
export const MAX_CLIENT_MESSAGE_BYTES = 10_000_000;
export const MAX_CLOSE_REASON_BYTES = 123;

/** The public relay the v1 service reads by default. */
export const DEFAULT_RELAY_URL = 'wss://bsky.network/xrpc/com.atproto.sync.subscribeRepos';
