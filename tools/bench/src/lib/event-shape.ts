/**
 * The Jetstream-shaped objects the library pipelines (a, b) stringify, so that they do the same
 * work as ours: one event per commit op, identity and account bodies wrapped as v1 does.
 */

/** A commit op's event; `record` and `cid` only for creates and updates. */
export function commitOpEvent(
  commit: { repo: string; rev: string },
  op: { action: string; path: string },
  stored?: { record: unknown; cid: string },
): object {
  const [collection, rkey] = op.path.split('/');
  const body = { rev: commit.rev, operation: op.action, collection, rkey };
  return { did: commit.repo, time_us: 0, kind: 'commit', commit: stored ? { ...body, ...stored } : body };
}

/** An `#identity` or `#account` frame's event, or undefined for any other frame type. */
export function accountOrIdentityEvent(
  t: string | undefined,
  body: Record<string, unknown>,
): object | undefined {
  if (t === '#identity') return { did: body['did'], time_us: 0, kind: 'identity', identity: body };
  if (t === '#account') return { did: body['did'], time_us: 0, kind: 'account', account: body };
  return undefined;
}
