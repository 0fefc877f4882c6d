import { createMemoryEventStore, type EventStore } from '@jetstream-ts/cursor-buffer';
import type { AppendBatch, FirehoseFrame, JetstreamEvent, LoggedEvent } from '@jetstream-ts/models';
import type { IngestPlugin, PluginFailure } from '@jetstream-ts/plugins';
import { delay, filter, firstValueFrom, from, lastValueFrom, map, mergeMap, Subject, tap, toArray } from 'rxjs';
import { ingestFrames, type IngestStages } from './ingest-frames.js';
import { IngestProgress } from './ingest-progress.js';

/**
 * Test messages are text, decoded by fake stages: `commit:<seq>:<ops>`, `sync:<seq>`, `info`,
 * `bad`. A commit gives one event per op, with did `did:<seq>` and collection `c<op>`.
 */
const message = (text: string) => new TextEncoder().encode(text);

const fakeStages: IngestStages = {
  decode: map((bytes): FirehoseFrame => {
    const [type, seq, ops] = new TextDecoder().decode(bytes).split(':');
    const size = bytes.length;
    if (type === 'commit') return { type: 'commit', size, body: { seq: Number(seq), ops: Array(Number(ops)).fill(null) } } as unknown as FirehoseFrame;
    if (type === 'sync') return { type: 'sync', size, body: { seq: Number(seq) } } as unknown as FirehoseFrame;
    if (type === 'info') return { type: 'info', size, body: { name: 'OutdatedCursor' } };
    return { type: 'invalid', size, reason: 'bad' };
  }),
  toEvents: mergeMap((frame) => {
    if (frame.type !== 'commit') return [];
    const seq = frame.body.seq;
    return frame.body.ops.map(
      (_, op): JetstreamEvent => ({
        did: `did:${seq}`,
        time_us: 0,
        relaySeq: seq,
        kind: 'commit',
        commit: { rev: 'r', operation: 'create', collection: `c${op}`, rkey: 'k' },
      }),
    );
  }),
  encode: map(
    (event): LoggedEvent => ({
      time_us: event.time_us,
      relaySeq: event.relaySeq,
      did: event.did,
      kind: event.kind,
      collection: event.kind === 'commit' ? event.commit.collection : '',
      json: new Uint8Array(),
      zstd: new Uint8Array(),
    }),
  ),
};

/** A log whose appends wait until the test releases them. */
function gatedLog(store: EventStore) {
  const gates: (() => void)[] = [];
  const appends: AppendBatch[] = [];
  return {
    log: {
      headTimeUs: () => store.headTimeUs(),
      append: (events: readonly LoggedEvent[], relayCursor: number) => {
        appends.push({ events: [...events], relayCursor });
        return new Promise<void>((resolve) => gates.push(() => resolve(store.append(events, relayCursor))));
      },
    },
    appends,
    release: () => gates.shift()?.(),
  };
}

const ingestAll = (texts: string[], options: Partial<Parameters<typeof ingestFrames>[0]> & { log: EventStore }) =>
  lastValueFrom(from(texts.map(message)).pipe(ingestFrames({ stages: fakeStages, clock: () => 0, ...options }), toArray()));

const stored = (store: EventStore) => store.readFrom(0, 1000).map((event) => `${event.time_us} ${event.did} ${event.collection}`);

describe('ingestFrames', () => {
  it('commits every event in relay order, time_us continuing above the head, and the last frame as cursor', async () => {
    const store = createMemoryEventStore();
    await store.append([{ time_us: 100, relaySeq: 0, did: 'did:0', kind: 'identity', collection: '', json: new Uint8Array(), zstd: new Uint8Array() }], 0);
    await ingestAll(['commit:1:2', 'sync:2', 'commit:3:1', 'info', 'sync:4'], { log: store });
    expect(stored(store)).toEqual(['100 did:0 ', '101 did:1 c0', '102 did:1 c1', '103 did:3 c0']);
    expect(store.relayCursor()).toBe(4);
  });

  it('advances the cursor over frames that produce no events', async () => {
    const store = createMemoryEventStore();
    const batches = await ingestAll(['sync:7', 'info', 'bad', 'sync:8', 'bad'], { log: store });
    expect(stored(store)).toEqual([]);
    expect(batches.at(-1)?.relayCursor).toBe(8);
    expect(store.relayCursor()).toBe(8);
  });

  it('records every undecodable message (size, reason, the seq it followed) before the cursor moves past it', async () => {
    const store = createMemoryEventStore();
    const records: string[] = [];
    const progress = new IngestProgress(5);
    const cursorWhenTold: (number | undefined)[] = [];
    const onSkippedFrame = (skipped: { afterSeq: number | undefined; bytes: number; reason: string }) => {
      records.push(`after ${skipped.afterSeq}: ${skipped.bytes} bytes, ${skipped.reason}`);
      cursorWhenTold.push(progress.processed);
    };
    await ingestAll(['bad', 'commit:7:1', 'bad!', 'bad', 'sync:9'], { log: store, progress, onSkippedFrame });
    expect(records).toEqual(['after 5: 3 bytes, bad', 'after 7: 4 bytes, bad', 'after 7: 3 bytes, bad']);
    expect(cursorWhenTold).toEqual([undefined, 7, 7]);
    expect(store.relayCursor()).toBe(9);
  });

  it('keeps one commit in flight and gathers the frames that arrive meanwhile into the next batch', async () => {
    const store = createMemoryEventStore();
    const gated = gatedLog(store);
    const messages = new Subject<Uint8Array>();
    const output = lastValueFrom(messages.pipe(ingestFrames({ log: gated.log, stages: fakeStages, clock: () => 0, maxBatchEvents: 2 }), toArray()));
    messages.next(message('commit:1:2'));
    messages.next(message('commit:2:3'));
    messages.next(message('sync:3'));
    messages.next(message('commit:4:1'));
    messages.complete();
    gated.release();
    await new Promise((resolve) => setImmediate(resolve));
    gated.release();
    const batches = await output;
    expect(gated.appends.map((batch) => [batch.events.map((event) => event.did), batch.relayCursor])).toEqual([
      [['did:1', 'did:1'], 1],
      [['did:2', 'did:2', 'did:2', 'did:4'], 4],
    ]);
    expect(batches.map((batch) => batch.relayCursor)).toEqual([1, 4]);
    expect(stored(store)).toEqual(['1 did:1 c0', '2 did:1 c1', '3 did:2 c0', '4 did:2 c1', '5 did:2 c2', '6 did:4 c0']);
  });

  it('commits a partial batch maxBatchWaitMs after it started, without waiting for more frames', async () => {
    const store = createMemoryEventStore();
    const messages = new Subject<Uint8Array>();
    const committed = firstValueFrom(messages.pipe(ingestFrames({ log: store, stages: fakeStages, maxBatchWaitMs: 1 })));
    messages.next(message('commit:9:1'));
    expect((await committed).relayCursor).toBe(9);
    expect(store.relayCursor()).toBe(9);
  });

  it('tracks processed and committed seqs, and resumes from the start cursor until a frame is processed', async () => {
    const store = createMemoryEventStore();
    const progress = new IngestProgress(41);
    expect(progress.resumeCursor()).toBe(41);
    await ingestAll(['commit:42:1', 'sync:43'], { log: store, progress });
    expect(progress).toMatchObject({ processed: 43, committed: 43 });
    expect(progress.resumeCursor()).toBe(43);
  });

  it('runs plugins at their stage; frames a plugin filters out still advance the cursor and events it drops use no time_us', async () => {
    const store = createMemoryEventStore();
    const plugins: IngestPlugin[] = [
      { name: 'no-seq-2', stage: 'frames', operator: filter((frame) => !('body' in frame && 'seq' in frame.body && frame.body.seq === 2)) },
      { name: 'no-c1', stage: 'events', operator: filter((event) => event.kind !== 'commit' || event.commit.collection !== 'c1') },
    ];
    await ingestAll(['commit:1:3', 'commit:2:1'], { log: store, plugins });
    expect(stored(store)).toEqual(['1 did:1 c0', '2 did:1 c2']);
    expect(store.relayCursor()).toBe(2);
  });

  it('warns once when a plugin emits after its frame was processed', async () => {
    const warnings: string[] = [];
    const plugins: IngestPlugin[] = [{ name: 'late', stage: 'events', operator: delay(1) }];
    await ingestAll(['commit:1:2'], { log: createMemoryEventStore(), plugins, onWarning: (warning) => warnings.push(warning) });
    expect(warnings).toHaveLength(1);
  });

  it('errors when a commit fails', async () => {
    const failing = { headTimeUs: () => 0, append: () => Promise.reject(new Error('disk full')) };
    await expect(lastValueFrom(from([message('commit:1:1')]).pipe(ingestFrames({ log: failing, stages: fakeStages })))).rejects.toThrow('disk full');
  });

  it('contains a plugin that throws: the value is dropped and reported, the rest goes on and the cursor advances', async () => {
    const store = createMemoryEventStore();
    const failures: PluginFailure[] = [];
    const throwing: IngestPlugin = {
      name: 'throws',
      stage: 'frames',
      operator: map((frame) => {
        if ('body' in frame && 'seq' in frame.body && frame.body.seq === 2) throw new Error('plugin bug');
        return frame;
      }),
    };
    await ingestAll(['commit:1:1', 'commit:2:1', 'commit:3:1'], { log: store, plugins: [throwing], onPluginFailure: (failure) => failures.push(failure) });
    expect(stored(store)).toEqual(['1 did:1 c0', '2 did:3 c0']);
    expect(store.relayCursor()).toBe(3);
    expect(failures).toEqual([{ plugin: 'throws', stage: 'frames', error: new Error('plugin bug') }]);
  });

  it('runs sequenced plugins on encoded events with their time_us, and committed plugins on committed batches', async () => {
    const sequenced: number[] = [];
    const committed: number[] = [];
    const plugins: IngestPlugin[] = [
      { name: 'seen', stage: 'sequenced', operator: tap((event) => sequenced.push(event.time_us)) },
      { name: 'batches', stage: 'committed', operator: tap((batch) => committed.push(batch.relayCursor)) },
    ];
    const batches = await ingestAll(['commit:1:2', 'sync:2'], { log: createMemoryEventStore(), plugins });
    expect(sequenced).toEqual([1, 2]);
    expect(committed).toEqual(batches.map((batch) => batch.relayCursor));
    expect(committed.at(-1)).toBe(2);
  });
});
