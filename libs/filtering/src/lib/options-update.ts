import {
  goFieldFor,
  goFieldTypeError,
  goJsonSyntaxError,
  GoJsonReader,
  goValueTypeError,
  type GoJsonValue,
} from './go-json.js';
import { CLOSE_INVALID_MESSAGE, CLOSE_POLICY_VIOLATION, truncateCloseReason } from './close-reason.js';
import { parseGoInt64, parseMaxMessageSizeBytes } from './max-message-size.js';
import { parseSubscriberFilter, type FilterLimits, type SubscriberFilter } from './subscriber-filter.js';

/** The only client message type v1 acts on. */
export const OPTIONS_UPDATE_TYPE = 'options_update';

/** What to do with one text message from a subscriber. */
export type OptionsUpdateResult =
  /** Replace the filter and size cap wholesale, from the next event on. */
  | { kind: 'update'; filter: SubscriberFilter; maxMessageSizeBytes: number }
  /** A message of another `type` (v1 logs a warning and goes on). */
  | { kind: 'ignored'; messageType: string }
  /** Close the connection with this code and reason (cut to 123 bytes); `detail` is uncut, for logs. */
  | { kind: 'close'; code: number; reason: string; detail: string };

const utf8 = new TextEncoder();
const MESSAGE_TYPE = 'models.SubscriberSourcedMessage';
const MESSAGE_STRUCT = 'SubscriberSourcedMessage';
const PAYLOAD_TYPE = 'models.SubscriberOptionsUpdatePayload';
const PAYLOAD_STRUCT = 'SubscriberOptionsUpdatePayload';

/**
 * Reads a subscriber's text message as v1 does (reference §5.4): a `{type, payload}` envelope
 * decoded by Go's `encoding/json` rules (field names match case-insensitively, unknown fields
 * are ignored, the first type error wins), then for `options_update` the payload
 * `{wantedCollections, wantedDids, maxMessageSizeBytes}` validated as the query string is.
 *
 * Failures close the connection with v1's reason texts: `failed to unmarshal subscriber
 * sourced message: <err>` and `failed to unmarshal subscriber options update: <err>` (code
 * 1007), `failed to parse subscriber options: <err>` (code 1008), where `<err>` is Go's error
 * text. Unlike v1, the update's `maxMessageSizeBytes` is returned to be applied, and the
 * filter's size is bounded (`limits.maxFilterBytes`, see `parseSubscriberFilter`).
 */
export function parseOptionsUpdate(message: string | Uint8Array, limits: FilterLimits = {}): OptionsUpdateResult {
  const json = typeof message === 'string' ? utf8.encode(message) : message;
  const envelope = decodeEnvelope(json);
  if ('error' in envelope) return close(CLOSE_INVALID_MESSAGE, `failed to unmarshal subscriber sourced message: ${envelope.error}`);
  if (envelope.type !== OPTIONS_UPDATE_TYPE) return { kind: 'ignored', messageType: envelope.type };

  const payload = decodePayload(envelope.payload);
  if ('error' in payload) return close(CLOSE_INVALID_MESSAGE, `failed to unmarshal subscriber options update: ${payload.error}`);
  const filter = parseSubscriberFilter(payload.wantedCollections, payload.wantedDids, limits);
  if (!filter.ok) return close(CLOSE_POLICY_VIOLATION, `failed to parse subscriber options: ${filter.error}`);
  return { kind: 'update', filter: filter.filter, maxMessageSizeBytes: parseMaxMessageSizeBytes(payload.maxMessageSizeBytes) };
}

function close(code: number, reason: string): OptionsUpdateResult {
  return { kind: 'close', code, reason: truncateCloseReason(reason), detail: reason };
}

type Failure = { error: string };

/** `json.Unmarshal(message, &SubscriberSourcedMessage{Type string; Payload json.RawMessage})`. */
function decodeEnvelope(json: Uint8Array): { type: string; payload: Uint8Array | undefined } | Failure {
  const syntaxError = goJsonSyntaxError(json);
  if (syntaxError !== undefined) return { error: syntaxError };
  const reader = new GoJsonReader(json);
  const root = reader.root();
  const envelope = { type: '', payload: undefined as Uint8Array | undefined };
  if (root.kind === 'null') return envelope;
  if (root.kind !== 'object') return { error: goValueTypeError(root.kind, MESSAGE_TYPE) };
  let firstError: string | undefined;
  for (const [key, value] of reader.members(root)) {
    const field = goFieldFor(key, ['type', 'payload'] as const);
    if (field === 'payload') {
      // A RawMessage keeps any value's text, `null` included.
      envelope.payload = reader.raw(value);
    } else if (field === 'type') {
      if (value.kind === 'string') envelope.type = reader.text(value);
      else if (value.kind !== 'null') firstError ??= goFieldTypeError(value.kind, MESSAGE_STRUCT, 'type', 'string');
    }
  }
  return firstError === undefined ? envelope : { error: firstError };
}

interface OptionsUpdatePayload {
  wantedCollections: string[];
  wantedDids: string[];
  maxMessageSizeBytes: bigint;
}

/** `json.Unmarshal(payload, &SubscriberOptionsUpdatePayload{...})`; an absent payload is empty input. */
function decodePayload(json: Uint8Array | undefined): OptionsUpdatePayload | Failure {
  if (json === undefined) return { error: 'unexpected end of JSON input' };
  const reader = new GoJsonReader(json);
  const root = reader.root();
  const payload: OptionsUpdatePayload = { wantedCollections: [], wantedDids: [], maxMessageSizeBytes: 0n };
  if (root.kind === 'null') return payload;
  if (root.kind !== 'object') return { error: goValueTypeError(root.kind, PAYLOAD_TYPE) };
  const errors: string[] = [];
  for (const [key, value] of reader.members(root)) {
    const field = goFieldFor(key, ['wantedCollections', 'wantedDids', 'maxMessageSizeBytes'] as const);
    if (field === 'maxMessageSizeBytes') {
      const size = decodeInt(reader, value, field, errors);
      if (size !== undefined) payload.maxMessageSizeBytes = size;
    } else if (field !== undefined) {
      payload[field] = decodeStrings(reader, value, field, errors);
    }
  }
  return errors.length === 0 ? payload : { error: errors[0] as string };
}

/** A `[]string` field: `null` empties it, each element must be a string (`null` leaves ""). */
function decodeStrings(reader: GoJsonReader, value: GoJsonValue, field: string, errors: string[]): string[] {
  if (value.kind === 'null') return [];
  if (value.kind !== 'array') {
    errors.push(goFieldTypeError(value.kind, PAYLOAD_STRUCT, field, '[]string'));
    return [];
  }
  return Array.from(reader.elements(value), (element) => {
    if (element.kind === 'string') return reader.text(element);
    if (element.kind !== 'null') errors.push(goFieldTypeError(element.kind, PAYLOAD_STRUCT, field, 'string'));
    return '';
  });
}

/** An `int` field: a number literal that `ParseInt` accepts; `null` leaves it unchanged. */
function decodeInt(reader: GoJsonReader, value: GoJsonValue, field: string, errors: string[]): bigint | undefined {
  if (value.kind === 'null') return undefined;
  if (value.kind !== 'number') {
    errors.push(goFieldTypeError(value.kind, PAYLOAD_STRUCT, field, 'int'));
    return undefined;
  }
  const literal = new TextDecoder().decode(reader.raw(value));
  const integer = parseGoInt64(literal);
  if (integer === undefined) errors.push(goFieldTypeError(`number ${literal}`, PAYLOAD_STRUCT, field, 'int'));
  return integer;
}
