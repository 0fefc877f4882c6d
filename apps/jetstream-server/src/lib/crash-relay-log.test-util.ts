import { accountFrame, buildCommit, commitFrame, identityFrame, syncFrame, type RecordWrite } from '@jetstream-ts/testkit';

const TIME = '2026-07-01T12:00:00.000Z';

/**
 * A relay log of commits (one to three ops, creates, updates and deletes), identities, accounts
 * and #sync frames, seq 1..frameCount; and the events v1 makes of it, in order, written from the
 * frame definitions (commit: one per op; identity and account: one; sync: none).
 */
export function relayLog(frameCount: number): { frames: Uint8Array[]; expected: string[] } {
  const frames: Uint8Array[] = [];
  const expected: string[] = [];
  const repos = new Map<string, Awaited<ReturnType<typeof buildCommit>>['contents']>();
  for (let seq = 1; seq <= frameCount; seq++) {
    const did = `did:plc:crash${seq % 17}`;
    const kind = seq % 10;
    if (kind === 7) {
      frames.push(identityFrame({ seq, did, time: TIME, handle: `u${seq}.test` }));
      expected.push(`identity ${did} ${seq}`);
    } else if (kind === 8) {
      frames.push(accountFrame({ seq, did, time: TIME, active: true }));
      expected.push(`account ${did} ${seq}`);
    } else if (kind === 9) {
      frames.push(syncFrame({ seq, did, blocks: new Uint8Array(), rev: `r${seq}`, time: TIME }));
    } else {
      const contents = repos.get(did) ?? new Map();
      const existing = [...contents.keys()];
      const writes: RecordWrite[] = [];
      for (let op = 0; op <= seq % 3; op++) {
        const rkey = `k${seq}x${op}`;
        writes.push({ action: 'create', collection: 'app.bsky.feed.like', rkey, record: { $type: 'app.bsky.feed.like', createdAt: TIME, n: seq } });
      }
      // Now and then also delete an earlier record of the repo.
      const victim = existing[seq % 5 === 0 ? existing.length - 1 : -1];
      if (victim !== undefined) writes.push({ action: 'delete', path: victim });
      const commit = buildCommit({ did, rev: `r${String(seq).padStart(8, '0')}`, seq, time: TIME, writes, contents });
      repos.set(did, commit.contents);
      frames.push(commitFrame(commit.body));
      for (const write of writes) {
        const path = 'path' in write ? write.path : `${write.collection}/${write.rkey}`;
        expected.push(`commit ${did} ${write.action} ${path}`);
      }
    }
  }
  return { frames, expected };
}

/** An event's v1 JSON as the strings {@link relayLog} expects. */
export function describeEvent(text: string): string {
  const json = JSON.parse(text) as {
    did: string;
    kind: string;
    commit?: { operation: string; collection: string; rkey: string };
    identity?: { seq: number };
    account?: { seq: number };
  };
  if (json.commit) return `commit ${json.did} ${json.commit.operation} ${json.commit.collection}/${json.commit.rkey}`;
  return `${json.kind} ${json.did} ${(json.identity ?? json.account)!.seq}`;
}
