import type { AtpAgent } from '@atproto/api';
import type { TestPds } from './start-test-pds.js';

/** A Jetstream v1 event the script's activity should produce (without `time_us` and `rev`). */
export type ExpectedEvent =
  | {
      kind: 'commit';
      did: string;
      commit: {
        operation: 'create' | 'update' | 'delete';
        collection: string;
        rkey: string;
        /** The record's CID; absent for deletes. */
        cid?: string;
        /** The record as written, in JSON form (blobs as `{$type: 'blob', ref: {$link}, mimeType, size}`). */
        record?: Record<string, unknown>;
      };
    }
  | { kind: 'identity'; did: string; identity: { handle: string } }
  | { kind: 'account'; did: string; account: { active: boolean; status?: string } };

export interface PdsScriptResult {
  /** The accounts the script created, by their name in the script. */
  accounts: Record<string, { did: string; handle: string }>;
  /** What a Jetstream consumer of the PDS's firehose should receive, in order. */
  events: ExpectedEvent[];
}

export const PDS_SCRIPT_NAMES = ['default'] as const;
export type PdsScriptName = (typeof PDS_SCRIPT_NAMES)[number];

/** A 1×1 PNG: the PDS sniffs uploads, so an image blob must be a real image. */
const ONE_PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const CREATED_AT = '2026-07-01T12:00:00.000Z';
const utf8 = new TextEncoder();

/**
 * Drives scripted activity on a test PDS through `@atproto/api` and returns what it wrote, as the
 * Jetstream events a consumer should see. `default`: three accounts (alice, bob, carol) sign up;
 * alice writes a profile, a post with facets (mention, link, tag), two langs, non-ASCII and
 * `<>&` text, and a post with an image blob; bob replies, likes, reposts and follows; carol
 * follows, blocks and writes a record of a non-Bluesky lexicon; alice updates her profile; bob
 * deletes his like; carol changes handle; bob deactivates his account.
 *
 * Besides these events, the firehose carries a `#commit` with no ops and a `#sync` per sign-up
 * (no Jetstream event).
 */
export async function runPdsScript(pds: TestPds, name: PdsScriptName = 'default'): Promise<PdsScriptResult> {
  if (!PDS_SCRIPT_NAMES.includes(name))
    throw new Error(`unknown PDS script "${name}" (known: ${PDS_SCRIPT_NAMES.join(', ')})`);
  const events: ExpectedEvent[] = [];
  const accounts: PdsScriptResult['accounts'] = {};

  const signUp = async (person: string) => {
    const agent = pds.agent();
    const handle = `${person}.test`;
    const { data } = await agent.createAccount({
      handle,
      email: `${person}@example.test`,
      password: `${person}-password`,
    });
    accounts[person] = { did: data.did, handle };
    events.push({ kind: 'identity', did: data.did, identity: { handle } });
    events.push({ kind: 'account', did: data.did, account: { active: true } });
    return { agent, did: data.did };
  };

  const write = async (
    { agent, did }: { agent: AtpAgent; did: string },
    operation: 'create' | 'update',
    collection: string,
    record: Record<string, unknown>,
    rkey?: string,
  ) => {
    const { data } =
      operation === 'create'
        ? await agent.com.atproto.repo.createRecord({ repo: did, collection, record, rkey })
        : await agent.com.atproto.repo.putRecord({ repo: did, collection, record, rkey: rkey as string });
    const json = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
    events.push({
      kind: 'commit',
      did,
      commit: { operation, collection, rkey: rkeyOf(data.uri), cid: data.cid, record: json },
    });
    return { uri: data.uri, cid: data.cid };
  };

  const remove = async ({ agent, did }: { agent: AtpAgent; did: string }, uri: string) => {
    const [collection, rkey] = uri.split('/').slice(-2);
    await agent.com.atproto.repo.deleteRecord({ repo: did, collection, rkey });
    events.push({ kind: 'commit', did, commit: { operation: 'delete', collection, rkey } });
  };

  const alice = await signUp('alice');
  const bob = await signUp('bob');
  const carol = await signUp('carol');

  const { data: avatar } = await alice.agent.com.atproto.repo.uploadBlob(ONE_PIXEL_PNG, {
    encoding: 'image/png',
  });
  const profile = {
    $type: 'app.bsky.actor.profile',
    displayName: 'Alice',
    description: 'Testing <things> & stuff',
    avatar: avatar.blob,
  };
  await write(alice, 'create', 'app.bsky.actor.profile', profile, 'self');

  const text = 'Héllo @bob.test! <b>bold</b> & more 🦋 https://example.com/x #atproto';
  const facet = (segment: string, feature: Record<string, unknown>) => {
    const byteStart = utf8.encode(text.slice(0, text.indexOf(segment))).length;
    return { index: { byteStart, byteEnd: byteStart + utf8.encode(segment).length }, features: [feature] };
  };
  const post = await write(alice, 'create', 'app.bsky.feed.post', {
    $type: 'app.bsky.feed.post',
    text,
    langs: ['en', 'ja'],
    facets: [
      facet('@bob.test', { $type: 'app.bsky.richtext.facet#mention', did: bob.did }),
      facet('https://example.com/x', { $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com/x' }),
      facet('#atproto', { $type: 'app.bsky.richtext.facet#tag', tag: 'atproto' }),
    ],
    createdAt: CREATED_AT,
  });
  const { data: photo } = await alice.agent.com.atproto.repo.uploadBlob(ONE_PIXEL_PNG, {
    encoding: 'image/png',
  });
  const photoPost = await write(alice, 'create', 'app.bsky.feed.post', {
    $type: 'app.bsky.feed.post',
    text: '写真 📷',
    langs: ['ja'],
    embed: {
      $type: 'app.bsky.embed.images',
      images: [{ alt: 'one pixel', image: photo.blob, aspectRatio: { width: 1, height: 1 } }],
    },
    createdAt: CREATED_AT,
  });

  await write(bob, 'create', 'app.bsky.feed.post', {
    $type: 'app.bsky.feed.post',
    text: 'Replying \u2028 with a line separator',
    reply: { root: post, parent: post },
    createdAt: CREATED_AT,
  });
  const like = await write(bob, 'create', 'app.bsky.feed.like', {
    $type: 'app.bsky.feed.like',
    subject: post,
    createdAt: CREATED_AT,
  });
  await write(bob, 'create', 'app.bsky.feed.repost', {
    $type: 'app.bsky.feed.repost',
    subject: photoPost,
    createdAt: CREATED_AT,
  });
  await write(bob, 'create', 'app.bsky.graph.follow', {
    $type: 'app.bsky.graph.follow',
    subject: alice.did,
    createdAt: CREATED_AT,
  });

  await write(carol, 'create', 'app.bsky.graph.follow', {
    $type: 'app.bsky.graph.follow',
    subject: alice.did,
    createdAt: CREATED_AT,
  });
  await write(carol, 'create', 'app.bsky.graph.block', {
    $type: 'app.bsky.graph.block',
    subject: bob.did,
    createdAt: CREATED_AT,
  });
  await write(carol, 'create', 'xyz.statusphere.status', {
    $type: 'xyz.statusphere.status',
    status: '🦋',
    createdAt: CREATED_AT,
  });

  await write(
    alice,
    'update',
    'app.bsky.actor.profile',
    { ...profile, displayName: 'Alice Ünïcödé' },
    'self',
  );
  await remove(bob, like.uri);

  const renamed = 'carol-renamed.test';
  await carol.agent.com.atproto.identity.updateHandle({ handle: renamed });
  accounts['carol'] = { did: carol.did, handle: renamed };
  events.push({ kind: 'identity', did: carol.did, identity: { handle: renamed } });

  await bob.agent.com.atproto.server.deactivateAccount({});
  events.push({ kind: 'account', did: bob.did, account: { active: false, status: 'deactivated' } });

  return { accounts, events };
}

function rkeyOf(uri: string): string {
  return uri.slice(uri.lastIndexOf('/') + 1);
}
