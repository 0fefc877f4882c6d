import { CountingDropReporter } from './counting-drop-reporter.js';

describe('CountingDropReporter', () => {
  it('counts by stage and reason, most frequent first, keeping the first report of each', () => {
    const drops = new CountingDropReporter();
    drops.drop({ stage: 'op', reason: 'record-missing', path: 'app.bsky.feed.post/1' });
    drops.drop({ stage: 'frame', reason: 'invalid-cbor' });
    drops.drop({ stage: 'op', reason: 'record-missing', path: 'app.bsky.feed.post/2' });
    drops.drop({ stage: 'commit', reason: 'record-missing' });

    expect(drops.total).toBe(4);
    expect(drops.counts()).toEqual([
      {
        stage: 'op',
        reason: 'record-missing',
        count: 2,
        first: { stage: 'op', reason: 'record-missing', path: 'app.bsky.feed.post/1' },
      },
      {
        stage: 'commit',
        reason: 'record-missing',
        count: 1,
        first: { stage: 'commit', reason: 'record-missing' },
      },
      { stage: 'frame', reason: 'invalid-cbor', count: 1, first: { stage: 'frame', reason: 'invalid-cbor' } },
    ]);
  });

  it('starts empty', () => {
    expect(new CountingDropReporter().counts()).toEqual([]);
  });
});
