import type { FirehoseFrame } from '@jetstream-ts/models';
import { buildCommit, createDropRecorder } from '@jetstream-ts/testkit';
import { from, lastValueFrom, toArray } from 'rxjs';
import { extractRecords } from './extract-records.js';

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';

describe('extractRecords', () => {
  it('attaches records to commits, passes other frames on, drops commits with a malformed CAR', async () => {
    const drops = createDropRecorder();
    const { body, records } = buildCommit({
      did: DID,
      rev: '3l',
      writes: [
        { action: 'create', collection: 'a.b.c', rkey: '1', record: { x: 1 } },
        { action: 'delete', collection: 'a.b.c', rkey: '2' },
      ],
    });
    const frames: FirehoseFrame[] = [
      { type: 'commit', size: 1, body },
      { type: 'commit', size: 1, body: { ...body, blocks: new Uint8Array([0]) } },
      { type: 'account', size: 1, body: { seq: 2, did: DID, time: 't', active: true } },
      { type: 'commit', size: 1, body: { ...body, tooBig: true, blocks: new Uint8Array(0) } },
    ];
    const out = await lastValueFrom(from(frames).pipe(extractRecords({ drops }), toArray()));
    expect(out.map(({ frame, records }) => [frame.type, records?.map((record) => record !== undefined)])).toEqual([
      ['commit', [true, false]],
      ['account', undefined],
      ['commit', [false, false]],
    ]);
    expect(out[0].records?.[0]?.bytes).toEqual(records.get('a.b.c/1')?.bytes);
    expect(drops.reports.map(({ stage, reason }) => `${stage}/${reason}`)).toEqual(['commit/malformed-car']);
  });
});
