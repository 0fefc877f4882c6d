/**
 * The expected v1 wire JSON, written from the reference (jetstream-v1.md §2.5, §2.6, §3) and
 * independent of the server's encoder: Go `json.Marshal` rules for records, struct field order
 * for the envelope, identity and account objects.
 */

/** A relay frame's fields that an event carries through unchanged. */
export type RelayFields = { rev: string } | { seq: number; time: string };

/** An event as `@jetstream-ts/test-pds` expects it (`ExpectedEvent`). */
export type ScriptEvent =
  | {
      kind: 'commit';
      did: string;
      commit: { operation: string; collection: string; rkey: string; cid?: string; record?: Record<string, unknown> };
    }
  | { kind: 'identity'; did: string; identity: { handle: string } }
  | { kind: 'account'; did: string; account: { active: boolean; status?: string } };

const GO_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A JSON string as Go writes it: `<>&` and U+2028/U+2029 as \u escapes, other non-ASCII raw. */
export function goString(text: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/["\\\u0000-\u001f<>&\u2028\u2029]/g, (char) =>
    GO_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${escaped}"`;
}

const utf8 = new TextEncoder();

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * A record value as v1 writes it (§2.6): map keys sorted by the bytes of their JSON-encoded
 * form, except a blob, whose four fields keep struct order `$type, ref, mimeType, size`.
 */
export function goJson(value: unknown): string {
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  const map = value as Record<string, unknown>;
  if (map['$type'] === 'blob' && Object.keys(map).length === 4) {
    return `{"$type":"blob","ref":${goJson(map['ref'])},"mimeType":${goJson(map['mimeType'])},"size":${goJson(map['size'])}}`;
  }
  const entries = Object.keys(map)
    .map((key) => ({ key: goString(key), value: map[key] }))
    .sort((a, b) => compareBytes(utf8.encode(a.key), utf8.encode(b.key)));
  return `{${entries.map((entry) => `${entry.key}:${goJson(entry.value)}`).join(',')}}`;
}

/**
 * The v1 JSON of an expected event with `time_us` 0 (§3 key orders; identity: did, handle, seq,
 * time; account: active, did, seq, status, time), `relay` giving what the relay frame said.
 */
export function expectedV1Json(event: ScriptEvent, relay: RelayFields): string {
  const head = `{"did":${goString(event.did)},"time_us":0,"kind":"${event.kind}"`;
  switch (event.kind) {
    case 'commit': {
      const { operation, collection, rkey, record, cid } = event.commit;
      const rev = (relay as { rev: string }).rev;
      const body = record === undefined ? '' : `,"record":${goJson(record)},"cid":${goString(cid!)}`;
      return `${head},"commit":{"rev":${goString(rev)},"operation":"${operation}","collection":${goString(collection)},"rkey":${goString(rkey)}${body}}}`;
    }
    case 'identity': {
      const { seq, time } = relay as { seq: number; time: string };
      return `${head},"identity":{"did":${goString(event.did)},"handle":${goString(event.identity.handle)},"seq":${seq},"time":${goString(time)}}}`;
    }
    case 'account': {
      const { seq, time } = relay as { seq: number; time: string };
      const status = event.account.status === undefined ? '' : `,"status":${goString(event.account.status)}`;
      return `${head},"account":{"active":${event.account.active},"did":${goString(event.did)},"seq":${seq}${status},"time":${goString(time)}}}`;
    }
  }
}
