import { readFileSync } from 'node:fs';
import { parseFrameLog } from '@jetstream-ts/frames';
import { synthesizeFrames } from '@jetstream-ts/synthetic-firehose';
import { loadCarboxFrame, loadIndigoCommitFrame, loadIndigoScenario } from '@jetstream-ts/testkit';

/** The frames a benchmark runs on, and a sentence saying where they came from. */
export interface BenchInput {
  description: string;
  /** The distinct frames, in log order. */
  frames: Uint8Array[];
}

/** The frames of a frame log file (plain or zstd); whole frames only if it is cut short. */
export function loadFrameLogInput(path: string): BenchInput {
  const { frames, trailingBytes } = parseFrameLog(readFileSync(path));
  const cut = trailingBytes > 0 ? ` (cut short: ${trailingBytes} trailing bytes ignored)` : '';
  return { description: `${path}: ${frames.length} frames${cut}`, frames };
}

/**
 * Synthetic relay traffic in the network's record mix (deterministic: the same seed gives the
 * same frames), from the test harness's generator.
 */
export function loadSyntheticInput(frames: number, seed = 'bench'): BenchInput {
  return {
    description: `${frames} synthetic frames (synthesizeFrames, seed ${JSON.stringify(seed)}: real record mix, CARs with MST nodes)`,
    frames: [...synthesizeFrames({ frames, seed })],
  };
}

/**
 * Every real frame among the shared fixtures (carbox's relay frame, indigo's
 * post and account lifecycles and its two real commit bodies), re-encoded as DAG-CBOR frames.
 */
export function loadFixtureInput(): BenchInput {
  const frames = [
    loadCarboxFrame(),
    ...loadIndigoScenario('post_lifecycle').map((frame) => frame.bytes),
    ...loadIndigoScenario('account_lifecycle').map((frame) => frame.bytes),
    loadIndigoCommitFrame('firehose_commit_4621332152').bytes,
    loadIndigoCommitFrame('firehose_commit_4623075231').bytes,
  ];
  return {
    description: `the ${frames.length} real testkit fixture frames (carbox, indigo post/account lifecycles, 2 indigo commits)`,
    frames,
  };
}

/** The frames repeated until there are at least `minFrames`, so that one round lasts long enough to time. */
export function repeatFrames(frames: readonly Uint8Array[], minFrames: number): Uint8Array[] {
  if (frames.length === 0) return [];
  const passes = Math.max(1, Math.ceil(minFrames / frames.length));
  return Array.from({ length: passes }, () => frames).flat();
}
