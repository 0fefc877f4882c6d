import type { CommitBody, FirehoseFrame } from '@jetstream-ts/models';
import { Registry } from 'prom-client';
import { from, lastValueFrom, toArray } from 'rxjs';
import { countFrames } from './count-frames.js';
import { createMetrics } from './create-metrics.js';

const S = 'socket_url="wss://relay.example"';

const commit = (seq: number, ops: Array<[string, string]>, extra: Partial<CommitBody> = {}): FirehoseFrame => ({
  type: 'commit',
  size: 1000,
  body: {
    seq, rebase: false, tooBig: false, repo: 'did:plc:a', rev: 'r', since: null, blocks: new Uint8Array(), blobs: [],
    time: '2026-07-01T00:00:00.000Z', commit: undefined as never,
    ops: ops.map(([action, path]) => ({ action, path, cid: null })),
    ...extra,
  },
});

describe('countFrames', () => {
  it('counts frames, events by type, ops by action and collection, and the progress gauges', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { socketUrl: 'wss://relay.example' });
    const frames: FirehoseFrame[] = [
      commit(1, [['create', 'app.bsky.feed.like/3k'], ['delete', 'app.bsky.feed.like/3j'], ['create', 'app.bsky.feed.post/3l']]),
      commit(2, [['create', 'app.bsky.feed.like/3m']], { tooBig: true }),
      { type: 'identity', size: 100, body: { seq: 3, did: 'did:plc:a', time: '2026-07-01T00:00:00.000Z' } },
      { type: 'sync', size: 50, body: { seq: 4, did: 'did:plc:a', blocks: new Uint8Array(), rev: 'r', time: 'x' } },
      { type: 'error', size: 20, error: 'FutureCursor' },
      { type: 'account', size: 100, body: { seq: 5, did: 'did:plc:a', time: 'not a time', active: true } },
    ];
    const passed = await lastValueFrom(from(frames).pipe(countFrames(metrics), toArray()));
    expect(passed).toEqual(frames);

    const text = await registry.metrics();
    expect(text).toContain('indigo_repo_stream_events_received_total{remote_addr="wss://relay.example"} 6');
    expect(text).toContain('indigo_repo_stream_bytes_total{remote_addr="wss://relay.example"} 2270');
    expect(text).toContain(`consumer_events_processed_total{${S},event_type="commit"} 2`);
    expect(text).toContain(`consumer_events_processed_total{${S},event_type="identity"} 1`);
    expect(text).toContain(`consumer_events_processed_total{${S},event_type="account"} 1`);
    expect(text).toContain(`consumer_events_processed_total{${S},event_type="error"} 1`);
    expect(text).toContain(`consumer_ops_processed_total{${S},kind="create",op_path="app.bsky.feed.like"} 1`);
    expect(text).toContain(`consumer_ops_processed_total{${S},kind="delete",op_path="app.bsky.feed.like"} 1`);
    expect(text).toContain(`consumer_ops_processed_total{${S},kind="create",op_path="app.bsky.feed.post"} 1`);
    expect(text).toContain(`consumer_last_seq{${S}} 5`);
    // Relay time of the identity (the account's time does not parse): 2026-07-01 in Unix ns.
    expect(text).toContain(`consumer_last_evt_created_at{${S}} ${Date.UTC(2026, 6, 1) * 1e6}`);
  });
});
