import type { IngestPlugin } from '@jetstream-ts/plugins';
import { filter } from 'rxjs';

/** The collection this relay serves. */
export const POST_COLLECTION = 'app.bsky.feed.post';

/**
 * An `events` plugin: commits of posts only; identity and account events pass (clients use them
 * to follow handles and account state). Dropped before sequencing, so they cost no `time_us` and
 * no storage.
 *
 * @example
 * import { postsOnly } from '@jetstream-ts/example-relay';
 * container.register(TOKENS.plugins, { useValue: postsOnly() });
 *
 * @return The plugin.
 */
export function postsOnly(): IngestPlugin {
  return { name: 'posts-only', stage: 'events', operator: filter((event) => event.kind !== 'commit' || event.commit.collection === POST_COLLECTION) };
}
