/**
 * AT Protocol identifier syntax checks. The NSID and DID rules are the ones v1 applies to
 * subscriber filters (reference §5.2.6), so that we accept and reject exactly what v1 does.
 */

const NSID_PATTERN =
  /^[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+(\.[a-zA-Z]([a-zA-Z0-9]{0,62})?)$/;
const NSID_MAX_LENGTH = 317;

const DID_PLC_FAST = /^did:plc:[a-zA-Z0-9]{24}$/;
const DID_PATTERN = /^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$/;
const DID_MAX_LENGTH = 2048;

const RKEY_PATTERN = /^[a-zA-Z0-9._:~-]{1,512}$/;
const TID_PATTERN = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;

/** True when `value` is an NSID as indigo's `ParseNSID` accepts it (e.g. `app.bsky.feed.post`). */
export function isNsid(value: string): boolean {
  return value.length <= NSID_MAX_LENGTH && NSID_PATTERN.test(value);
}

/** True when `value` is a DID as indigo's `ParseDID` accepts it. */
export function isDid(value: string): boolean {
  if (DID_PLC_FAST.test(value)) return true;
  return value.length <= DID_MAX_LENGTH && DID_PATTERN.test(value);
}

/** True when `value` is a syntactically valid record key (not `.` or `..`). */
export function isRecordKey(value: string): boolean {
  return value !== '.' && value !== '..' && RKEY_PATTERN.test(value);
}

/** True when `value` is a TID: 13 base32-sortable characters, top bit clear. */
export function isTid(value: string): boolean {
  return TID_PATTERN.test(value);
}
