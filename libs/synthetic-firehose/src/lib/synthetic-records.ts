import { rawCidOf } from '@jetstream-ts/testkit';
import type { CID } from 'multiformats/cid';
import type { SeededRandom } from './seeded-random.js';
import { syntheticPhrase, syntheticPostText, type Mentionable } from './synthetic-text.js';

/** `com.atproto.repo.strongRef`: a record's AT URI and CID (a string in records). */
export interface StrongRef {
  uri: string;
  cid: string;
}

export interface BlobRef {
  $type: 'blob';
  ref: CID;
  mimeType: string;
  size: number;
}

/** What record builders draw on besides randomness. */
export interface RecordContext {
  random: SeededRandom;
  /** The record's `createdAt` (the author's clock). */
  createdAt: string;
  /** A post to like, repost, reply to or quote. */
  anyPost(): StrongRef;
  /** An account to follow, block or mention. */
  anyAccount(): Mentionable;
}

/** A record value ready for DAG-CBOR (blob refs hold real CIDs). */
export type RecordValue = { $type: string } & Record<string, unknown>;

export function blobRef(random: SeededRandom, mimeType: string): BlobRef {
  return { $type: 'blob', ref: rawCidOf(random.bytes(16)), mimeType, size: random.between(20_000, 950_000) };
}

export function likeRecord(context: RecordContext): RecordValue {
  return { $type: 'app.bsky.feed.like', subject: context.anyPost(), createdAt: context.createdAt };
}

export function repostRecord(context: RecordContext): RecordValue {
  return { $type: 'app.bsky.feed.repost', subject: context.anyPost(), createdAt: context.createdAt };
}

export function followRecord(context: RecordContext): RecordValue {
  return { $type: 'app.bsky.graph.follow', subject: context.anyAccount().did, createdAt: context.createdAt };
}

export function blockRecord(context: RecordContext): RecordValue {
  return { $type: 'app.bsky.graph.block', subject: context.anyAccount().did, createdAt: context.createdAt };
}

/**
 * A post: text with facets and langs; sometimes a reply, and an embed (images with blob refs,
 * a link card, a quote, or a quote with images).
 */
export function postRecord(context: RecordContext): RecordValue {
  const { random } = context;
  const { text, langs, facets } = syntheticPostText(random, () => context.anyAccount());
  const post: RecordValue = { $type: 'app.bsky.feed.post', text, langs, createdAt: context.createdAt };
  if (facets.length > 0) post['facets'] = facets;
  if (random.chance(0.3)) {
    const parent = context.anyPost();
    post['reply'] = { root: random.chance(0.5) ? parent : context.anyPost(), parent };
  }
  const embed = random.weighted([
    ['none', 60],
    ['images', 25],
    ['external', 8],
    ['record', 5],
    ['recordWithMedia', 2],
  ] as const);
  if (embed === 'images') post['embed'] = imagesEmbed(random);
  else if (embed === 'external') post['embed'] = externalEmbed(random);
  else if (embed === 'record') post['embed'] = { $type: 'app.bsky.embed.record', record: context.anyPost() };
  else if (embed === 'recordWithMedia') {
    post['embed'] = {
      $type: 'app.bsky.embed.recordWithMedia',
      record: { $type: 'app.bsky.embed.record', record: context.anyPost() },
      media: imagesEmbed(random),
    };
  }
  return post;
}

function imagesEmbed(random: SeededRandom): RecordValue {
  const images = Array.from(
    {
      length: random.weighted([
        [1, 70],
        [2, 15],
        [3, 5],
        [4, 10],
      ] as const),
    },
    () => ({
      alt: random.chance(0.4) ? syntheticPhrase(random) : '',
      image: blobRef(random, random.chance(0.8) ? 'image/jpeg' : 'image/png'),
      aspectRatio: {
        width: random.pick([1000, 1200, 2000, 828]),
        height: random.pick([750, 1000, 1500, 2000]),
      },
    }),
  );
  return { $type: 'app.bsky.embed.images', images };
}

function externalEmbed(random: SeededRandom): RecordValue {
  const external: Record<string, unknown> = {
    uri: `https://news.example.org/${random.string('abcdefghijklmnopqrstuvwxyz', 12)}`,
    title: syntheticPhrase(random),
    description: syntheticPhrase(random),
  };
  if (random.chance(0.7)) external['thumb'] = blobRef(random, 'image/jpeg');
  return { $type: 'app.bsky.embed.external', external };
}

/** `app.bsky.actor.profile/self`, written at sign-up and rewritten by profile edits. */
export function profileRecord(context: RecordContext, displayName: string): RecordValue {
  const { random } = context;
  return {
    $type: 'app.bsky.actor.profile',
    displayName,
    description: syntheticPhrase(random),
    avatar: blobRef(random, 'image/jpeg'),
    banner: blobRef(random, 'image/jpeg'),
    createdAt: context.createdAt,
  };
}

/** Collections of other lexicons that show up on the Bluesky firehose, with their records. */
export const OTHER_LEXICON_RECORDS: readonly (readonly [string, (context: RecordContext) => RecordValue])[] =
  [
    [
      'fyi.unravel.frontpage.vote',
      (context) => ({
        $type: 'fyi.unravel.frontpage.vote',
        subject: context.anyPost(),
        createdAt: context.createdAt,
      }),
    ],
    [
      'xyz.statusphere.status',
      (context) => ({
        $type: 'xyz.statusphere.status',
        status: context.random.pick(['🦋', '🥳', '😴', '🧑‍💻']),
        createdAt: context.createdAt,
      }),
    ],
    [
      'sh.tangled.feed.star',
      (context) => ({
        $type: 'sh.tangled.feed.star',
        subject: `at://${context.anyAccount().did}/sh.tangled.repo/${context.random.string('234567abcdefghij', 13)}`,
        createdAt: context.createdAt,
      }),
    ],
  ];
