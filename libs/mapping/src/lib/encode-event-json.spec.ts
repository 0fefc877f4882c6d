import type { JetstreamEvent, RecordJson } from '@jetstream-ts/models';
import { from, lastValueFrom, toArray } from 'rxjs';
import { encodeEvent } from './encode-event.js';
import { encodeEventJson } from './encode-event-json.js';

const text = (event: JetstreamEvent) => Buffer.from(encodeEventJson(event)).toString('utf8');

describe('encodeEventJson', () => {
  it('writes a commit with every field in v1 order', () => {
    const event: JetstreamEvent = {
      did: 'did:plc:a',
      time_us: 1725911162329308,
      relaySeq: 1,
      kind: 'commit',
      commit: { rev: '3l3qo2vutsw2b', operation: 'create', collection: 'app.bsky.feed.like', rkey: '3l3qo2vuowo2b', record: '{"a":"é"}' as RecordJson, cid: 'bafy' },
    };
    expect(text(event)).toBe(
      '{"did":"did:plc:a","time_us":1725911162329308,"kind":"commit","commit":{"rev":"3l3qo2vutsw2b","operation":"create","collection":"app.bsky.feed.like","rkey":"3l3qo2vuowo2b","record":{"a":"é"},"cid":"bafy"}}',
    );
  });

  it('omits empty commit fields', () => {
    const event: JetstreamEvent = { did: 'did:plc:a', time_us: 0, relaySeq: 1, kind: 'commit', commit: { rev: '', operation: 'delete', collection: '', rkey: 'k' } };
    expect(text(event)).toBe('{"did":"did:plc:a","time_us":0,"kind":"commit","commit":{"operation":"delete","rkey":"k"}}');
  });

  it('escapes strings as Go does', () => {
    const event: JetstreamEvent = { did: 'did:web:a<b>&c', time_us: 5, relaySeq: 1, kind: 'identity', identity: { did: 'x', handle: 'h\u2028"\\', seq: 1, time: 't' } };
    expect(text(event)).toBe(
      '{"did":"did:web:a\\u003cb\\u003e\\u0026c","time_us":5,"kind":"identity","identity":{"did":"x","handle":"h\\u2028\\"\\\\","seq":1,"time":"t"}}',
    );
  });

  it('returns a fresh array each time', () => {
    const event: JetstreamEvent = { did: 'a', time_us: 1, relaySeq: 1, kind: 'account', account: { active: true, did: 'a', seq: 1, time: 't' } };
    const first = encodeEventJson(event);
    const second = encodeEventJson({ ...event, did: 'b' });
    expect(Buffer.from(first).toString()).toBe('{"did":"a","time_us":1,"kind":"account","account":{"active":true,"did":"a","seq":1,"time":"t"}}');
    expect(Buffer.from(second).toString()).toContain('"did":"b"');
  });
});

describe('encodeEvent', () => {
  it('encodes each event with the fields filters need', async () => {
    const events: JetstreamEvent[] = [
      { did: 'did:plc:a', time_us: 7, relaySeq: 3, kind: 'commit', commit: { rev: 'r', operation: 'delete', collection: 'a.b.c', rkey: 'k' } },
      { did: 'did:plc:b', time_us: 8, relaySeq: 4, kind: 'account', account: { active: true, did: 'did:plc:b', seq: 4, time: 't' } },
    ];
    const encoded = await lastValueFrom(from(events).pipe(encodeEvent(), toArray()));
    expect(encoded.map(({ json, ...rest }) => ({ ...rest, json: Buffer.from(json).toString() }))).toEqual([
      { time_us: 7, relaySeq: 3, did: 'did:plc:a', kind: 'commit', collection: 'a.b.c', json: text(events[0]) },
      { time_us: 8, relaySeq: 4, did: 'did:plc:b', kind: 'account', collection: '', json: text(events[1]) },
    ]);
  });
});
