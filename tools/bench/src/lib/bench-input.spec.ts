import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrameLog } from '@jetstream-ts/frames';
import { loadFixtureInput, loadFrameLogInput, loadSyntheticInput, repeatFrames } from './bench-input.js';

describe('bench input', () => {
  it('repeats the frames to at least the asked number, whole passes only', () => {
    const frames = [Uint8Array.of(1), Uint8Array.of(2)];
    expect(repeatFrames(frames, 5).map((frame) => frame[0])).toEqual([1, 2, 1, 2, 1, 2]);
    expect(repeatFrames(frames, 1)).toEqual(frames);
    expect(repeatFrames([], 5)).toEqual([]);
  });

  it('reads the whole frames of a log and says when it was cut short', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-input-'));
    try {
      const path = join(dir, 'cut.log');
      writeFileSync(path, encodeFrameLog([Uint8Array.of(7, 7), Uint8Array.of(8, 8, 8)]).subarray(0, -1));
      const input = loadFrameLogInput(path);
      expect(input.frames).toEqual([Uint8Array.of(7, 7)]);
      expect(input.description).toBe(`${path}: 1 frames (cut short: 6 trailing bytes ignored)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes the same synthetic frames for the same seed, and loads the 13 fixture frames', () => {
    expect(loadSyntheticInput(3, 'x').frames).toEqual(loadSyntheticInput(3, 'x').frames);
    expect(loadSyntheticInput(3, 'x').frames).toHaveLength(3);
    expect(loadFixtureInput().frames).toHaveLength(13);
  });
});
