import type { JetstreamMessage } from '@jetstream-ts/client';
import { renderStats, statsLine, StreamStats } from './stream-stats.js';
import { eventJson } from './fake-jetstream.test-util.js';

const commit = (collection: string, timeUs: number, wireBytes: number): JetstreamMessage => {
  const json = eventJson(timeUs, collection);
  return { event: JSON.parse(json), json, wireBytes };
};
const identity = (timeUs: number): JetstreamMessage => ({
  event: { did: 'did:plc:a', time_us: timeUs, kind: 'identity', identity: { did: 'did:plc:a', seq: 1, time: 't' } },
  json: '{}',
  wireBytes: 100,
});

describe('StreamStats', () => {
  it('gives rates over the interval since the last snapshot, by collection, with the lag and reconnects', () => {
    const stats = new StreamStats(10_000);
    for (let i = 0; i < 6; i++) stats.record(commit('app.bsky.feed.like', 11_000_000 + i, 200));
    for (let i = 0; i < 3; i++) stats.record(commit('app.bsky.feed.post', 11_500_000 + i, 600));
    stats.record(identity(11_900_000));
    stats.reconnected();
    expect(stats.snapshot(12_000)).toEqual({
      eventsPerSecond: 5,
      bytesPerSecond: (6 * 200 + 3 * 600 + 100) / 2,
      lagMs: 100,
      reconnects: 1,
      totalEvents: 10,
      totalBytes: 3100,
      collections: [
        { name: 'app.bsky.feed.like', perSecond: 3 },
        { name: 'app.bsky.feed.post', perSecond: 1.5 },
        { name: '(identity)', perSecond: 0.5 },
      ],
    });
    expect(stats.snapshot(13_000)).toMatchObject({ eventsPerSecond: 0, bytesPerSecond: 0, lagMs: 1100, totalEvents: 10, collections: [] });
  });
});

describe('renderStats and statsLine', () => {
  const snapshot = {
    eventsPerSecond: 2014.4,
    bytesPerSecond: 1.15 * 1024 * 1024,
    lagMs: 35,
    reconnects: 2,
    totalEvents: 40280,
    totalBytes: 22.4 * 1024 * 1024,
    collections: [
      { name: 'app.bsky.feed.like', perSecond: 1390 },
      { name: 'app.bsky.feed.post', perSecond: 221.26 },
      { name: '(identity)', perSecond: 2.5 },
    ],
  };

  it('draws a summary and the top collections aligned', () => {
    expect(renderStats(snapshot, 2)).toEqual([
      'events/s 2014 | bytes/s 1.1 MB | lag 35 ms | reconnects 2 | total 40280 events, 22.4 MB',
      '  app.bsky.feed.like  1390',
      '  app.bsky.feed.post  221',
    ]);
    expect(renderStats({ ...snapshot, collections: [], lagMs: undefined, eventsPerSecond: 0, bytesPerSecond: 512 }, 2)).toEqual([
      'events/s 0.0 | bytes/s 512 B | lag - | reconnects 2 | total 40280 events, 22.4 MB',
    ]);
  });

  it('puts it on one line for logs', () => {
    expect(statsLine({ ...snapshot, lagMs: 2500 }, 3)).toBe(
      'events/s 2014 | bytes/s 1.1 MB | lag 2.5 s | reconnects 2 | total 40280 events, 22.4 MB | app.bsky.feed.like 1390, app.bsky.feed.post 221, (identity) 2.5',
    );
  });
});
