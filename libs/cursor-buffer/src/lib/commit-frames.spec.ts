import type { AppendBatch, LoggedEvent } from '@jetstream-ts/models';
import { TestScheduler } from 'rxjs/testing';
import { commitFrames, type FrameEvents } from './commit-frames.js';

/** A minimal event: only its identity matters to batching. */
const event = (timeUs: number) => ({ time_us: timeUs }) as LoggedEvent;
const frame = (relayCursor: number | undefined, ...events: LoggedEvent[]): FrameEvents => ({ events, relayCursor });

describe('commitFrames', () => {
  let scheduler: TestScheduler;
  beforeEach(() => (scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected))));

  /** A store whose commits take `commitMs` of virtual time (then succeed, or fail with `failure`). */
  function storeTaking(commitMs: number, failure?: Error) {
    const appended: AppendBatch[] = [];
    const append = (events: readonly LoggedEvent[], relayCursor: number) => {
      appended.push({ events: [...events], relayCursor });
      // A thenable on virtual time: the operator only calls then(ok, fail).
      return { then: (ok: () => void, fail: (error: unknown) => void) => scheduler.schedule(() => (failure ? fail(failure) : ok()), commitMs) } as unknown as Promise<void>;
    };
    return { append, appended };
  }

  it('cuts a batch maxBatchWaitMs after its first frame; a frame without events still moves the cursor', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const [a, b, c, d] = [event(1), event(2), event(3), event(4)];
      const frames = { p: frame(1, a, b), q: frame(2, c), r: frame(3), s: frame(4, d) };
      const source = cold('p-qr------s---------|', frames);
      expectObservable(source.pipe(commitFrames(storeTaking(0), { maxBatchWaitMs: 5, scheduler }))).toBe('5ms x 9ms y 4ms |', {
        x: { events: [a, b, c], relayCursor: 3 },
        y: { events: [d], relayCursor: 4 },
      });
    });
  });

  it('commits a full batch at once, never splitting a frame', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const [a, b, c, d] = [event(1), event(2), event(3), event(4)];
      const source = cold('pq--------|', { p: frame(1, a, b, c), q: frame(2, d) });
      expectObservable(source.pipe(commitFrames(storeTaking(0), { maxBatchEvents: 2, maxBatchWaitMs: 5, scheduler }))).toBe('x 5ms y 3ms |', {
        x: { events: [a, b, c], relayCursor: 1 },
        y: { events: [d], relayCursor: 2 },
      });
    });
  });

  it('keeps one commit in flight: frames that arrive meanwhile make the next batch, committed as soon as it ends', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const [a, b, c] = [event(1), event(2), event(3)];
      const store = storeTaking(10);
      const source = cold('pqr--|', { p: frame(1, a), q: frame(2, b), r: frame(3, c) });
      expectObservable(source.pipe(commitFrames(store, { maxBatchEvents: 1, scheduler }))).toBe('10ms x 9ms (y|)', {
        x: { events: [a], relayCursor: 1 },
        y: { events: [b, c], relayCursor: 3 },
      });
      scheduler.flush();
      expect(store.appended.map((batch) => batch.relayCursor)).toEqual([1, 3]);
    });
  });

  it('commits what is pending before passing on the end or the error of its source', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const [a, b] = [event(1), event(2)];
      expectObservable(cold('p|', { p: frame(1, a) }).pipe(commitFrames(storeTaking(0), { scheduler }))).toBe('-(x|)', { x: { events: [a], relayCursor: 1 } });
      expectObservable(cold('p#', { p: frame(2, b) }).pipe(commitFrames(storeTaking(0), { scheduler }))).toBe('-(y#)', { y: { events: [b], relayCursor: 2 } });
    });
  });

  it('commits events of a frame without a seq under the last cursor, and never invents one', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const [a, b] = [event(1), event(2)];
      // Before any cursor, cursor-less events wait for a frame with one.
      const source = cold('n---p--m--|', { n: frame(undefined, a), p: frame(5), m: frame(undefined, b) });
      expectObservable(source.pipe(commitFrames(storeTaking(0), { maxBatchWaitMs: 2, scheduler }))).toBe('------x--y|', {
        x: { events: [a], relayCursor: 5 },
        y: { events: [b], relayCursor: 5 },
      });
    });
  });

  it('errors when a commit fails', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('p---|', { p: frame(1, event(1)) });
      expectObservable(source.pipe(commitFrames(storeTaking(1, new Error('disk full')), { maxBatchEvents: 1, scheduler }))).toBe('-#', undefined, new Error('disk full'));
    });
  });

  it('emits nothing for an idle source and cancels its timer on unsubscribe', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('p 100ms |', { p: frame(1, event(1)) }).pipe(commitFrames(storeTaking(0), { maxBatchWaitMs: 20, scheduler })), '^ 5ms !').toBe('');
      expectObservable(cold<FrameEvents>('50ms |').pipe(commitFrames(storeTaking(0), { scheduler }))).toBe('50ms |');
    });
  });
});
