import { createLineSink } from './line-sink.js';

const text = (chunks: Uint8Array[]) => chunks.map((chunk) => Buffer.from(chunk).toString()).join('|');
const bytes = (s: string) => new TextEncoder().encode(s);

describe('createLineSink', () => {
  it('terminates each line with a newline and writes in chunks no larger than asked', () => {
    const chunks: Uint8Array[] = [];
    const sink = createLineSink((chunk) => chunks.push(chunk), 8);
    sink.writeLine(bytes('abc'));
    sink.writeLine(bytes('de'));
    sink.writeLine(bytes('fgh'));
    expect(chunks).toHaveLength(1);
    sink.flush();
    expect(text(chunks)).toBe('abc\nde\n|fgh\n');
  });

  it('writes a line longer than a chunk on its own, after what was buffered', () => {
    const chunks: Uint8Array[] = [];
    const sink = createLineSink((chunk) => chunks.push(chunk), 4);
    sink.writeLine(bytes('a'));
    sink.writeLine(bytes('0123456789'));
    sink.flush();
    expect(text(chunks)).toBe('a\n|0123456789\n');
  });

  it('hands out buffers that later lines do not overwrite, and writes nothing when empty', () => {
    const chunks: Uint8Array[] = [];
    const sink = createLineSink((chunk) => chunks.push(chunk), 4);
    sink.flush();
    sink.writeLine(bytes('ab'));
    sink.flush();
    sink.writeLine(bytes('cd'));
    sink.flush();
    expect(text(chunks)).toBe('ab\n|cd\n');
  });
});
