import { subscriberConnections } from './server-log.js';

describe('subscriberConnections', () => {
  it('lists the subscriber connected lines, with the worker when there is one, and skips the rest and cut lines', () => {
    const log = [
      '{"level":30,"msg":"jetstream server started"}',
      '{"level":30,"worker":2,"remote":"127.0.0.1","msg":"subscriber connected"}',
      '{"level":30,"remote":"127.0.0.1","msg":"subscriber connected"}',
      '{"level":30,"remote":"127.0.0.1","msg":"subscriber disconnected"}',
      '{"level":30,"remote":"127.0.0.1","msg":"subscriber connec',
      '{"level":30,"worker":1,"msg":"subscriber connected"',
      '',
    ].join('\n');
    expect(subscriberConnections(log)).toEqual([{ worker: 2 }, {}]);
  });
});
