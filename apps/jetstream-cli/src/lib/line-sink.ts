const NEWLINE = 0x0a;

/** Collects newline-terminated lines and hands them on in large chunks (few system calls). */
export interface LineSink {
  /** Appends `line` and a newline. */
  writeLine(line: Uint8Array): void;
  /** Hands on whatever is buffered. */
  flush(): void;
}

/**
 * A `LineSink` over a chunk writer such as `(chunk) => process.stdout.write(chunk)` or
 * `(chunk) => writeSync(fd, chunk)`. Each chunk handed on is a fresh buffer the writer may keep.
 */
export function createLineSink(write: (chunk: Uint8Array) => void, chunkBytes = 64 * 1024): LineSink {
  let buffer = Buffer.allocUnsafe(chunkBytes);
  let used = 0;
  const flush = () => {
    if (used === 0) return;
    const chunk = buffer.subarray(0, used);
    buffer = Buffer.allocUnsafe(chunkBytes);
    used = 0;
    write(chunk);
  };
  return {
    writeLine(line) {
      if (used + line.length + 1 > buffer.length) {
        flush();
        // A line longer than a chunk goes out on its own.
        if (line.length + 1 > buffer.length) {
          const single = Buffer.allocUnsafe(line.length + 1);
          single.set(line);
          single[line.length] = NEWLINE;
          write(single);
          return;
        }
      }
      buffer.set(line, used);
      buffer[used + line.length] = NEWLINE;
      used += line.length + 1;
    },
    flush,
  };
}
