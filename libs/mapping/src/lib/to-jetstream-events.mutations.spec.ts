/**
 * Real frames with seeded random damage (bytes overwritten, bits flipped, truncated, a slice
 * repeated) through decode → map → JSON, as the server runs them: a relay may send any bytes,
 * and whatever comes out must be a drop or an event a v1 client can parse, never an error that
 * would end the pipeline.
 */
import { decodeFrames } from '@jetstream-ts/frames';
import { createDropRecorder, loadCarboxFrame, loadIndigoCommitFrame, loadIndigoScenario } from '@jetstream-ts/testkit';
import { from, lastValueFrom, map, toArray } from 'rxjs';
import { encodeEventJson, toJetstreamEvents } from '../index.js';

/** mulberry32: the same mutants on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutant(frame: Uint8Array, random: () => number): Uint8Array {
  const bytes = Uint8Array.from(frame);
  const at = () => Math.floor(random() * bytes.length);
  const times = 1 + Math.floor(random() * 8);
  switch (Math.floor(random() * 4)) {
    case 0:
      for (let n = 0; n < times; n++) bytes[at()] = Math.floor(random() * 256);
      return bytes;
    case 1:
      for (let n = 0; n < times; n++) {
        const position = at();
        bytes[position] = (bytes[position] ?? 0) ^ (1 << Math.floor(random() * 8));
      }
      return bytes;
    case 2:
      return bytes.subarray(0, at());
    default: {
      const position = at();
      const repeated = bytes.subarray(at()).subarray(0, 1 + Math.floor(random() * 16));
      return Uint8Array.from([...bytes.subarray(0, position), ...repeated, ...bytes.subarray(position)]);
    }
  }
}

const realFrames = [
  loadCarboxFrame(),
  ...loadIndigoScenario('post_lifecycle').map((frame) => frame.bytes),
  ...loadIndigoScenario('account_lifecycle').map((frame) => frame.bytes),
  loadIndigoCommitFrame('firehose_commit_4621332152').bytes,
  loadIndigoCommitFrame('firehose_commit_4623075231').bytes,
];

describe('decode → map → JSON of damaged real frames', () => {
  it('turns each of 2,000 mutants into drops or events whose JSON is valid UTF-8 and says what the event says', async () => {
    const random = seededRandom(20261203);
    const drops = createDropRecorder();
    const mutants = Array.from({ length: 2_000 }, (_, index) => mutant(realFrames[index % realFrames.length] ?? realFrames[0], random));
    const strict = new TextDecoder('utf-8', { fatal: true });
    const lines = await lastValueFrom(
      from(mutants).pipe(
        decodeFrames({ drops }),
        toJetstreamEvents({ drops }),
        map((event, index) => {
          const sequenced = { ...event, time_us: index + 1 };
          return { event: sequenced, parsed: JSON.parse(strict.decode(encodeEventJson(sequenced))) as Record<string, unknown> };
        }),
        toArray(),
      ),
    );
    for (const { event, parsed } of lines) expect([parsed.did, parsed.time_us, parsed.kind]).toEqual([event.did, event.time_us, event.kind]);
    // Both outcomes happen: damage in a record's text leaves a valid event, damage in the framing drops it.
    expect(lines.length).toBeGreaterThan(100);
    expect(drops.reports.length).toBeGreaterThan(100);
  });
});
