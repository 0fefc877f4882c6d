import type { LoggedEvent } from '@jetstream-ts/models';
import { PluginOptionError, type SubscriberPlugin } from '@jetstream-ts/plugins';
import { filter } from 'rxjs';

const utf8 = new TextDecoder();
/** A BCP 47 tag as posts carry them (`en`, `pt-BR`, `zh-Hant`), leniently. */
const LANGUAGE_TAG = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/;

/**
 * A `subscriber` plugin that adds a `/subscribe` option: `lang=en` (repeatable, or `lang=en,pt`)
 * keeps the posts whose record `langs` has a tag with one of those primary languages (`en`
 * matches `en-US`); other events pass. No `lang`, no operator. A malformed tag refuses the request
 * with HTTP 400 `invalid lang: <tag>`, as v1 answers its own options. Each post's `langs` is read
 * once, however many subscribers ask.
 *
 * @example
 * import { langOption } from '@jetstream-ts/example-relay';
 * container.register(TOKENS.plugins, { useValue: langOption() });
 * // ws://host:6008/subscribe?wantedCollections=app.bsky.feed.post&lang=en
 *
 * @return The plugin.
 */
export function langOption(): SubscriberPlugin {
  const languagesOf = new WeakMap<LoggedEvent, readonly string[]>();
  const postLanguages = (event: LoggedEvent): readonly string[] => {
    let languages = languagesOf.get(event);
    if (languages === undefined) {
      const parsed = JSON.parse(utf8.decode(event.json)) as { commit?: { record?: { langs?: unknown } } };
      const langs = parsed.commit?.record?.langs;
      languages = Array.isArray(langs) ? langs.filter((lang): lang is string => typeof lang === 'string').map(primaryLanguage) : [];
      languagesOf.set(event, languages);
    }
    return languages;
  };
  return {
    name: 'lang',
    stage: 'subscriber',
    session: (query) => {
      const tags = query.getAll('lang').flatMap((value) => value.split(','));
      if (tags.length === 0) return undefined;
      for (const tag of tags) if (!LANGUAGE_TAG.test(tag)) throw new PluginOptionError(`invalid lang: ${tag}`);
      const wanted = new Set(tags.map(primaryLanguage));
      return filter((event) => event.kind !== 'commit' || postLanguages(event).some((language) => wanted.has(language)));
    },
  };
}

function primaryLanguage(tag: string): string {
  return tag.split('-')[0]!.toLowerCase();
}
