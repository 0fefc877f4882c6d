import type { JetstreamEvent } from '@jetstream-ts/client';
import { prettyEvent, timeUsToIso } from './pretty-event.js';

const base = { did: 'did:plc:a', time_us: 1_782_907_200_000_001 };

describe('prettyEvent', () => {
  it('writes time_us with its microseconds', () => {
    expect(timeUsToIso(1_782_907_200_123_456)).toBe('2026-07-01T12:00:00.123456Z');
  });

  it('says what happened, to what, by whom; a post with its text on one line, cut at 100 characters', () => {
    const post = (text: string): JetstreamEvent => ({
      ...base,
      kind: 'commit',
      commit: { rev: 'r', operation: 'update', collection: 'app.bsky.feed.post', rkey: 'k', cid: 'c', record: { $type: 'app.bsky.feed.post', createdAt: 't', text } },
    });
    expect(prettyEvent(post('two\n\nlines "quoted"'))).toBe(
      '2026-07-01T12:00:00.000001Z commit update app.bsky.feed.post/k did:plc:a "two lines \\"quoted\\""',
    );
    expect(prettyEvent(post('é'.repeat(120)))).toBe(`2026-07-01T12:00:00.000001Z commit update app.bsky.feed.post/k did:plc:a "${'é'.repeat(100)}…"`);
    expect(prettyEvent({ ...base, kind: 'commit', commit: { rev: 'r', operation: 'delete', collection: 'app.bsky.feed.like', rkey: 'k2' } })).toBe(
      '2026-07-01T12:00:00.000001Z commit delete app.bsky.feed.like/k2 did:plc:a',
    );
  });

  it('names the handle of an identity and the state of an account', () => {
    expect(prettyEvent({ ...base, kind: 'identity', identity: { did: 'did:plc:a', handle: 'alice.test', seq: 1, time: 't' } })).toBe(
      '2026-07-01T12:00:00.000001Z identity did:plc:a handle alice.test',
    );
    expect(prettyEvent({ ...base, kind: 'account', account: { active: false, did: 'did:plc:a', seq: 2, status: 'deactivated', time: 't' } })).toBe(
      '2026-07-01T12:00:00.000001Z account did:plc:a inactive (deactivated)',
    );
    expect(prettyEvent({ ...base, kind: 'account', account: { active: true, did: 'did:plc:a', seq: 3, time: 't' } })).toBe(
      '2026-07-01T12:00:00.000001Z account did:plc:a active',
    );
  });
});
