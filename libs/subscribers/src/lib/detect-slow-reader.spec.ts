import { TestScheduler } from 'rxjs/testing';
import { detectSlowReader, type ReaderProgress, type SlowReaderPolicy } from './detect-slow-reader.js';

const policy: SlowReaderPolicy = { maxEventsBehind: 100, minEventsPerSecond: 5, windowMs: 10 };

describe('detectSlowReader', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('judges a reader that stays behind without reading, once the window has passed', () => {
    scheduler.run(({ cold, expectObservable }) => {
      // A sample every 5 ms; behind from the first one, never reading.
      const samples = cold<ReaderProgress>('a 4ms b 4ms c 4ms d 4ms e', {
        a: { eventsBehind: 200, eventsRead: 0 },
        b: { eventsBehind: 300, eventsRead: 0 },
        c: { eventsBehind: 400, eventsRead: 0 },
        d: { eventsBehind: 500, eventsRead: 0 },
        e: { eventsBehind: 600, eventsRead: 0 },
      });
      expectObservable(samples.pipe(detectSlowReader(policy, scheduler))).toBe('10ms (v|)', {
        v: { eventsBehind: 400, eventsPerSecond: 0, forMs: 10 },
      });
    });
  });

  it('leaves a reader that is behind but reading fast enough (a replay catching up)', () => {
    scheduler.run(({ cold, expectObservable }) => {
      // 100 events per 5 ms is 20,000 events/s.
      const samples = cold<ReaderProgress>('a 4ms b 4ms c 4ms d 4ms e|', {
        a: { eventsBehind: 1000, eventsRead: 0 },
        b: { eventsBehind: 900, eventsRead: 100 },
        c: { eventsBehind: 800, eventsRead: 200 },
        d: { eventsBehind: 700, eventsRead: 300 },
        e: { eventsBehind: 600, eventsRead: 400 },
      });
      expectObservable(samples.pipe(detectSlowReader(policy, scheduler))).toBe('21ms |');
    });
  });

  it('measures the rate over the whole window, not the last step', () => {
    scheduler.run(({ cold, expectObservable }) => {
      // 100 events in the window's first half and none in the second is still 10,000 events/s.
      const samples = cold<ReaderProgress>('a 4ms b 4ms c|', {
        a: { eventsBehind: 1000, eventsRead: 0 },
        b: { eventsBehind: 1000, eventsRead: 100 },
        c: { eventsBehind: 1000, eventsRead: 100 },
      });
      expectObservable(samples.pipe(detectSlowReader(policy, scheduler))).toBe('11ms |');
    });
  });

  it('starts over when the reader comes within reach of the head', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const samples = cold<ReaderProgress>('a 4ms b 4ms c 4ms d 4ms e 4ms f|', {
        a: { eventsBehind: 200, eventsRead: 0 },
        b: { eventsBehind: 200, eventsRead: 0 },
        c: { eventsBehind: 50, eventsRead: 0 },
        d: { eventsBehind: 200, eventsRead: 0 },
        e: { eventsBehind: 200, eventsRead: 0 },
        f: { eventsBehind: 200, eventsRead: 0 },
      });
      expectObservable(samples.pipe(detectSlowReader(policy, scheduler))).toBe('25ms (v|)', {
        v: { eventsBehind: 200, eventsPerSecond: 0, forMs: 10 },
      });
    });
  });

  it('gives a fresh window after a fast one, then catches a reader that slows down', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const samples = cold<ReaderProgress>('a 9ms b 9ms c', {
        a: { eventsBehind: 500, eventsRead: 0 },
        b: { eventsBehind: 500, eventsRead: 1000 },
        c: { eventsBehind: 500, eventsRead: 1000 },
      });
      expectObservable(samples.pipe(detectSlowReader(policy, scheduler))).toBe('20ms (v|)', {
        v: { eventsBehind: 500, eventsPerSecond: 0, forMs: 10 },
      });
    });
  });

  it('passes errors through', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<ReaderProgress>('#').pipe(detectSlowReader(policy, scheduler))).toBe('#');
    });
  });
});
