import type { JetStreamManager } from '@nats-io/jetstream';
import { decodeEventMessage } from './event-message.js';

/** Where an edge starts reading the stream. */
export interface StreamStart {
  /** Stream sequence of the first event with `time_us` above the asked one (the last sequence + 1 when none is yet). */
  seq: number;
  /**
   * Set when the edge is older than everything retained and retention has removed messages: the
   * oldest retained `time_us`; events between the edge's head and it may be lost to it.
   */
  gapBeforeTimeUs?: number;
}

/**
 * Finds the first message of the event stream with `time_us > afterTimeUs` by binary search on
 * stream sequences (`time_us` grows with them): about log2(messages) lookups, 28 for a day at
 * 2,000 events/s. This is how an edge resumes from its own store's head with no other state.
 * Messages it cannot read (another format) are passed over, as the edge refuses them.
 *
 * @example
 * import { firstSequenceAfter } from '@jetstream-ts/nats';
 *
 * // jsm: from connectNats(); store: the edge's CursorBuffer
 * const { seq } = await firstSequenceAfter(jsm, 'JETSTREAM_EVENTS', store.headTimeUs());
 *
 * @param jsm The JetStream manager.
 * @param stream The stream's name.
 * @param afterTimeUs The newest `time_us` already held (0 for none: start at the oldest retained event).
 * @return The sequence to start from, and whether events between were lost to retention.
 */
export async function firstSequenceAfter(jsm: JetStreamManager, stream: string, afterTimeUs: number): Promise<StreamStart> {
  const { state } = await jsm.streams.info(stream);
  // A message this version cannot read stands for the next one it can (the edge refuses it
  // anyway); past the last readable one, it is after every time_us.
  const timeAt = async (seq: number): Promise<number> => {
    for (let at = seq; at <= state.last_seq; at++) {
      const message = await jsm.streams.getMessage(stream, { seq: at });
      // Aged out while we search: older than anything still there.
      if (message === null) return -1;
      const fields = decodeEventMessage(message.data);
      if (typeof fields !== 'string') return fields.time_us;
    }
    return Infinity;
  };
  if (state.messages === 0) return { seq: state.last_seq + 1 };
  const oldest = await timeAt(state.first_seq);
  if (oldest > afterTimeUs) return { seq: state.first_seq, gapBeforeTimeUs: afterTimeUs > 0 && state.first_seq > 1 && Number.isFinite(oldest) ? oldest : undefined };
  let low = state.first_seq + 1;
  let high = state.last_seq + 1;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if ((await timeAt(middle)) > afterTimeUs) high = middle;
    else low = middle + 1;
  }
  return { seq: low };
}
