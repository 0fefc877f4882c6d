import { map, type Observable, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { RunHelpers } from 'rxjs/internal/testing/TestScheduler';
import { cborMap, concatBytes } from './cbor.test-util.js';
import { relayFrames, type RelayFramesOptions } from './relay-frames.js';
import type { RelaySocketFactory, RelaySocketHandlers } from './relay-socket.js';
import type { UpstreamStatus } from './upstream-status.js';

const messageFrame = (seq: number) => concatBytes(cborMap({ t: '#identity', op: 1 }), cborMap({ seq, did: 'did:plc:a', time: '2024-01-01T00:00:00Z' }));
const errorFrame = (error: string) => concatBytes(cborMap({ op: -1 }), cborMap({ error, message: `${error} happened` }));

const frames = { a: messageFrame(1), b: messageFrame(2), d: messageFrame(3) };
/** Names each emitted frame by its letter, so failures read as marbles rather than byte dumps. */
const letters = (source: Observable<Uint8Array>) =>
  source.pipe(map((bytes) => Object.entries(frames).find(([, frame]) => frame === bytes)?.[0] ?? '?'));
type Action = (handlers: RelaySocketHandlers) => void;
/** One letter per relay-side action in a connection script. */
const actions: Record<string, Action> = {
  o: (h) => h.open(),
  c: (h) => h.close(1000, ''),
  e: (h) => h.error(new Error('ECONNREFUSED')),
  t: (h) => h.message(new TextEncoder().encode('hello'), false),
  F: (h) => h.message(errorFrame('FutureCursor'), true),
  S: (h) => h.message(errorFrame('ConsumerTooSlow'), true),
  ...Object.fromEntries(Object.entries(frames).map(([key, bytes]) => [key, (h: RelaySocketHandlers) => h.message(bytes, true)])),
};

interface Connection {
  /** Marble of what the relay does on this connection, from the moment it is dialled. */
  script: string;
  answersPings?: boolean;
}

/** A scripted relay: connection i follows `connections[i]`; records when and where it was dialled. */
function scriptedRelay(helpers: RunHelpers, scheduler: TestScheduler, connections: Connection[]) {
  const dials: { url: string; at: number }[] = [];
  let open = 0;
  const socketFactory: RelaySocketFactory = (url, handlers) => {
    const plan = connections[dials.length] ?? { script: '-' };
    dials.push({ url, at: scheduler.now() });
    open++;
    const script = helpers.cold<Action>(plan.script, actions).subscribe((action) => action(handlers));
    return {
      ping: () => (plan.answersPings ? handlers.pong() : undefined),
      terminate: () => {
        open--;
        script.unsubscribe();
      },
    };
  };
  return { dials, socketFactory, openSockets: () => open };
}

const URL_BASE = 'ws://relay.test/xrpc/com.atproto.sync.subscribeRepos';

function run(test: (helpers: RunHelpers, scheduler: TestScheduler) => void) {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  scheduler.run((helpers) => test(helpers, scheduler));
}

function options(overrides: Partial<RelayFramesOptions>, statuses: UpstreamStatus[] = []): RelayFramesOptions {
  return {
    wsUrl: URL_BASE,
    livenessTtl: 0,
    pingInterval: 0,
    backoff: { initialDelay: 10, maxDelay: 40, resetAfter: 100 },
    random: () => 1,
    onStatus: (status) => statuses.push(status),
    ...overrides,
  };
}

describe('relayFrames', () => {
  it('emits binary frames and reconnects after a close and a failed dial, doubling the delay', () =>
    run((helpers, scheduler) => {
      const relay = scriptedRelay(helpers, scheduler, [{ script: 'oa-c' }, { script: 'e' }, { script: 'ob' }]);
      const source = relayFrames(options({ socketFactory: relay.socketFactory, scheduler }));
      // a at 1; close at 3 -> retry in 10 (dial at 13) fails at once -> retry in 20 (dial at 33), b at 34.
      helpers.expectObservable(letters(source), '^ 99ms !').toBe('-a 32ms b');
      helpers.flush();
      expect(relay.dials.map((dial) => dial.at)).toEqual([0, 13, 33]);
    }));

  it('caps the delay at maxDelay and resets it after a connection stayed up for resetAfter', () =>
    run((helpers, scheduler) => {
      const statuses: UpstreamStatus[] = [];
      const relay = scriptedRelay(helpers, scheduler, [
        { script: 'e' },
        { script: 'e' },
        { script: 'e' },
        { script: 'e' },
        { script: 'o 149ms c' },
        { script: 'e' },
      ]);
      helpers.expectObservable(relayFrames(options({ socketFactory: relay.socketFactory, scheduler }, statuses)), '^ 499ms !').toBe('');
      helpers.flush();
      // Delays 10, 20, 40, 40 (cap); then a 150 ms healthy connection resets to 10, then 20 again.
      expect(relay.dials.map((dial) => dial.at)).toEqual([0, 10, 30, 70, 110, 270, 290]);
      const retries = statuses.flatMap((status) => (status.type === 'disconnected' ? [status.retryInMs] : []));
      expect(retries.slice(0, 6)).toEqual([10, 20, 40, 40, 10, 20]);
    }));

  it('jitters each delay into the upper half of its nominal value', () =>
    run((helpers, scheduler) => {
      const relay = scriptedRelay(helpers, scheduler, [{ script: 'e' }, { script: 'e' }, { script: 'e' }]);
      helpers.expectObservable(relayFrames(options({ socketFactory: relay.socketFactory, scheduler, random: () => 0 })), '^ 40ms !').toBe('');
      helpers.flush();
      expect(relay.dials.map((dial) => dial.at)).toEqual([0, 5, 15, 35]);
    }));

  it('drops a connection that delivers no frame within livenessTtl and reconnects', () =>
    run((helpers, scheduler) => {
      const statuses: UpstreamStatus[] = [];
      const relay = scriptedRelay(helpers, scheduler, [{ script: 'o-a 200ms b' }, { script: 'o-d' }]);
      const source = relayFrames(options({ socketFactory: relay.socketFactory, scheduler, livenessTtl: 100 }, statuses));
      // a at 2, silence: dropped at 102, redialled at 112, d at 114. b (due at 203 on the dead socket)
      // never comes; the second connection falls silent too and is redialled at 224.
      helpers.expectObservable(letters(source), '^ 299ms !').toBe('--a 111ms d');
      helpers.flush();
      expect(relay.dials.map((dial) => dial.at)).toEqual([0, 112, 224]);
      expect(statuses).toContainEqual({ type: 'disconnected', reason: 'liveness', detail: 'no frame for 100 ms', retryInMs: 10 });
    }));

  it('keeps a connection whose frames keep coming within livenessTtl', () =>
    run((helpers, scheduler) => {
      const relay = scriptedRelay(helpers, scheduler, [{ script: 'oa 80ms b 80ms d' }]);
      const source = relayFrames(options({ socketFactory: relay.socketFactory, scheduler, livenessTtl: 100 }));
      helpers.expectObservable(letters(source), '^ 199ms !').toBe('-a 80ms b 80ms d');
      helpers.flush();
      expect(relay.dials).toHaveLength(1);
    }));

  it('pings periodically and drops a connection whose ping is unanswered when the next is due', () =>
    run((helpers, scheduler) => {
      const statuses: UpstreamStatus[] = [];
      const relay = scriptedRelay(helpers, scheduler, [{ script: 'o' }, { script: 'o', answersPings: true }]);
      helpers.expectObservable(relayFrames(options({ socketFactory: relay.socketFactory, scheduler, pingInterval: 50 }, statuses)), '^ 999ms !').toBe('');
      helpers.flush();
      // Ping at 50 unanswered, dropped at 100, redialled at 110; that one answers and stays.
      expect(relay.dials.map((dial) => dial.at)).toEqual([0, 110]);
      expect(statuses.filter((status) => status.type === 'disconnected')).toEqual([
        { type: 'disconnected', reason: 'ping-timeout', detail: 'no pong within 50 ms', retryInMs: 10 },
      ]);
    }));

  it('resumes every connection from cursor(), replacing the query string', () =>
    run((helpers, scheduler) => {
      let cursor: number | undefined;
      const relay = scriptedRelay(helpers, scheduler, [{ script: 'oc' }, { script: 'oc' }, { script: 'o' }]);
      const source = relayFrames(options({ wsUrl: `${URL_BASE}?foo=bar`, socketFactory: relay.socketFactory, scheduler, cursor: () => cursor }));
      helpers.cold('-x 10ms y').subscribe((step) => (cursor = step === 'x' ? 0 : 1234));
      helpers.expectObservable(source, '^ 100ms !').toBe('');
      helpers.flush();
      expect(relay.dials.map((dial) => dial.url)).toEqual([`${URL_BASE}?foo=bar`, `${URL_BASE}?cursor=0`, `${URL_BASE}?cursor=1234`]);
    }));

  it('keeps the cursor after FutureCursor, retrying it with a growing backoff, and after ConsumerTooSlow', () =>
    run((helpers, scheduler) => {
      const statuses: UpstreamStatus[] = [];
      let cursor = 500;
      const relay = scriptedRelay(helpers, scheduler, [{ script: 'oF' }, { script: 'oF' }, { script: 'oa-c' }, { script: 'oS' }, { script: 'o' }]);
      const source = relayFrames(options({ socketFactory: relay.socketFactory, scheduler, cursor: () => cursor }, statuses)).pipe(
        tap(() => (cursor = 501)),
      );
      helpers.expectObservable(source, '^ 200ms !');
      helpers.flush();
      // F at 1 -> retry in 10 (dial 11), F at 12 -> retry in 20 (dial 32): the same cursor each time.
      expect(relay.dials.map((dial) => dial.url)).toEqual([
        `${URL_BASE}?cursor=500`,
        `${URL_BASE}?cursor=500`,
        `${URL_BASE}?cursor=500`,
        `${URL_BASE}?cursor=501`,
        `${URL_BASE}?cursor=501`,
      ]);
      expect(relay.dials.slice(0, 3).map((dial) => dial.at)).toEqual([0, 11, 32]);
      expect(statuses.filter((status) => ['relay-error', 'cursor-rejected', 'streaming'].includes(status.type))).toEqual([
        { type: 'cursor-rejected', cursor: 500, error: 'FutureCursor', message: 'FutureCursor happened', retryInMs: 10 },
        { type: 'cursor-rejected', cursor: 500, error: 'FutureCursor', message: 'FutureCursor happened', retryInMs: 20 },
        { type: 'streaming', url: `${URL_BASE}?cursor=500` },
        { type: 'relay-error', error: 'ConsumerTooSlow', message: 'ConsumerTooSlow happened' },
      ]);
    }));

  it('reports FutureCursor without a cursor (live) as a plain relay error', () =>
    run((helpers, scheduler) => {
      const statuses: UpstreamStatus[] = [];
      const relay = scriptedRelay(helpers, scheduler, [{ script: 'oF' }, { script: 'o' }]);
      helpers.expectObservable(relayFrames(options({ socketFactory: relay.socketFactory, scheduler }, statuses)), '^ 50ms !');
      helpers.flush();
      expect(statuses.filter((status) => status.type === 'relay-error')).toEqual([
        { type: 'relay-error', error: 'FutureCursor', message: 'FutureCursor happened' },
      ]);
    }));

  it('does not emit error frames or text messages, and reports an ignored text message once per connection', () =>
    run((helpers, scheduler) => {
      const statuses: UpstreamStatus[] = [];
      const relay = scriptedRelay(helpers, scheduler, [{ script: 'ota-tb' }]);
      const source = relayFrames(options({ socketFactory: relay.socketFactory, scheduler }, statuses));
      helpers.expectObservable(letters(source), '^ 10ms !').toBe('--a--b');
      helpers.flush();
      expect(statuses.filter((status) => status.type === 'ignored-message')).toHaveLength(1);
    }));

  it('reports connecting, connected and disconnected in order', () =>
    run((helpers, scheduler) => {
      const statuses: UpstreamStatus[] = [];
      const relay = scriptedRelay(helpers, scheduler, [{ script: 'o-c' }]);
      helpers.expectObservable(relayFrames(options({ socketFactory: relay.socketFactory, scheduler, cursor: () => 7 }, statuses)), '^ 5ms !').toBe('');
      helpers.flush();
      expect(statuses).toEqual([
        { type: 'connecting', url: `${URL_BASE}?cursor=7`, cursor: 7 },
        { type: 'connected', url: `${URL_BASE}?cursor=7` },
        { type: 'disconnected', reason: 'closed', detail: 'code 1000', retryInMs: 10 },
      ]);
    }));

  it('closes the socket and cancels pending retries on unsubscribe', () =>
    run((helpers, scheduler) => {
      const relay = scriptedRelay(helpers, scheduler, [{ script: 'oa' }, { script: 'o' }]);
      const source = relayFrames(options({ socketFactory: relay.socketFactory, scheduler, livenessTtl: 100, pingInterval: 30 }));
      helpers.expectObservable(letters(source), '^ 5ms !').toBe('-a');
      helpers.flush();
      expect(relay.openSockets()).toBe(0);
      expect(relay.dials).toHaveLength(1);
    }));
});
