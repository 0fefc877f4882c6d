import { PassThrough } from 'node:stream';
import { createProgressLine, formatBytes } from './progress-line.js';

function terminal(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  const written: string[] = [];
  stream.on('data', (chunk: Buffer) => written.push(chunk.toString()));
  return { stream, written };
}

describe('createProgressLine', () => {
  it('redraws in place at most once per interval on a terminal, and clears at the end', async () => {
    const { stream, written } = terminal(true);
    let now = 0;
    const line = createProgressLine(stream, { intervalMs: 100, now: () => now });
    line.update(() => 'one');
    now = 50;
    line.update(() => 'skipped');
    now = 150;
    line.update(() => 'two');
    line.done();
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual(['\r\x1b[2Kone', '\r\x1b[2Ktwo', '\r\x1b[2K']);
  });

  it('writes nothing when the stream is not a terminal', async () => {
    const { stream, written } = terminal(false);
    const line = createProgressLine(stream);
    line.update(() => 'hidden');
    line.done();
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual([]);
  });
});

describe('formatBytes', () => {
  it('uses B, KB and MB', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3482)).toBe('3.4 KB');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12.0 MB');
  });
});
