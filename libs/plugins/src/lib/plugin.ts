import type { AppendBatch, FirehoseFrame, JetstreamEvent, LoggedEvent } from '@jetstream-ts/models';
import type { MonoTypeOperatorFunction } from 'rxjs';

/**
 * An operator at an ingest stage, in pipeline order:
 * - `frames`: decoded relay frames, before they become events (every frame type, `#sync` too);
 * - `events`: Jetstream events before they are sequenced, encoded and stored (dropping one here
 *   costs no `time_us`);
 * - `sequenced`: events with their `time_us`, JSON and zstd bytes, before the store (taps, mirrors);
 * - `committed`: batches once the store has committed them with their relay cursor.
 *
 * Ingest plugins must be synchronous: they emit while the frame is being processed, never later.
 * The relay cursor advances per frame once the frame has passed every stage, so an operator that
 * delays values would let the cursor run ahead of them.
 */
export type IngestPlugin = {
  [S in IngestStage]: {
    readonly name: string;
    readonly stage: S;
    readonly operator: MonoTypeOperatorFunction<IngestStageValues[S]>;
  };
}[IngestStage];

/** What flows through each ingest stage. */
export interface IngestStageValues {
  frames: FirehoseFrame;
  events: JetstreamEvent;
  sequenced: LoggedEvent;
  committed: AppendBatch;
}

export type IngestStage = keyof IngestStageValues;

/**
 * An operator per subscriber session, after the session's own filter and before its size cap,
 * rate limit and send. `session` is called once per `/subscribe` request, before the upgrade, with
 * the request's query: a plugin reads its own options there (v1 ignores unknown ones) and throws a
 * {@link PluginOptionError} to refuse the request with HTTP 400 and that message. It returns the
 * session's operator, or `undefined` when it has nothing to do for this subscriber.
 *
 * The operator must be synchronous (it emits while given an event); an event it emits later is
 * sent with the next one. An event it changes must carry matching `json` and `zstd` bytes.
 */
export interface SubscriberPlugin {
  readonly name: string;
  readonly stage: 'subscriber';
  session(query: URLSearchParams): MonoTypeOperatorFunction<LoggedEvent> | undefined;
}

/** Any plugin, at any stage. */
export type JetstreamPlugin = IngestPlugin | SubscriberPlugin;

/** Where a plugin's operator sits. */
export type PluginStage = JetstreamPlugin['stage'];

export const PLUGIN_STAGES: readonly PluginStage[] = [
  'frames',
  'events',
  'sequenced',
  'committed',
  'subscriber',
];

/** Thrown by a subscriber plugin's `session` for a bad option: the request gets HTTP 400 with the message. */
export class PluginOptionError extends Error {
  override readonly name = 'PluginOptionError';
}

/** A plugin that failed at run time: its input was dropped and the plugin goes on with the next value. */
export interface PluginFailure {
  readonly plugin: string;
  readonly stage: PluginStage;
  readonly error: unknown;
}

/** Told of each contained plugin failure (the server counts it and logs the first per plugin). */
export type PluginFailureHandler = (failure: PluginFailure) => void;
