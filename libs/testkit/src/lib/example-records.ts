import type { RecordWrite } from './build-commit.js';

/** The `createdAt` of every `postRecord`, so that tests can write its JSON by hand. */
export const EXAMPLE_CREATED_AT = '2024-09-25T00:00:00.000Z';

/** A minimal `app.bsky.feed.post` record: `{$type, createdAt: EXAMPLE_CREATED_AT, text}`. */
export function postRecord(text: string): { $type: 'app.bsky.feed.post'; createdAt: string; text: string } {
  return { $type: 'app.bsky.feed.post', createdAt: EXAMPLE_CREATED_AT, text };
}

/** A write creating `postRecord(text)` at `app.bsky.feed.post/<rkey>`; `extra` adds faults or overrides. */
export function createPost(rkey: string, text: string, extra: Partial<RecordWrite> = {}): RecordWrite {
  return { action: 'create', collection: 'app.bsky.feed.post', rkey, record: postRecord(text), ...extra } as RecordWrite;
}
