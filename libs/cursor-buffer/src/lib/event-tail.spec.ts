import { EventTail } from './event-tail.js';
import { loggedEvents } from './test-events.test-util.js';

const times = (tail: EventTail, from = 0, limit = 100) => tail.readFrom(from, limit).map((event) => event.time_us);

describe('EventTail', () => {
  it('keeps the newest `capacity` events, oldest first, across wrap-around', () => {
    const tail = new EventTail(4);
    tail.push(loggedEvents(1, 3));
    expect(times(tail)).toEqual([1, 2, 3]);
    tail.push(loggedEvents(4, 3));
    expect(times(tail)).toEqual([3, 4, 5, 6]);
    expect(tail.oldestTimeUs()).toBe(3);
    expect(times(tail, 5)).toEqual([5, 6]);
    expect(times(tail, 4, 2)).toEqual([4, 5]);
    expect(times(tail, 7)).toEqual([]);
  });

  it('drops events older than a time', () => {
    const tail = new EventTail(4);
    tail.push(loggedEvents(1, 6));
    tail.dropOlderThan(5);
    expect(times(tail)).toEqual([5, 6]);
    tail.push(loggedEvents(7, 3));
    expect(times(tail)).toEqual([6, 7, 8, 9]);
    tail.dropOlderThan(100);
    expect(tail.size).toBe(0);
    expect(tail.oldestTimeUs()).toBeUndefined();
  });

  it('rejects a capacity below one', () => {
    expect(() => new EventTail(0)).toThrow(RangeError);
  });
});
