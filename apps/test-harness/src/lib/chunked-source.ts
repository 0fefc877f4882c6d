import { Observable } from 'rxjs';

/**
 * Emits an iterable's values in chunks, yielding to the event loop between chunks, so that a
 * fast synchronous producer (the frame synthesizer) lets file writes drain instead of queueing
 * everything in memory. Stops pulling when unsubscribed; an exception thrown by the iterator
 * becomes the stream's error.
 */
export function chunkedSource<T>(iterable: Iterable<T>, chunkSize = 256): Observable<T> {
  return new Observable<T>((destination) => {
    const iterator = iterable[Symbol.iterator]();
    let timer: NodeJS.Immediate | undefined;
    const pump = () => {
      try {
        for (let i = 0; i < chunkSize; i++) {
          if (destination.closed) return;
          const result = iterator.next();
          if (result.done) return destination.complete();
          destination.next(result.value);
        }
      } catch (error) {
        return destination.error(error);
      }
      timer = setImmediate(pump);
    };
    timer = setImmediate(pump);
    return () => clearImmediate(timer);
  });
}
