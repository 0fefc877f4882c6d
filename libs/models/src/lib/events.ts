/**
 * Jetstream v1 events, as held in memory between the mapping and the encoder. Field names are
 * the wire names so that a reader can match them to the JSON (`time_us`, `rkey`, ...).
 */

/** A record already rendered as its exact v1 JSON text (sorted keys, `$link`, `$bytes`, blobs). */
export type RecordJson = string & { readonly __recordJson: unique symbol };

export type CommitOperation = 'create' | 'update' | 'delete';

export interface CommitEventBody {
  rev: string;
  operation: CommitOperation;
  collection: string;
  rkey: string;
  /** Present on create and update. */
  record?: RecordJson;
  /** The record's CID as a string; present on create and update. */
  cid?: string;
}

/** The relay's `#identity`, re-serialised in v1 field order: did, handle?, seq, time. */
export interface IdentityEventBody {
  did: string;
  handle?: string;
  seq: number;
  time: string;
}

/** The relay's `#account`, re-serialised in v1 field order: active, did, seq, status?, time. */
export interface AccountEventBody {
  active: boolean;
  did: string;
  seq: number;
  status?: string;
  time: string;
}

interface EventBase {
  did: string;
  /** Assigned by `sequence()`; 0 until then. */
  time_us: number;
  /** The relay seq of the frame this event came from (not on the wire; used for the relay cursor). */
  relaySeq: number;
}

export interface CommitEvent extends EventBase {
  kind: 'commit';
  commit: CommitEventBody;
}

export interface IdentityEvent extends EventBase {
  kind: 'identity';
  identity: IdentityEventBody;
}

export interface AccountEvent extends EventBase {
  kind: 'account';
  account: AccountEventBody;
}

export type JetstreamEvent = CommitEvent | IdentityEvent | AccountEvent;

export type JetstreamEventKind = JetstreamEvent['kind'];

/**
 * An event in its wire form, produced once and shared by every subscriber: the v1 JSON bytes,
 * optionally the zstd bytes, and the fields filters match on (so nobody re-parses JSON).
 */
export interface EncodedEvent {
  time_us: number;
  relaySeq: number;
  did: string;
  kind: JetstreamEventKind;
  /** Collection of a commit; '' for identity and account (they bypass collection filters). */
  collection: string;
  json: Uint8Array;
  zstd?: Uint8Array;
}
