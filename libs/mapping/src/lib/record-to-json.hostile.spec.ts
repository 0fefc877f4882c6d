/**
 * Hostile records (issue 11): nesting and map sizes chosen to blow the stack or make conversion
 * quadratic must be dropped or converted in bounded work, with a reason. Built with
 * @jetstream-ts/testkit's hostile builders; expected JSON is written out here.
 */
import { MAX_CBOR_NESTING, type CommitBody } from '@jetstream-ts/models';
import { HOSTILE_RKEY, cborInt, cborMap, createDropRecorder, hugeMapRecordCommit, nestedRecordCommit } from '@jetstream-ts/testkit';
import { frameToEvents } from './frame-to-events.js';
import { recordToJson } from './record-to-json.js';

/** The record JSON of the commit's one op, or its drop reports. */
function convert(body: CommitBody): { json?: string; drops: { reason: string; detail?: string }[] } {
  const drops = createDropRecorder();
  const [event] = frameToEvents({ type: 'commit', size: body.blocks.length, body }, drops);
  const json = event?.kind === 'commit' ? event.commit.record : undefined;
  return { json, drops: drops.reports.map(({ reason, detail }) => ({ reason, detail })) };
}

describe('recordToJson on hostile records', () => {
  it('converts maps nested a few levels deep around a large array', () => {
    const { json, drops } = convert(nestedRecordCommit({ depth: 6, width: 20_000 }));
    expect(drops).toEqual([]);
    expect(json).toBe(`${'{"a":'.repeat(6)}[${new Array(20_000).fill(0).join(',')}]${'}'.repeat(6)}`);
  });

  it('drops, without reading it once per level, a record of 500 nested maps around a 100,000-item array (too-complex)', () => {
    // Converting it whole would skip the array once per enclosing map: 50,000,000 items.
    const { json, drops } = convert(nestedRecordCommit({ depth: 500, width: 100_000 }));
    expect(json).toBeUndefined();
    expect(drops).toEqual([{ reason: 'bad-record', detail: expect.stringMatching(/^too-complex: /) }]);
  });

  it(`converts ${MAX_CBOR_NESTING} nested maps and drops ${MAX_CBOR_NESTING + 1} (too-deep), never recursing further`, () => {
    expect(convert(nestedRecordCommit({ depth: MAX_CBOR_NESTING })).json).toBe(`${'{"a":'.repeat(MAX_CBOR_NESTING)}[]${'}'.repeat(MAX_CBOR_NESTING)}`);
    expect(convert(nestedRecordCommit({ depth: MAX_CBOR_NESTING + 1 })).drops).toEqual([
      { reason: 'bad-record', detail: expect.stringMatching(/^too-deep: /) },
    ]);
    expect(convert(nestedRecordCommit({ depth: 100_000 })).drops).toEqual([
      { reason: 'bad-record', detail: `too-deep: nested more than ${MAX_CBOR_NESTING} levels` },
    ]);
  });

  it('converts a map of 65,536 keys written in descending order (sorted in n log n: by insertion, 2 billion comparisons)', () => {
    const body = hugeMapRecordCommit({ entries: 65_536 });
    const { json, drops } = convert(body);
    expect(drops).toEqual([]);
    expect(json?.length).toBe(2 + 65_536 * 9 - 1); // {"kkkk":0,…}
    expect(json?.startsWith('{"0000":0,"0001":0,"0002":0,')).toBe(true);
    expect(json?.endsWith(',"1eke":0,"1ekf":0}')).toBe(true);
    expect(body.ops[0].path).toBe(`app.bsky.feed.post/${HOSTILE_RKEY}`);
  });

  it('drops a large map with a duplicate key', () => {
    const entries = Array.from({ length: 40 }, (_, i) => [`k${i % 39}`, cborInt(i)] as const);
    expect(() => recordToJson(cborMap(entries, { keepOrder: true }))).toThrow('duplicate map key');
  });
});
