import { PassThrough } from 'node:stream';
import { createLiveDisplay } from './live-display.js';

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe('createLiveDisplay', () => {
  it('on a terminal redraws the block in place, at most once per interval', () => {
    const out = capture(true);
    let now = 0;
    const display = createLiveDisplay(out.stream, { intervalMs: 100, now: () => now });
    display.show(() => ['a', 'b']);
    now = 50;
    display.show(() => ['skipped']);
    now = 100;
    display.show(() => ['c']);
    display.done({ clear: true });
    expect(out.text()).toBe('a\x1b[K\nb\x1b[K\n' + '\x1b[2F\x1b[0Jc\x1b[K\n' + '\x1b[1F\x1b[0J');
  });

  it('on a pipe appends lines, the first after one interval', () => {
    const out = capture(false);
    let now = 0;
    const display = createLiveDisplay(out.stream, { intervalMs: 100, now: () => now });
    display.show(() => ['too early']);
    now = 100;
    display.show(() => ['one']);
    now = 150;
    display.show(() => ['too early']);
    now = 200;
    display.show(() => ['two', 'three']);
    display.done({ clear: true });
    expect(out.text()).toBe('one\ntwo\nthree\n');
  });
});
