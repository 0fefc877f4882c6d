import { atcuteFrameToJson } from './atcute-pipeline.js';
import type { Contestant } from './interleaved-rounds.js';
import { createJetstreamFrameToZstd, jetstreamFrameToJson } from './jetstream-pipelines.js';
import { naiveFrameToJson } from './naive-pipeline.js';

const totalLength = (outputs: readonly { length: number }[]) =>
  outputs.reduce((sum, output) => sum + output.length, 0);

/** The four ingest pipelines compared by `bench:ingest`, in the order they run in each round. */
export function ingestContestants(): Contestant[] {
  const jetstreamFrameToZstd = createJetstreamFrameToZstd();
  return [
    {
      id: 'a',
      name: 'naive: cborg + @ipld/car + @ipld/dag-cbor, JSON.stringify',
      processFrame: async (frame) => totalLength(await naiveFrameToJson(frame)),
    },
    {
      id: 'b',
      name: '@atcute/cbor + @atcute/car, JSON.stringify',
      processFrame: (frame) => totalLength(atcuteFrameToJson(frame)),
    },
    {
      id: 'c',
      name: 'ours: v1 JSON bytes',
      processFrame: (frame) => totalLength(jetstreamFrameToJson(frame)),
    },
    {
      id: 'd',
      name: 'ours: v1 JSON + zstd (v1 dictionary)',
      processFrame: (frame) => totalLength(jetstreamFrameToZstd(frame)),
    },
  ];
}
