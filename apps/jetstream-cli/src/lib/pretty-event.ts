import type { JetstreamEvent } from '@jetstream-ts/client';

const MAX_TEXT = 100;

/** An event's time_us as ISO 8601 with microseconds: `2026-07-01T12:00:00.123456Z`. */
export function timeUsToIso(timeUs: number): string {
  const iso = new Date(Math.floor(timeUs / 1000)).toISOString();
  return `${iso.slice(0, -1)}${String(timeUs % 1000).padStart(3, '0')}Z`;
}

/**
 * One human-readable line for `subscribe --format pretty`: time, kind, what happened, who, and a
 * post's text (cut to 100 characters, newlines as spaces).
 *
 * @example
 * prettyEvent(event); // '2026-07-01T12:00:00.000001Z commit create app.bsky.feed.post/3k2a did:plc:abc "hello"'
 */
export function prettyEvent(event: JetstreamEvent): string {
  const time = timeUsToIso(event.time_us);
  if (event.kind === 'identity') return `${time} identity ${event.did}${event.identity.handle ? ` handle ${event.identity.handle}` : ''}`;
  if (event.kind === 'account') {
    const state = event.account.active ? 'active' : `inactive${event.account.status ? ` (${event.account.status})` : ''}`;
    return `${time} account ${event.did} ${state}`;
  }
  const { commit } = event;
  const line = `${time} commit ${commit.operation} ${commit.collection}/${commit.rkey} ${event.did}`;
  const text = commit.operation !== 'delete' ? commit.record['text'] : undefined;
  if (typeof text !== 'string') return line;
  const oneLine = text.replace(/\s+/g, ' ');
  return `${line} ${JSON.stringify(oneLine.length > MAX_TEXT ? `${oneLine.slice(0, MAX_TEXT)}…` : oneLine)}`;
}
