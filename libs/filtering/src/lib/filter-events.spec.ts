import { TestScheduler } from 'rxjs/testing';
import { filterEvents } from './filter-events.js';
import type { FilterableEvent } from './subscriber-filter.js';
import { ALICE, BOB, filterOf } from './subscriber-filter.test-util.js';


const events: Record<string, FilterableEvent> = {
  p: { did: ALICE, collection: 'app.bsky.feed.post' },
  l: { did: ALICE, collection: 'app.bsky.feed.like' },
  f: { did: BOB, collection: 'app.bsky.graph.follow' },
  i: { did: BOB, collection: '' },
};

describe('filterEvents', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('keeps only wanted events, in order and on time', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('p-l-f-i-|', events);
      expectObservable(source.pipe(filterEvents(filterOf(['app.bsky.feed.post', 'app.bsky.graph.*'])))).toBe('p---f-i-|', events);
      expectObservable(source.pipe(filterEvents(filterOf([], [BOB])))).toBe('----f-i-|', events);
    });
  });

  it('reads the filter in force for each event when given a function', () => {
    scheduler.run(({ cold, expectObservable }) => {
      let current = filterOf(['app.bsky.feed.post']);
      const source = cold('p-l-p-l-|', events);
      scheduler.schedule(() => (current = filterOf(['app.bsky.feed.like'])), 3);
      expectObservable(source.pipe(filterEvents(() => current))).toBe('p-----l-|', events);
    });
  });
});
