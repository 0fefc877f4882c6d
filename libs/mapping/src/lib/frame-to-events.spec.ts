import { decodeFrame } from '@jetstream-ts/frames';
import type { FirehoseFrame } from '@jetstream-ts/models';
import {
  accountFrame,
  buildCommit,
  commitFrame,
  createDropRecorder,
  errorFrame,
  identityFrame,
  infoFrame,
  loadCarboxFrame,
  loadIndigoScenario,
  messageFrame,
} from '@jetstream-ts/testkit';
import { from, lastValueFrom, toArray } from 'rxjs';
import { encodeEventJson } from './encode-event-json.js';
import { frameToEvents } from './frame-to-events.js';
import { toJetstreamEvents } from './to-jetstream-events.js';

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const TIME = '2024-09-25T12:00:00.123Z';

function frameOf(bytes: Uint8Array): FirehoseFrame {
  return decodeFrame(bytes);
}

function jsonOf(frame: FirehoseFrame, drops = createDropRecorder()): string[] {
  return frameToEvents(frame, drops).map((event) => Buffer.from(encodeEventJson(event)).toString('utf8'));
}

describe('frameToEvents', () => {
  it('maps the carbox commit to one create event (no rev in 2023 frames)', () => {
    const [event] = frameToEvents(frameOf(loadCarboxFrame()));
    expect(event).toMatchObject({
      did: 'did:plc:o32okshy54r5h2vlrjpz3aln',
      time_us: 0,
      relaySeq: 4715462,
      kind: 'commit',
      commit: { rev: '', operation: 'create', collection: 'app.bsky.feed.post', rkey: '3ju35q7husm2p', cid: 'bafyreifnusfxza4u2kcv7f7j4r7mb2td2v3xrynpcqud5inayllkq3obua' },
    });
    const json = Buffer.from(encodeEventJson(event)).toString();
    expect(json.startsWith('{"did":"did:plc:o32okshy54r5h2vlrjpz3aln","time_us":0,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"3ju35q7husm2p","record":{"$type":"app.bsky.feed.post",')).toBe(true);
    expect(json.endsWith('},"cid":"bafyreifnusfxza4u2kcv7f7j4r7mb2td2v3xrynpcqud5inayllkq3obua"}}')).toBe(true);
  });

  it('maps creates, updates and deletes of a commit in op order', () => {
    const { body } = buildCommit({
      did: DID,
      rev: '3l3qo2vutsw2b',
      seq: 77,
      time: TIME,
      writes: [
        { action: 'create', collection: 'app.bsky.feed.like', rkey: '3l3qo2vuowo2b', record: { $type: 'app.bsky.feed.like', createdAt: TIME } },
        { action: 'update', collection: 'app.bsky.actor.profile', rkey: 'self', record: { displayName: 'A & B <3' } },
        { action: 'delete', collection: 'app.bsky.feed.post', rkey: '3l3qo2vuowo2c' },
      ],
    });
    const [like, profile] = body.ops.map((op) => op.cid?.toString());
    expect(jsonOf(frameOf(commitFrame(body)))).toEqual([
      `{"did":"${DID}","time_us":0,"kind":"commit","commit":{"rev":"3l3qo2vutsw2b","operation":"create","collection":"app.bsky.feed.like","rkey":"3l3qo2vuowo2b","record":{"$type":"app.bsky.feed.like","createdAt":"${TIME}"},"cid":"${like}"}}`,
      `{"did":"${DID}","time_us":0,"kind":"commit","commit":{"rev":"3l3qo2vutsw2b","operation":"update","collection":"app.bsky.actor.profile","rkey":"self","record":{"displayName":"A \\u0026 B \\u003c3"},"cid":"${profile}"}}`,
      `{"did":"${DID}","time_us":0,"kind":"commit","commit":{"rev":"3l3qo2vutsw2b","operation":"delete","collection":"app.bsky.feed.post","rkey":"3l3qo2vuowo2c"}}`,
    ]);
  });

  it('splits paths like v1: extra segments dropped, empty collection omitted, no slash reported', () => {
    const drops = createDropRecorder();
    const { body } = buildCommit({
      did: DID,
      rev: '3l',
      seq: 5,
      writes: [
        { action: 'delete', path: 'a.b.c/k1/extra' },
        { action: 'delete', path: '/k2' },
        { action: 'delete', path: 'noslash' },
      ],
    });
    expect(jsonOf(frameOf(commitFrame(body)), drops)).toEqual([
      `{"did":"${DID}","time_us":0,"kind":"commit","commit":{"rev":"3l","operation":"delete","collection":"a.b.c","rkey":"k1"}}`,
      `{"did":"${DID}","time_us":0,"kind":"commit","commit":{"rev":"3l","operation":"delete","rkey":"k2"}}`,
    ]);
    expect(drops.reports).toEqual([{ stage: 'op', reason: 'bad-path', detail: 'path without /', seq: 5, did: DID, path: 'noslash' }]);
  });

  it('reports a create whose path has no slash once, even when the MST does not hold it', () => {
    const drops = createDropRecorder();
    const { body } = buildCommit({ did: DID, rev: '3l', writes: [{ action: 'create', collection: 'a.b.c', rkey: 'k', record: { x: 1 } }] });
    const [op] = body.ops;
    const frame = frameOf(commitFrame({ ...body, ops: [{ ...op, path: 'noslash' }, op] }));
    expect(frameToEvents(frame, drops).map((event) => event.kind === 'commit' && event.commit.rkey)).toEqual(['k']);
    expect(drops.reports.map(({ reason }) => reason)).toEqual(['bad-path']);
  });

  it('drops ops with a missing cid, an unknown action or a record v1 cannot convert', () => {
    const drops = createDropRecorder();
    const { body } = buildCommit({
      did: DID,
      rev: '3l',
      writes: [
        { action: 'create', collection: 'a.b.c', rkey: '1', record: { x: 1 }, cid: null },
        { action: 'upsert', collection: 'a.b.c', rkey: '2', record: { x: 2 } },
        { action: 'create', collection: 'a.b.c', rkey: '3', record: { x: 1.5 } },
        { action: 'create', collection: 'a.b.c', rkey: '4', record: { x: 4 } },
      ],
    });
    const events = frameToEvents(frameOf(commitFrame(body)), drops);
    expect(events.map((event) => event.kind === 'commit' && event.commit.rkey)).toEqual(['4']);
    expect(drops.reports.map(({ reason, path }) => [reason, path])).toEqual([
      ['missing-cid', 'a.b.c/1'],
      ['unknown-action', 'a.b.c/2'],
      ['bad-record', 'a.b.c/3'],
    ]);
  });

  it('drops whole commits that are tooBig, have a bad time or a malformed CAR', () => {
    const drops = createDropRecorder();
    const write = { action: 'create', collection: 'a.b.c', rkey: '1', record: { x: 1 } };
    const tooBig = buildCommit({ did: DID, rev: '3l', writes: [write], tooBig: true }).body;
    const badTime = buildCommit({ did: DID, rev: '3l', writes: [write], time: '2024-09-25 12:00:00' }).body;
    const badCar = { ...buildCommit({ did: DID, rev: '3l', writes: [write] }).body, blocks: new Uint8Array([1, 2, 3]) };
    for (const body of [tooBig, badTime, badCar]) expect(frameToEvents(frameOf(commitFrame(body)), drops)).toEqual([]);
    expect(drops.reports.map(({ stage, reason }) => `${stage}/${reason}`)).toEqual(['commit/too-big', 'commit/bad-time', 'commit/malformed-car']);
  });

  it('maps identity and account frames with v1 field order', () => {
    expect(jsonOf(frameOf(identityFrame({ seq: 10, did: DID, time: TIME, handle: 'alice.test' })))).toEqual([
      `{"did":"${DID}","time_us":0,"kind":"identity","identity":{"did":"${DID}","handle":"alice.test","seq":10,"time":"${TIME}"}}`,
    ]);
    expect(jsonOf(frameOf(identityFrame({ seq: 11, did: DID, time: TIME })))).toEqual([
      `{"did":"${DID}","time_us":0,"kind":"identity","identity":{"did":"${DID}","seq":11,"time":"${TIME}"}}`,
    ]);
    expect(jsonOf(frameOf(accountFrame({ seq: 12, did: DID, time: TIME, active: false, status: 'takendown' })))).toEqual([
      `{"did":"${DID}","time_us":0,"kind":"account","account":{"active":false,"did":"${DID}","seq":12,"status":"takendown","time":"${TIME}"}}`,
    ]);
    expect(jsonOf(frameOf(accountFrame({ seq: 13, did: DID, time: TIME, active: true })))).toEqual([
      `{"did":"${DID}","time_us":0,"kind":"account","account":{"active":true,"did":"${DID}","seq":13,"time":"${TIME}"}}`,
    ]);
  });

  it('drops identity and account events whose time is not RFC 3339', () => {
    const drops = createDropRecorder();
    expect(frameToEvents(frameOf(identityFrame({ seq: 1, did: DID, time: 'yesterday' })), drops)).toEqual([]);
    expect(frameToEvents(frameOf(accountFrame({ seq: 2, did: DID, time: '2024-02-30T00:00:00Z', active: true })), drops)).toEqual([]);
    expect(drops.reports).toEqual([
      { stage: 'identity', reason: 'bad-time', detail: 'yesterday', seq: 1, did: DID },
      { stage: 'account', reason: 'bad-time', detail: '2024-02-30T00:00:00Z', seq: 2, did: DID },
    ]);
  });

  it('emits nothing for sync, info, unknown and invalid frames, and reports error frames', () => {
    const drops = createDropRecorder();
    const [, , sync] = loadIndigoScenario('account_lifecycle');
    const frames = [sync.bytes, infoFrame({ name: 'OutdatedCursor' }), messageFrame('#labels', { seq: 1 }), new Uint8Array([0xff]), errorFrame('FutureCursor', 'too far')];
    for (const bytes of frames) expect(frameToEvents(frameOf(bytes), drops)).toEqual([]);
    expect(drops.reports).toEqual([{ stage: 'frame', reason: 'relay-error', detail: 'FutureCursor: too far' }]);
  });
});

describe('toJetstreamEvents', () => {
  it('maps a stream of frames to events in order', async () => {
    const frames = loadIndigoScenario('account_lifecycle').map(({ bytes }) => frameOf(bytes));
    const events = await lastValueFrom(from(frames).pipe(toJetstreamEvents(), toArray()));
    expect(events.map((event) => [event.kind, event.relaySeq])).toEqual([
      ['identity', 110],
      ['account', 120],
      ['account', 140],
    ]);
  });
});
