import 'reflect-metadata';
import { CursorBuffer, createMemoryEventStore } from '@jetstream-ts/cursor-buffer';
import { pino } from 'pino';
import { createServerContainer, eventLogOptions, resolveJetstreamServer, servesSubscribers } from './container.js';
import { serverConfig } from './server-config.js';
import { TOKENS } from './tokens.js';

describe('servesSubscribers and eventLogOptions', () => {
  it('keep the default tail for one process and a tail of one event for a --workers primary', () => {
    expect(servesSubscribers({ workers: 1 })).toBe(true);
    expect(eventLogOptions({ workers: 1 })).toEqual({});
    expect(servesSubscribers({ workers: 2 })).toBe(false);
    expect(eventLogOptions({ workers: 4 })).toEqual({ tailCapacity: 1 });
  });
});

describe('resolveJetstreamServer', () => {
  /** Resolves a server of `workers` and says how many times its /subscribe endpoint was built. */
  function subscribeEndpointsBuilt(workers: number): number {
    const container = createServerContainer(serverConfig({ workers }));
    container.register(TOKENS.logger, { useValue: pino({ level: 'silent' }) });
    container.register(TOKENS.eventLog, { useValue: new CursorBuffer(createMemoryEventStore()) });
    let built = 0;
    container.register(TOKENS.subscribe, {
      useFactory: () => {
        built++;
        return { handleRequest: () => false, handleUpgrade: () => false, close: () => Promise.resolve() };
      },
    });
    resolveJetstreamServer(container);
    return built;
  }

  it('builds the /subscribe endpoint for one process, and none for a --workers primary', () => {
    expect(subscribeEndpointsBuilt(1)).toBe(1);
    expect(subscribeEndpointsBuilt(2)).toBe(0);
  });
});
