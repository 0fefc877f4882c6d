import { decodeFrame } from '@jetstream-ts/frames';
import { frameSeq } from '@jetstream-ts/models';
import { rewriteFrameSeq } from './rewrite-frame-seq.js';

interface TimelineFrame {
  bytes: Uint8Array;
  /** The frame's own seq, or undefined for frames that carry none (error, info, garbage). */
  seq: number | undefined;
}

/**
 * Everything a fake relay will ever send, in order: the recorded frames played `loop` times,
 * then frames appended while it runs. Pass `k` (0-based) of the loop adds `k * span` to every
 * seq, where `span = lastSeq - firstSeq + 1`, so each pass continues the sequence and holds
 * new events; its frames are re-encoded with the new seq only when they are read.
 */
export class RelayTimeline {
  private readonly recorded: TimelineFrame[];
  private readonly appended: TimelineFrame[] = [];
  private readonly span: number;
  private readonly waiters = new Set<() => void>();

  constructor(
    frames: readonly Uint8Array[],
    private readonly loop = 1,
  ) {
    if (!Number.isInteger(loop) || loop < 1)
      throw new RangeError(`loop must be a positive integer, got ${loop}`);
    this.recorded = frames.map((bytes) => ({ bytes, seq: frameSeq(decodeFrame(bytes)) }));
    let lowest = Infinity;
    let highest = -Infinity;
    for (const { seq } of this.recorded) {
      if (seq === undefined) continue;
      lowest = Math.min(lowest, seq);
      highest = Math.max(highest, seq);
    }
    this.span = highest >= lowest ? highest - lowest + 1 : 0;
  }

  /** Number of frames available now. */
  get length(): number {
    return this.recorded.length * this.loop + this.appended.length;
  }

  /** The highest seq available now, or undefined when no frame carries one. */
  get lastSeq(): number | undefined {
    for (let index = this.length - 1; index >= 0; index--) {
      const seq = this.seqAt(index);
      if (seq !== undefined) return seq;
    }
    return undefined;
  }

  /** The lowest seq available, or undefined when no frame carries one. */
  get firstSeq(): number | undefined {
    for (let index = 0; index < this.length; index++) {
      const seq = this.seqAt(index);
      if (seq !== undefined) return seq;
    }
    return undefined;
  }

  /** The seq of frame `index` as it is sent (after the loop rewrite). */
  seqAt(index: number): number | undefined {
    const { frame, pass } = this.locate(index);
    return frame.seq === undefined ? undefined : frame.seq + pass * this.span;
  }

  /** The bytes of frame `index` as they are sent (re-encoded with the new seq after pass 0). */
  frameAt(index: number): Uint8Array {
    const { frame, pass } = this.locate(index);
    if (pass === 0 || frame.seq === undefined) return frame.bytes;
    return rewriteFrameSeq(frame.bytes, frame.seq + pass * this.span);
  }

  /**
   * The index of the first frame to send to a client that asked for `cursor`: the first frame
   * with seq > cursor. A frame without a seq goes with the seq-carrying frame before it.
   */
  indexAfter(cursor: number): number {
    let start = 0;
    let seq = -Infinity;
    for (let index = 0; index < this.length; index++) {
      seq = this.seqAt(index) ?? seq;
      if (seq <= cursor) start = index + 1;
    }
    return start;
  }

  /** Adds frames after everything already there (their seqs are taken as they are). */
  append(frames: readonly Uint8Array[]): void {
    for (const bytes of frames) this.appended.push({ bytes, seq: frameSeq(decodeFrame(bytes)) });
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves when the timeline grows past `length` frames, or when `signal` aborts. */
  waitForMore(length: number, signal: AbortSignal): Promise<void> {
    if (this.length > length || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', wake);
    });
  }

  private locate(index: number): { frame: TimelineFrame; pass: number } {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`frame index ${index} outside 0..${this.length - 1}`);
    }
    const looped = this.recorded.length * this.loop;
    if (index >= looped) return { frame: this.appended[index - looped], pass: 0 };
    return {
      frame: this.recorded[index % this.recorded.length],
      pass: Math.floor(index / this.recorded.length),
    };
  }
}
