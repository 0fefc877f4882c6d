import { JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';

/** Where the sequenced events live in NATS: one JetStream stream, one subject, one message per event. */
export interface EventStreamConfig {
  /** JetStream stream name. Default `JETSTREAM_EVENTS`. */
  name: string;
  /** The subject every event is published on. Default `jetstream.<name>`, so that streams of several clusters never overlap. */
  subject: string;
  /** How long the stream keeps an event: how far back a late edge can back-fill. Default 24 h (v1's event TTL). */
  maxAgeMs: number;
  /** Copies of each message in a NATS cluster (1, 3 or 5). Default 1. */
  replicas: number;
  /**
   * How long JetStream remembers a `Nats-Msg-Id` to drop a re-published event. Default 2 min
   * (JetStream's); capped at `maxAgeMs`, which JetStream requires.
   */
  duplicateWindowMs: number;
}

export const DEFAULT_EVENT_STREAM: Readonly<EventStreamConfig> = Object.freeze({
  name: 'JETSTREAM_EVENTS',
  subject: 'jetstream.JETSTREAM_EVENTS',
  maxAgeMs: 24 * 3_600_000,
  replicas: 1,
  duplicateWindowMs: 120_000,
});

/**
 * The stream configuration: the defaults with `overrides` on top, checked.
 *
 * @example
 * import { eventStreamConfig } from '@jetstream-ts/nats';
 *
 * const stream = eventStreamConfig({ name: 'EVENTS', maxAgeMs: 3_600_000 });
 *
 * @param overrides The settings that differ from {@link DEFAULT_EVENT_STREAM}.
 * @return The configuration; throws a `RangeError` naming the bad setting.
 */
export function eventStreamConfig(overrides: Partial<EventStreamConfig> = {}): EventStreamConfig {
  const name = overrides.name ?? DEFAULT_EVENT_STREAM.name;
  const config = { ...DEFAULT_EVENT_STREAM, subject: `jetstream.${name}`, ...overrides };
  if (!/^[A-Za-z0-9_-]+$/.test(config.name)) throw new RangeError(`stream name ${JSON.stringify(config.name)}: letters, digits, '-' and '_' only`);
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(config.subject)) {
    throw new RangeError(`stream subject ${JSON.stringify(config.subject)}: dot-separated tokens, no wildcards`);
  }
  if (!(Number.isSafeInteger(config.maxAgeMs) && config.maxAgeMs >= 1000)) throw new RangeError(`stream retention ${config.maxAgeMs} ms: at least 1 s`);
  if (![1, 3, 5].includes(config.replicas)) throw new RangeError(`stream replicas ${config.replicas}: 1, 3 or 5`);
  return { ...config, duplicateWindowMs: Math.min(config.duplicateWindowMs, config.maxAgeMs) };
}

export interface EnsureEventStreamOptions {
  /** Bring an existing stream's retention, replicas and de-dup window to `config` (the ingester owns them). Default false. */
  update?: boolean;
}

/**
 * Makes sure the event stream exists and can hold the event log: creates it if missing (limits
 * retention, file storage), and rejects a stream that would lose or scatter events (another
 * subject, work-queue or interest retention, a cap on messages or bytes that discards new ones).
 *
 * @example
 * import { ensureEventStream, eventStreamConfig } from '@jetstream-ts/nats';
 * import { jetstreamManager } from '@nats-io/jetstream';
 *
 * // connection: a NatsConnection (e.g. from connectNats())
 * const info = await ensureEventStream(await jetstreamManager(connection), eventStreamConfig(), { update: true });
 *
 * @param jsm The JetStream manager of the connection.
 * @param config The stream's configuration.
 * @param options Whether to update an existing stream's limits.
 * @return The stream's info after creation or update.
 */
export async function ensureEventStream(jsm: JetStreamManager, config: EventStreamConfig, options: EnsureEventStreamOptions = {}): Promise<StreamInfo> {
  const wanted = {
    max_age: nanos(config.maxAgeMs),
    num_replicas: config.replicas,
    duplicate_window: nanos(config.duplicateWindowMs),
  };
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(config.name);
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    return jsm.streams.add({ name: config.name, subjects: [config.subject], retention: RetentionPolicy.Limits, storage: StorageType.File, ...wanted });
  }
  const problem = misconfiguration(info, config);
  if (problem !== undefined) throw new Error(`stream ${config.name} is misconfigured for the event log: ${problem}`);
  const current = info.config;
  const differs = current.max_age !== wanted.max_age || current.num_replicas !== wanted.num_replicas || current.duplicate_window !== wanted.duplicate_window;
  if (!options.update || !differs) return info;
  return jsm.streams.update(config.name, { ...current, ...wanted });
}

function misconfiguration(info: StreamInfo, config: EventStreamConfig): string | undefined {
  const { subjects = [], retention, max_msgs, max_bytes, max_msgs_per_subject } = info.config;
  if (subjects.length !== 1 || subjects[0] !== config.subject) return `its subjects are ${JSON.stringify(subjects)}, expected ["${config.subject}"]`;
  if (retention !== RetentionPolicy.Limits) return `retention is ${retention}; edges need "limits" (events stay until max age)`;
  if (max_msgs > 0 || max_bytes > 0 || max_msgs_per_subject > 0) return 'it caps messages or bytes; the log is trimmed by max age only';
  return undefined;
}
