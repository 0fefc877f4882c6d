import { parsePublishCeiling } from './publish-ceiling.js';

describe('parsePublishCeiling', () => {
  const line =
    '{"events":100000,"batchSize":1000,"publishEventsPerSecond":18824,"replicateEventsPerSecond":14000,"avgJsonBytes":546,"avgZstdBytes":255,"streamBytesPerMessage":582}';

  it("reads publish-throughput.mjs's JSON line, the last one when something else was printed first", () => {
    expect(parsePublishCeiling(`warming up\n{"note":1}\n${line}\n`)).toEqual({
      events: 100_000,
      batchSize: 1000,
      publishEventsPerSecond: 18_824,
      replicateEventsPerSecond: 14_000,
      avgJsonBytes: 546,
      avgZstdBytes: 255,
      streamBytesPerMessage: 582,
    });
  });

  it('fails, quoting the output, when there is no result', () => {
    expect(() => parsePublishCeiling('{"note":1}\nError: nats-server exited with 1\n')).toThrow(
      /printed no result: .*nats-server exited with 1/,
    );
  });
});
