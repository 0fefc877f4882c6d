/**
 * Jetstream v1 events as a subscriber receives them (reference §3), typed by kind and, for the
 * Bluesky lexicons listed in {@link KnownRecords}, by collection.
 */

/** `{"$link": "<cid>"}`: a CID link in a record. */
export interface CidLink {
  $link: string;
}

/** A blob reference in a record (images, video). */
export interface BlobRef {
  $type: 'blob';
  ref: CidLink;
  mimeType: string;
  size: number;
}

/** A reference to another record: its AT URI and CID. */
export interface StrongRef {
  uri: string;
  cid: string;
}

/** `app.bsky.feed.post`, the fields most consumers read; the rest stay reachable as unknown. */
export interface PostRecord {
  $type: 'app.bsky.feed.post';
  text: string;
  createdAt: string;
  langs?: string[];
  reply?: { root: StrongRef; parent: StrongRef };
  facets?: unknown[];
  embed?: { $type: string; [field: string]: unknown };
  tags?: string[];
  [field: string]: unknown;
}

/** `app.bsky.feed.like`. */
export interface LikeRecord {
  $type: 'app.bsky.feed.like';
  subject: StrongRef;
  createdAt: string;
  [field: string]: unknown;
}

/** `app.bsky.feed.repost`. */
export interface RepostRecord {
  $type: 'app.bsky.feed.repost';
  subject: StrongRef;
  createdAt: string;
  [field: string]: unknown;
}

/** `app.bsky.graph.follow`. */
export interface FollowRecord {
  $type: 'app.bsky.graph.follow';
  subject: string;
  createdAt: string;
  [field: string]: unknown;
}

/** Record types by collection NSID. Other collections get {@link UnknownRecord}. */
export interface KnownRecords {
  'app.bsky.feed.post': PostRecord;
  'app.bsky.feed.like': LikeRecord;
  'app.bsky.feed.repost': RepostRecord;
  'app.bsky.graph.follow': FollowRecord;
}

/** A record of a lexicon this package does not describe. */
export interface UnknownRecord {
  $type?: string;
  [field: string]: unknown;
}

/** The record type of collection `C`. */
export type RecordOf<C extends string> = C extends keyof KnownRecords ? KnownRecords[C] : UnknownRecord;

/** The collections a `wantedCollections` entry matches: `app.bsky.feed.*` is a prefix. */
export type CollectionMatching<W extends string> = W extends `${infer Prefix}.*` ? `${Prefix}.${string}` : W;

/** A create or update of a record in collection `C`. */
export interface CommitWrite<C extends string> {
  rev: string;
  operation: 'create' | 'update';
  collection: C;
  rkey: string;
  record: RecordOf<C>;
  cid: string;
}

/** A delete in collection `C`: no record, no cid. */
export interface CommitDelete<C extends string> {
  rev: string;
  operation: 'delete';
  collection: C;
  rkey: string;
}

/** One op of a repo commit; one event per op. Distributes over a union of collections. */
export type CommitEvent<C extends string = string> = C extends string
  ? { did: string; time_us: number; kind: 'commit'; commit: CommitWrite<C> | CommitDelete<C> }
  : never;

export interface IdentityEvent {
  did: string;
  time_us: number;
  kind: 'identity';
  /** The relay's `#identity`, in v1 field order. */
  identity: { did: string; handle?: string; seq: number; time: string };
}

export interface AccountEvent {
  did: string;
  time_us: number;
  kind: 'account';
  /** The relay's `#account`, in v1 field order. */
  account: { active: boolean; did: string; seq: number; status?: string; time: string };
}

/**
 * An event of a stream filtered to collections `C` (any collection by default). Identity and
 * account events bypass collection filters, as in v1.
 */
export type JetstreamEvent<C extends string = string> = CommitEvent<C> | IdentityEvent | AccountEvent;

/** An event together with its wire form, for consumers that forward or store the exact bytes. */
export interface JetstreamMessage<C extends string = string> {
  event: JetstreamEvent<C>;
  /** The event's v1 JSON text exactly as the server sent it (decompressed when compressed). */
  json: string;
  /** Size of the WebSocket message as received (the zstd frame when compressed). */
  wireBytes: number;
}

/**
 * Narrows an event to a commit in `collection`.
 *
 * @example
 * import { isCommitIn } from '@jetstream-ts/client';
 *
 * // event: a JetstreamEvent the client emitted
 * if (isCommitIn(event, 'app.bsky.feed.post') && event.commit.operation === 'create') {
 *   console.log(event.commit.record.text);
 * }
 */
export function isCommitIn<C extends string>(event: JetstreamEvent, collection: C): event is CommitEvent<C> {
  return event.kind === 'commit' && event.commit.collection === collection;
}
