import { commitFrames, type EventStore, type FrameEvents } from '@jetstream-ts/cursor-buffer';
import {
  frameSeq,
  type AppendBatch,
  type FirehoseFrame,
  type JetstreamEvent,
  type LoggedEvent,
} from '@jetstream-ts/models';
import { sequence } from '@jetstream-ts/sequencing';
import { Observable, Subject, tap, type MonoTypeOperatorFunction, type OperatorFunction, type SchedulerLike } from 'rxjs';
import {
  containPlugin,
  type IngestPlugin,
  type IngestStage,
  type IngestStageValues,
  type PluginFailureHandler,
} from '@jetstream-ts/plugins';
import type { IngestProgress } from './ingest-progress.js';

/** The stage operators around sequencing; `v1IngestStages()` gives the reference ones. */
export interface IngestStages {
  /** Relay message bytes to frames (`decodeFrames`). */
  decode: OperatorFunction<Uint8Array, FirehoseFrame>;
  /** Frames to events, `time_us` still 0 (`toJetstreamEvents`). */
  toEvents: OperatorFunction<FirehoseFrame, JetstreamEvent>;
  /** Sequenced events to their stored form, JSON and zstd (`encodeEvent` then `compressEvents`). */
  encode: OperatorFunction<JetstreamEvent, LoggedEvent>;
}

export interface IngestFramesOptions {
  /** Where batches are committed, with the relay cursor (a `CursorBuffer` or a bare store). */
  log: Pick<EventStore, 'append' | 'headTimeUs'>;
  stages: IngestStages;
  /** Operators contributed at the `frames`, `events`, `sequenced` and `committed` stages, in order. */
  plugins?: readonly IngestPlugin[];
  /**
   * Told of each plugin failure. Plugins are contained: a value that makes a plugin error or
   * throw is dropped and the plugin goes on with the next one (see `containPlugin`).
   */
  onPluginFailure?: PluginFailureHandler;
  /** Advanced as frames are processed and committed (the relay source resumes from it). */
  progress?: IngestProgress;
  /** A batch is handed to the store once it holds this many events (at a frame boundary). Default 1,000. */
  maxBatchEvents?: number;
  /** ... or this long after its first frame. Default 20 ms. */
  maxBatchWaitMs?: number;
  /** Unix µs for `time_us` (default: the wall clock). */
  clock?: () => number;
  scheduler?: SchedulerLike;
  /** Told once if a stage emits outside the processing of a frame (an asynchronous plugin). */
  onWarning?: (message: string) => void;
  /**
   * Told of every relay message that could not be decoded, before the cursor moves past it:
   * the record of what was skipped (log it and count it; see {@link SkippedFrame}).
   */
  onSkippedFrame?: (skipped: SkippedFrame) => void;
}

/**
 * A relay message that did not decode as a frame, so its events (if it had any) are not in the
 * log. Its own seq is unreadable; it came after the frame `afterSeq` and before the next one the
 * relay sent, which is the range to look at (the repo's next commit also names what it follows).
 */
export interface SkippedFrame {
  /** Seq of the last frame before it (undefined when nothing came before it on this run and no cursor was stored). */
  afterSeq: number | undefined;
  /** The message's size in bytes. */
  bytes: number;
  /** Why it could not be decoded (e.g. `unexpected end of input`). */
  reason: string;
}

/**
 * The ingest pipeline: relay frames in, committed append batches out.
 *
 * Each message goes decode → `frames` plugins → toEvents → `events` plugins → `sequence()`
 * (continuing above the log's head, so `time_us` stays strictly increasing across restarts) →
 * encode → `sequenced` plugins, and its events join the pending batch; committed batches pass
 * the `committed` plugins on their way out. Each plugin is contained: a value that makes it fail
 * is dropped and reported to `onPluginFailure`, and the pipeline goes on. Once a frame has gone through every stage,
 * its seq becomes the pending relay cursor, whether or not it produced events: `#sync`,
 * `#info`, tooBig commits and dropped frames advance the cursor too (v1 did not). Batches (events
 * plus that cursor) are committed by `commitFrames` (cursor-buffer) in one store transaction each,
 * when one holds `maxBatchEvents` or `maxBatchWaitMs` after it started; only one commit is in
 * flight, and frames arriving meanwhile make the next batch bigger. So the committed cursor never runs ahead of the
 * committed events, nor behind them, and a restart after `kill -9` resumes exactly after the
 * last committed frame.
 *
 * A message that does not decode is skipped with a record: `onSkippedFrame` is told its size,
 * the reason and the seq it followed, before any later frame moves the cursor past it. Retrying
 * cannot help: WebSocket messages arrive whole, so a relay that sent undecodable bytes sends
 * the same bytes again from the same cursor, and waiting for it would stop ingest for good.
 *
 * When the source completes, the pending batch is committed, then the output completes. A
 * failed commit errors the output (ingesting on without the store would lose events).
 *
 * @example
 * import { createV1Compressor } from '@jetstream-ts/compression';
 * import { IngestProgress, ingestFrames, v1IngestStages } from '@jetstream-ts/ingest';
 * import { relayFrames } from '@jetstream-ts/upstream';
 *
 * // log: a CursorBuffer; wsUrl: the relay's subscribeRepos URL; drops: a DropReporter; logger: pino
 * const progress = new IngestProgress(log.relayCursor());
 * const stages = v1IngestStages({ drops, compressor: createV1Compressor() });
 * relayFrames({ wsUrl, cursor: () => progress.resumeCursor() })
 *   .pipe(ingestFrames({ log, stages, progress }))
 *   .subscribe((batch) => logger.debug({ cursor: batch.relayCursor }, 'committed'));
 *
 * @param options The log, the stage operators, plugins and batching limits.
 * @return An operator from relay message bytes to committed {@link AppendBatch}es.
 */
export function ingestFrames(options: IngestFramesOptions): OperatorFunction<Uint8Array, AppendBatch> {
  const { log, stages, progress, plugins = [], maxBatchEvents, maxBatchWaitMs, scheduler } = options;
  const stage = pluginsAt(plugins, options.onPluginFailure);
  const committedStage = stage('committed');

  /** Each relay message through every stage, as the events it made and its seq. */
  const toFrameEvents = (messages: Observable<Uint8Array>) =>
    new Observable<FrameEvents>((destination) => {
      // Per subscription: the message in flight and the events it made so far.
      const input = new Subject<Uint8Array>();
      let inFrame = false;
      let seqOfFrame: number | undefined;
      let lastSeq = progress?.resumeCursor();
      let events: LoggedEvent[] = [];
      let sourceError: { error: unknown } | undefined;
      let warned = false;

      const eventsSubscription = input
        .pipe(
          stages.decode,
          tap((frame) => {
            seqOfFrame = frameSeq(frame);
            // While its message is processed, so before any later frame can move the cursor past it.
            if (frame.type === 'invalid') options.onSkippedFrame?.({ afterSeq: lastSeq, bytes: frame.size, reason: frame.reason });
          }),
          stage('frames'),
          stages.toEvents,
          stage('events'),
          sequence({ after: log.headTimeUs(), clock: options.clock }),
          stages.encode,
          stage('sequenced'),
        )
        .subscribe({
          next: (event) => {
            if (!inFrame && !warned) {
              warned = true;
              options.onWarning?.('an ingest stage emitted an event after its frame was processed: the relay cursor may run ahead of it');
            }
            events.push(event);
          },
          error: (error: unknown) => destination.error(error),
          // Only now is every event of every frame in (stages may emit as they complete): end like the source.
          complete: () => {
            if (events.length > 0) destination.next({ events, relayCursor: undefined });
            if (sourceError) destination.error(sourceError.error);
            else destination.complete();
          },
        });

      const messagesSubscription = messages.subscribe({
        next: (message) => {
          seqOfFrame = undefined;
          inFrame = true;
          input.next(message);
          inFrame = false;
          // A stage threw: the output has errored, and this frame must not reach the cursor.
          if (destination.closed) return;
          if (seqOfFrame !== undefined) {
            lastSeq = seqOfFrame;
            if (progress) progress.processed = seqOfFrame;
          }
          if (events.length === 0 && seqOfFrame === undefined) return;
          const frameEvents = events;
          events = [];
          destination.next({ events: frameEvents, relayCursor: seqOfFrame });
        },
        error: (error: unknown) => {
          sourceError = { error };
          input.complete();
        },
        complete: () => input.complete(),
      });

      return () => {
        messagesSubscription.unsubscribe();
        eventsSubscription.unsubscribe();
      };
    });

  return (messages) =>
    toFrameEvents(messages).pipe(
      commitFrames(log, { maxBatchEvents, maxBatchWaitMs, scheduler }),
      tap((batch) => {
        if (progress) progress.committed = batch.relayCursor;
      }),
      committedStage,
    );
}

/** Per stage, its plugins' operators, each contained, applied one after another (identity for none). */
function pluginsAt(plugins: readonly IngestPlugin[], onFailure: PluginFailureHandler = () => undefined) {
  return <S extends IngestStage>(stage: S): MonoTypeOperatorFunction<IngestStageValues[S]> => {
    const operators = plugins
      .filter((plugin) => plugin.stage === stage)
      .map((plugin) =>
        containPlugin(plugin.operator as unknown as MonoTypeOperatorFunction<IngestStageValues[S]>, (error) =>
          onFailure({ plugin: plugin.name, stage, error }),
        ),
      );
    return (source) => operators.reduce((stream, operator) => stream.pipe(operator), source);
  };
}
