import type { AccountBody, CommitBody, FrameHeader, IdentityBody, InfoBody, SyncBody } from '@jetstream-ts/models';
import * as dagCbor from '@ipld/dag-cbor';
import { concatBytes } from './raw-cbor.js';

/**
 * Wire bytes of a `subscribeRepos` frame: the DAG-CBOR header, then the DAG-CBOR body. Written
 * with @ipld/dag-cbor directly, not with the frames library, so that tests of the decoder do not
 * depend on the code they test.
 */
export function buildFrame(header: FrameHeader, body: unknown): Uint8Array {
  return concatBytes([dagCbor.encode(header), dagCbor.encode(body)]);
}

/** A message frame (`op: 1`) of type `t`, e.g. `#commit`. */
export function messageFrame(t: string, body: unknown): Uint8Array {
  return buildFrame({ op: 1, t }, body);
}

export function commitFrame(body: CommitBody): Uint8Array {
  return messageFrame('#commit', body);
}

export function identityFrame(body: IdentityBody): Uint8Array {
  return messageFrame('#identity', body);
}

export function accountFrame(body: AccountBody): Uint8Array {
  return messageFrame('#account', body);
}

export function syncFrame(body: SyncBody): Uint8Array {
  return messageFrame('#sync', body);
}

export function infoFrame(body: InfoBody): Uint8Array {
  return messageFrame('#info', body);
}

/** An error frame (`op: -1`): body `{error, message?}`. */
export function errorFrame(error: string, message?: string): Uint8Array {
  return buildFrame({ op: -1 }, message === undefined ? { error } : { error, message });
}
