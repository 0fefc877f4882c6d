import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStoreFailure, openingStore } from './store-failure.js';

/** What lmdb rejects a failed commit with: a generic error, the real one in a promise. */
function lmdbCommitFailure(cause: object): Error {
  const commitError = Promise.reject(Object.assign(new Error(String((cause as { message: string }).message)), cause));
  return Object.assign(new Error('Commit failed (see commitError for details)'), { commitError });
}

describe('describeStoreFailure', () => {
  const path = join(tmpdir(), 'no-such-dir', 'events');

  it("reads lmdb's hidden commit error and names it, the path and the free space", async () => {
    const error = await describeStoreFailure(lmdbCommitFailure({ code: 5, message: 'Input/output error' }), path, 'commit to');
    expect(error.message).toMatch(new RegExp(`^cannot commit to the event store at ${path}: EIO: Input/output error: \\d+ bytes free$`));
    expect((error.cause as Error).message).toBe('Input/output error');
  });

  it('says the disk is full for ENOSPC, by number or by name', async () => {
    for (const code of [28, 'ENOSPC']) {
      const error = await describeStoreFailure(lmdbCommitFailure({ code, message: 'No space left on device' }), path, 'commit to');
      expect(error.message).toMatch(/: the disk is full \(ENOSPC: No space left on device: \d+ bytes free\)$/);
    }
  });

  it('passes a plain error through with the path', async () => {
    expect((await describeStoreFailure(new Error('boom'), '/data/events', 'open')).message).toBe('cannot open the event store at /data/events: boom');
  });
});

describe('openingStore', () => {
  it("turns lmdb's read-only failure into one line with the path", () => {
    const readOnly = () => {
      throw Object.assign(new Error('Read-only file system: Attempting to setup locks'), { code: 30 });
    };
    expect(() => openingStore('/data/events', readOnly)).toThrow(
      'cannot open the event store at /data/events: the file system is read-only (EROFS: Read-only file system: Attempting to setup locks)',
    );
    expect(openingStore('/data/events', () => 7)).toBe(7);
  });
});
