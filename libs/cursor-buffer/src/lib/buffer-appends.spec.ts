import type { LoggedEvent } from '@jetstream-ts/models';
import { TestScheduler } from 'rxjs/testing';
import { bufferAppends } from './buffer-appends.js';

/** A minimal event: only `time_us` and `relaySeq` matter to batching. */
const event = (timeUs: number, relaySeq: number) => ({ time_us: timeUs, relaySeq }) as LoggedEvent;

describe('bufferAppends', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('closes a batch maxWaitMs after its first event, with the last relaySeq as cursor', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const events = { a: event(1, 10), b: event(2, 11), c: event(3, 12) };
      const source = cold('a 4ms b 20ms c 30ms |', events);
      expectObservable(source.pipe(bufferAppends({ maxWaitMs: 10, scheduler }))).toBe('10ms x 25ms y 20ms |', {
        x: { events: [events.a, events.b], relayCursor: 11 },
        y: { events: [events.c], relayCursor: 12 },
      });
    });
  });

  it('closes a full batch at the next frame boundary, keeping the ops of a frame together', () => {
    scheduler.run(({ cold, expectObservable }) => {
      // maxEvents 2; the frame with relaySeq 2 has three ops, all emitted at once.
      const events = { a: event(1, 1), b: event(2, 2), c: event(3, 2), d: event(4, 2), e: event(5, 3) };
      const source = cold('(abcde) 50ms |', events);
      expectObservable(source.pipe(bufferAppends({ maxEvents: 2, maxWaitMs: 10, scheduler }))).toBe('(x) 7ms y 46ms |', {
        x: { events: [events.a, events.b, events.c, events.d], relayCursor: 2 },
        y: { events: [events.e], relayCursor: 3 },
      });
    });
  });

  it('flushes the pending batch before completing or erroring', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const events = { a: event(1, 1), b: event(2, 2) };
      expectObservable(cold('a |', events).pipe(bufferAppends({ scheduler }))).toBe('- (x|)', {
        x: { events: [events.a], relayCursor: 1 },
      });
      expectObservable(cold('b #', events).pipe(bufferAppends({ scheduler }))).toBe('- (y#)', {
        y: { events: [events.b], relayCursor: 2 },
      });
    });
  });

  it('emits nothing for an idle source and cancels its timer on unsubscribe', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('a 100ms |', { a: event(1, 1) });
      expectObservable(source.pipe(bufferAppends({ maxWaitMs: 20, scheduler })), '^ 5ms !').toBe('');
      expectObservable(cold<LoggedEvent>('50ms |').pipe(bufferAppends({ scheduler }))).toBe('50ms |');
    });
  });
});
