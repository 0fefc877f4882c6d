import { createV1Compressor } from '@jetstream-ts/compression';
import type { JetstreamPlugin } from '@jetstream-ts/plugins';
import { langOption } from './lib/lang-option.js';
import { postsOnly } from './lib/posts-only.js';
import { withHandles } from './lib/with-handles.js';

export { langOption } from './lib/lang-option.js';
export { postsOnly, POST_COLLECTION } from './lib/posts-only.js';
export { withHandles } from './lib/with-handles.js';

/**
 * The example relay's plugins, as one plugin module: `jetstream-server --plugin
 * @jetstream-ts/example-relay` (or the path of this file's build) runs the reference server as
 * this relay.
 *
 * @return posts-only (events), with-handles (sequenced), lang (subscriber).
 */
export default function examplePlugins(): JetstreamPlugin[] {
  return [postsOnly(), withHandles({ compressor: createV1Compressor() }), langOption()];
}
