import type { CommitBody, FirehoseFrame } from '@jetstream-ts/models';
import { Registry } from 'prom-client';
import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { createMetrics } from './create-metrics.js';
import { timeCommitProcessing } from './time-commit-processing.js';

const H = 'consumer_event_processing_duration_seconds';
const S = 'socket_url="wss://relay.example"';

const commit = (seq: number, extra: Partial<CommitBody> = {}): FirehoseFrame => ({
  type: 'commit',
  size: 1000,
  body: {
    seq, rebase: false, tooBig: false, repo: 'did:plc:a', rev: 'r', since: null, blocks: new Uint8Array(), blobs: [],
    time: '2026-07-01T00:00:00.000Z', commit: undefined as never, ops: [], ...extra,
  },
});

describe('timeCommitProcessing', () => {
  it('observes the downstream processing time of each commit, not of tooBig commits or other frames', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { socketUrl: 'wss://relay.example' });
    let nowMs = 1000;
    const frames: FirehoseFrame[] = [
      commit(1),
      commit(2, { tooBig: true }),
      { type: 'identity', size: 100, body: { seq: 3, did: 'did:plc:a', time: '2026-07-01T00:00:00.000Z' } },
      commit(4),
    ];
    // Downstream work per frame: 3 ms, then 100 ms for the two that must not be timed, then 0.5 ms.
    const work = [3, 100, 100, 0.5];
    let frameIndex = 0;
    const passed = await lastValueFrom(
      from(frames).pipe(
        timeCommitProcessing(metrics, () => nowMs),
        tap(() => (nowMs += work[frameIndex++] ?? 0)),
        toArray(),
      ),
    );
    expect(passed).toEqual(frames);

    const text = await registry.metrics();
    expect(text).toContain(`${H}_count{${S}} 2`);
    expect(text).toContain(`${H}_sum{${S}} 0.0035`);
    expect(text).toContain(`${H}_bucket{le="0.0004",${S}} 0`);
    expect(text).toContain(`${H}_bucket{le="0.0008",${S}} 1`);
    expect(text).toContain(`${H}_bucket{le="0.0016",${S}} 1`);
    expect(text).toContain(`${H}_bucket{le="0.0032",${S}} 2`);
  });

  it('passes errors through', async () => {
    const metrics = createMetrics(new Registry(), { socketUrl: 'wss://relay.example' });
    const failing = from([commit(1)]).pipe(tap(() => { throw new Error('decode failed'); }));
    await expect(lastValueFrom(failing.pipe(timeCommitProcessing(metrics)))).rejects.toThrow('decode failed');
  });
});
