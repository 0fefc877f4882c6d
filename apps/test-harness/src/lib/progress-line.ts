/**
 * A one-line progress display on a terminal: redrawn in place at most every `intervalMs`, and
 * nothing at all when the stream is not a TTY (logs and pipes stay clean).
 */
export interface ProgressLine {
  /** Offers a new state; `render` is called only when the line is due for a redraw. */
  update(render: () => string): void;
  /** Clears the line. */
  done(): void;
}

export function createProgressLine(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  options: { intervalMs?: number; now?: () => number } = {},
): ProgressLine {
  const { intervalMs = 250, now = Date.now } = options;
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let drawnAt = -Infinity;
  let drawn = false;
  return {
    update(render) {
      const time = now();
      if (time - drawnAt < intervalMs) return;
      drawnAt = time;
      drawn = true;
      stream.write(`\r\x1b[2K${render()}`);
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

/** Bytes in a short human form: 512 B, 3.4 KB, 12.0 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
