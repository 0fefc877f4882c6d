import { createV1Compressor } from '@jetstream-ts/compression';
import { decodeFrame } from '@jetstream-ts/frames';
import { encodeEventJson, frameToEvents } from '@jetstream-ts/mapping';
import type { DropReport, DropReporter } from '@jetstream-ts/models';
import { wallClockMicros } from '@jetstream-ts/sequencing';
import { summarizeSizes, type SizeDistribution } from './size-distribution.js';

/** A frame, or an op in it, that did not become an event: where and why. */
export interface DecodeFailure extends DropReport {
  /** Position of the frame in the log, from 0. */
  frameIndex: number;
}

export interface InspectReport {
  frames: number;
  events: number;
  framesByType: Record<string, number>;
  eventsByKind: Record<string, number>;
  /** Ops of `#commit` frames by action, as the relay sent them (before any drop). */
  opsByAction: Record<string, number>;
  /** Collections with the most ops, most first. */
  topCollections: { collection: string; ops: number }[];
  frameBytes: SizeDistribution;
  /** Each event's v1 JSON, as the server would send it now. */
  eventJsonBytes: SizeDistribution;
  /** Each event's v1 JSON compressed alone with the v1 zstd dictionary. */
  eventZstdBytes: SizeDistribution;
  decodeFailures: number;
  /** The first failures (up to the inspector's limit), in frame order. */
  decodeFailureList: DecodeFailure[];
}

export interface InspectorOptions {
  topCollections?: number;
  /** Failures kept in the list; all of them are counted. */
  maxFailures?: number;
}

/**
 * Accumulates the statistics of a frame log, one frame at a time, using the same decoding and
 * encoding as the server (decodeFrame → frameToEvents → encodeEventJson, zstd with the v1
 * dictionary). A failure is attributed to the frame it came from.
 */
export class FrameLogInspector {
  private frameIndex = -1;
  private readonly framesByType = new Map<string, number>();
  private readonly eventsByKind = new Map<string, number>();
  private readonly opsByAction = new Map<string, number>();
  private readonly opsByCollection = new Map<string, number>();
  private readonly frameSizes: number[] = [];
  private readonly jsonSizes: number[] = [];
  private readonly zstdSizes: number[] = [];
  private readonly failures: DecodeFailure[] = [];
  private failureCount = 0;
  private readonly compressor = createV1Compressor();
  private readonly drops: DropReporter = { drop: (report) => this.recordFailure(report) };
  private readonly topCollections: number;
  private readonly maxFailures: number;

  constructor(options: InspectorOptions = {}) {
    this.topCollections = options.topCollections ?? 10;
    this.maxFailures = options.maxFailures ?? 100;
  }

  /** Adds the next frame of the log. */
  addFrame(bytes: Uint8Array): void {
    this.frameIndex++;
    this.frameSizes.push(bytes.length);
    const frame = decodeFrame(bytes);
    increment(this.framesByType, frame.type);
    if (frame.type === 'invalid') {
      this.recordFailure({ stage: 'frame', reason: 'invalid-frame', detail: frame.reason });
      return;
    }
    if (frame.type === 'commit') {
      for (const op of frame.body.ops) {
        increment(this.opsByAction, op.action);
        increment(this.opsByCollection, op.path.split('/')[0]);
      }
    }
    const stampedNow = wallClockMicros();
    for (const event of frameToEvents(frame, this.drops)) {
      // A present-day time_us, so the JSON is as long as what the server sends.
      event.time_us = stampedNow;
      const json = encodeEventJson(event);
      increment(this.eventsByKind, event.kind);
      this.jsonSizes.push(json.length);
      this.zstdSizes.push(this.compressor.compress(json).length);
    }
  }

  /** Events produced so far. */
  get events(): number {
    return this.jsonSizes.length;
  }

  report(): InspectReport {
    return {
      frames: this.frameIndex + 1,
      events: this.jsonSizes.length,
      framesByType: Object.fromEntries(this.framesByType),
      eventsByKind: Object.fromEntries(this.eventsByKind),
      opsByAction: Object.fromEntries(this.opsByAction),
      topCollections: [...this.opsByCollection]
        .sort(([nameX, x], [nameY, y]) => y - x || (nameX < nameY ? -1 : 1))
        .slice(0, this.topCollections)
        .map(([collection, ops]) => ({ collection, ops })),
      frameBytes: summarizeSizes(this.frameSizes),
      eventJsonBytes: summarizeSizes(this.jsonSizes),
      eventZstdBytes: summarizeSizes(this.zstdSizes),
      decodeFailures: this.failureCount,
      decodeFailureList: [...this.failures],
    };
  }

  private recordFailure(report: DropReport): void {
    this.failureCount++;
    if (this.failures.length < this.maxFailures)
      this.failures.push({ frameIndex: this.frameIndex, ...report });
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
