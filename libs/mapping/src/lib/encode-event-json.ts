import type { JetstreamEvent } from '@jetstream-ts/models';
import { JsonWriter } from './json-writer.js';

/**
 * The exact v1 JSON bytes of an event (reference §3): top-level `did, time_us, kind` then
 * `commit` (`rev, operation, collection, rkey, record, cid`, each omitted when empty),
 * `identity` (`did, handle?, seq, time`) or `account` (`active, did, seq, status?, time`).
 * Compact, no trailing newline; strings escaped as Go does (`\u003c`, `\u0026`, …).
 *
 * @param event The event (its `time_us` already set by `sequence()`).
 * @return The JSON bytes (a new array).
 */
export function encodeEventJson(event: JetstreamEvent): Uint8Array {
  const out = sharedWriter;
  out.reset();
  out.raw('{"did":');
  out.string(event.did);
  out.raw(',"time_us":');
  out.integer(event.time_us);
  switch (event.kind) {
    case 'commit': {
      const { commit } = event;
      out.raw(',"kind":"commit","commit":{');
      // Every commit field is omitempty: `first` says whether a comma is due.
      let first = writeStringField(out, true, REV, commit.rev);
      first = writeStringField(out, first, OPERATION, commit.operation);
      first = writeStringField(out, first, COLLECTION, commit.collection);
      first = writeStringField(out, first, RKEY, commit.rkey);
      if (commit.record) {
        out.raw(first ? RECORD[0] : RECORD[1]);
        out.rawText(commit.record);
        first = false;
      }
      writeStringField(out, first, CID, commit.cid);
      break;
    }
    case 'identity': {
      const { identity } = event;
      out.raw(',"kind":"identity","identity":{"did":');
      out.string(identity.did);
      if (identity.handle !== undefined) {
        out.raw(',"handle":');
        out.string(identity.handle);
      }
      out.raw(',"seq":');
      out.integer(identity.seq);
      out.raw(',"time":');
      out.string(identity.time);
      break;
    }
    case 'account': {
      const { account } = event;
      out.raw(account.active ? ',"kind":"account","account":{"active":true,"did":' : ',"kind":"account","account":{"active":false,"did":');
      out.string(account.did);
      out.raw(',"seq":');
      out.integer(account.seq);
      if (account.status !== undefined) {
        out.raw(',"status":');
        out.string(account.status);
      }
      out.raw(',"time":');
      out.string(account.time);
      break;
    }
  }
  out.raw('}}');
  return out.bytes();
}

/**
 * A commit field's key, without and with the leading comma. Made once: keys built per event
 * (template strings) are concatenations that the byte copy would flatten each time.
 */
type FieldKey = readonly [string, string];
const fieldKey = (name: string): FieldKey => [`"${name}":`, `,"${name}":`];
const REV = fieldKey('rev');
const OPERATION = fieldKey('operation');
const COLLECTION = fieldKey('collection');
const RKEY = fieldKey('rkey');
const RECORD = fieldKey('record');
const CID = fieldKey('cid');

/** Writes an omitempty string field; returns whether a comma is still not due. */
function writeStringField(out: JsonWriter, first: boolean, key: FieldKey, value: string | undefined): boolean {
  if (!value) return first;
  out.raw(first ? key[0] : key[1]);
  out.string(value);
  return false;
}

/** Reused by every call: encoding is synchronous and never re-entered, and the copy it returns is fresh. */
const sharedWriter = new JsonWriter();
