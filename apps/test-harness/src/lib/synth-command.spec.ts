import { readFileSync } from 'node:fs';
import { decodeFrame, isZstdCompressed, parseFrameLog } from '@jetstream-ts/frames';
import { frameSeq } from '@jetstream-ts/models';
import { runHarness, scratchDir } from './run-harness.test-util.js';

describe('jetstream-harness synth', () => {
  const scratch = scratchDir();
  afterAll(() => scratch.remove());

  it('writes the requested number of decodable frames and reports the rate and average size', async () => {
    const output = scratch.path('synthetic.log');
    const run = await runHarness([
      'synth',
      '-o',
      output,
      '--frames',
      '300',
      '--seed',
      '5',
      '--first-seq',
      '10',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^wrote 300 frames \(.+, average \d+ B\) to .+ in [\d.]+ s: \d+ frames\/s\n$/);
    const { frames, trailingBytes } = parseFrameLog(readFileSync(output));
    expect(trailingBytes).toBe(0);
    const decoded = frames.map((bytes) => decodeFrame(bytes));
    expect(decoded.map(frameSeq)).toEqual(Array.from({ length: 300 }, (_, index) => 10 + index));
    expect(decoded.filter((frame) => frame.type === 'commit').length).toBeGreaterThan(280);
  });

  it('is deterministic per seed, compressed or not', async () => {
    const [a, b, c, zstd] = ['a.log', 'b.log', 'c.log', 'a.log.zst'].map((name) => scratch.path(name));
    await runHarness(['synth', '-o', a, '--frames', '100', '--seed', 'x', '--dids', '20']);
    await runHarness(['synth', '-o', b, '--frames', '100', '--seed', 'x', '--dids', '20']);
    await runHarness(['synth', '-o', c, '--frames', '100', '--seed', 'y', '--dids', '20']);
    await runHarness(['synth', '-o', zstd, '--frames', '100', '--seed', 'x', '--dids', '20', '--compress']);
    expect(readFileSync(b)).toEqual(readFileSync(a));
    expect(readFileSync(c)).not.toEqual(readFileSync(a));
    expect(isZstdCompressed(readFileSync(zstd))).toBe(true);
    expect(parseFrameLog(readFileSync(zstd)).frames).toEqual(parseFrameLog(readFileSync(a)).frames);
  });

  it('fails with a clear message on bad options or an unwritable output', async () => {
    const missing = await runHarness(['synth', '--frames', '10']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("required option '-o, --output <log>' not specified");
    const negative = await runHarness(['synth', '-o', scratch.path('x.log'), '--frames', '-1']);
    expect(negative.code).not.toBe(0);
    expect(negative.stderr).toContain('expected an integer >= 0, got "-1"');
    const unwritable = await runHarness(['synth', '-o', scratch.path('no/such/dir/x.log'), '--frames', '10']);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/^error: ENOENT/);
  });
});
