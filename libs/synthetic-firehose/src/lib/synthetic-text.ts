import type { SeededRandom } from './seeded-random.js';

/**
 * Post text in several languages, with the characters a JSON encoder must treat with care:
 * `<`, `>`, `&` (escaped by v1), U+2028/U+2029, emoji (surrogate pairs), quotes, backslashes.
 */
const PHRASES: Record<string, readonly string[]> = {
  en: [
    'Just shipped a new release, changelog in the thread',
    'Coffee first, then code ☕',
    'Is it just me or is the timeline quiet today?',
    'if (a < b && b > c) { return "ok"; } — why does this look wrong to me',
    'Tom & Jerry was the best cartoon, fight me',
    'Reading about merkle search trees again. They are neat.',
    'the sunset tonight 🌅🔥',
    'Path on Windows: C:\\Users\\me\\notes.txt (yes, backslashes)',
    'New blog post: <title> tags & why they still matter',
    'Good morning! 🌞',
  ],
  ja: [
    '今日はいい天気ですね',
    '新しいプロジェクトを始めました！',
    'ラーメン食べたい🍜',
    '猫がキーボードの上で寝てる',
  ],
  pt: [
    'Bom dia a todos! Hoje é dia de praia 🏖️',
    'Alguém sabe se o metrô está funcionando?',
    'Saudade é uma palavra linda',
  ],
  de: ['Schönes Wochenende! Grüße aus München', 'Straßenbahn schon wieder verspätet…'],
  es: ['¿Alguien más está viendo el partido? ⚽', 'Mañana empiezo el gimnasio, lo prometo'],
  ko: ['오늘도 화이팅! 💪', '새 노래 너무 좋다'],
  fr: ['Déjà vendredi ? Où est passée la semaine…', 'Crème brûlée > tout le reste'],
};

/** Languages weighted roughly as the network's posts are. */
const LANGUAGES: readonly (readonly [string, number])[] = [
  ['en', 50],
  ['ja', 18],
  ['pt', 12],
  ['de', 5],
  ['es', 6],
  ['ko', 5],
  ['fr', 4],
];

const TAGS = ['atproto', 'bluesky', 'photography', 'art', 'gamedev', 'rust', 'typescript', 'café'];
const LINK_HOSTS = ['example.com', 'news.example.org', 'blog.example.net', 'ナビ.example.jp'];

export type FacetFeature =
  | { $type: 'app.bsky.richtext.facet#mention'; did: string }
  | { $type: 'app.bsky.richtext.facet#link'; uri: string }
  | { $type: 'app.bsky.richtext.facet#tag'; tag: string };

export interface Facet {
  index: { byteStart: number; byteEnd: number };
  features: FacetFeature[];
}

export interface PostText {
  text: string;
  langs: string[];
  facets: Facet[];
}

/** Someone a post can mention. */
export interface Mentionable {
  did: string;
  handle: string;
}

const utf8 = new TextEncoder();

/**
 * Composes a post: one to three phrases of one language, sometimes a line separator, and
 * sometimes a mention, a link and a hashtag, each with a facet whose byte range covers exactly
 * its text (UTF-8 offsets, as the lexicon wants).
 */
export function syntheticPostText(random: SeededRandom, mentionable: () => Mentionable): PostText {
  const lang = random.weighted(LANGUAGES);
  const phrases = Array.from({ length: random.between(1, 3) }, () => random.pick(PHRASES[lang]));
  let text = phrases.join(random.chance(0.05) ? '\u2028' : random.chance(0.3) ? '\n\n' : ' ');
  const facets: Facet[] = [];
  const append = (segment: string, feature?: FacetFeature) => {
    text += ' ';
    const byteStart = utf8.encode(text).length;
    text += segment;
    if (feature)
      facets.push({
        index: { byteStart, byteEnd: byteStart + utf8.encode(segment).length },
        features: [feature],
      });
  };
  if (random.chance(0.15)) {
    const { did, handle } = mentionable();
    append(`@${handle}`, { $type: 'app.bsky.richtext.facet#mention', did });
  }
  if (random.chance(0.12)) {
    const uri = `https://${random.pick(LINK_HOSTS)}/${random.string('abcdefghijklmnopqrstuvwxyz0123456789', 10)}?ref=bsky&lang=${lang}`;
    append(uri.replace(/^https:\/\//, '').slice(0, 30) + '…', { $type: 'app.bsky.richtext.facet#link', uri });
  }
  if (random.chance(0.1)) {
    const tag = random.pick(TAGS);
    append(`#${tag}`, { $type: 'app.bsky.richtext.facet#tag', tag });
  }
  return { text, langs: [lang], facets };
}

/** A short free text (alt text, profile description) in one language. */
export function syntheticPhrase(random: SeededRandom): string {
  return random.pick(PHRASES[random.weighted(LANGUAGES)]);
}
