/** A block of status lines shown while a command runs. */
export interface LiveDisplay {
  /** Offers the current lines; `render` runs only when a redraw (or a new line) is due. */
  show(render: () => string[]): void;
  /** Ends the display: clears the block on a terminal when `clear`, else leaves it as drawn. */
  done(options?: { clear?: boolean }): void;
}

/**
 * On a terminal the block is redrawn in place at most every `intervalMs`; on a pipe or file the
 * lines are appended at most every `intervalMs`, the first after one interval (so logs get a
 * steady, readable trace).
 *
 * @example
 * const display = createLiveDisplay(process.stderr, { intervalMs: 1000 });
 * display.show(() => [`${frames} frames`]);
 */
export function createLiveDisplay(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  options: { intervalMs: number; now?: () => number },
): LiveDisplay {
  const now = options.now ?? Date.now;
  // A log gets its first line after one interval, not for the first item.
  let shownAt = stream.isTTY ? -Infinity : now();
  let drawnLines = 0;
  const erase = () => (drawnLines === 0 ? '' : `\x1b[${drawnLines}F\x1b[0J`);
  return {
    show(render) {
      const time = now();
      if (time - shownAt < options.intervalMs) return;
      shownAt = time;
      const lines = render();
      if (!stream.isTTY) return void stream.write(`${lines.join('\n')}\n`);
      stream.write(`${erase()}${lines.map((line) => `${line}\x1b[K`).join('\n')}\n`);
      drawnLines = lines.length;
    },
    done({ clear = false } = {}) {
      if (stream.isTTY && clear) stream.write(erase());
      drawnLines = 0;
    },
  };
}
