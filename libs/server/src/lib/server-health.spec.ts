import { ServerHealth } from './server-health.js';

const URL = 'ws://127.0.0.1:1/xrpc/com.atproto.sync.subscribeRepos';

describe('ServerHealth', () => {
  let nowMs: number;
  let health: ServerHealth;
  beforeEach(() => {
    nowMs = 0;
    health = new ServerHealth({ livenessTtlMs: 1000, now: () => nowMs });
  });

  /** Ingest running, the relay connected and a frame just arrived: ready. */
  function streaming(): void {
    health.ingestRunning(true);
    health.relayStatus({ type: 'connecting', url: URL });
    health.relayStatus({ type: 'connected', url: URL });
    health.relayStatus({ type: 'streaming', url: URL });
    health.frameReceived();
  }

  it('is ready only once ingest runs, the relay is connected and a frame arrived', () => {
    expect(health.notReadyReason()).toBe('ingest not running');
    health.ingestRunning(true);
    expect(health.notReadyReason()).toBe('relay not connected');
    health.relayStatus({ type: 'connected', url: URL });
    expect(health.notReadyReason()).toBe('no frame from the relay yet');
    health.frameReceived();
    expect(health.notReadyReason()).toBeUndefined();
  });

  it('is not ready once no frame came for the liveness TTL, and ready again with the next frame', () => {
    streaming();
    nowMs = 999;
    expect(health.notReadyReason()).toBeUndefined();
    nowMs = 1000;
    expect(health.notReadyReason()).toBe('no frame from the relay for 1000 ms');
    health.frameReceived();
    expect(health.notReadyReason()).toBeUndefined();
  });

  it('is not ready from a lost connection until the relay is connected again', () => {
    streaming();
    health.relayStatus({ type: 'disconnected', reason: 'closed', detail: 'code 1006', retryInMs: 800 });
    expect(health.notReadyReason()).toBe('relay not connected');
    health.relayStatus({ type: 'connecting', url: URL });
    expect(health.notReadyReason()).toBe('relay not connected');
    health.relayStatus({ type: 'connected', url: URL });
    expect(health.notReadyReason()).toBeUndefined();
  });

  it('takes a frame as proof of a connection when no status says so (a source without onStatus)', () => {
    health.ingestRunning(true);
    health.frameReceived();
    expect(health.notReadyReason()).toBeUndefined();
  });

  it('is not ready while the relay rejects the stored cursor, until frames stream again', () => {
    streaming();
    health.relayStatus({ type: 'disconnected', reason: 'relay-error', detail: 'FutureCursor', retryInMs: 1000 });
    health.relayStatus({ type: 'cursor-rejected', cursor: 42, error: 'FutureCursor', retryInMs: 1000 });
    health.relayStatus({ type: 'connected', url: URL });
    expect(health.notReadyReason()).toBe('the relay rejects the stored cursor');
    health.relayStatus({ type: 'streaming', url: URL });
    health.frameReceived();
    expect(health.notReadyReason()).toBeUndefined();
  });

  it('is not ready after ingest failed (the store refused a commit) or stopped', () => {
    streaming();
    health.ingestFailed(new Error('MDB_MAP_FULL'));
    health.frameReceived();
    expect(health.notReadyReason()).toBe('ingest failed: MDB_MAP_FULL');

    const stopped = new ServerHealth({ livenessTtlMs: 1000, now: () => nowMs });
    stopped.ingestRunning(true);
    stopped.frameReceived();
    stopped.ingestRunning(false);
    expect(stopped.notReadyReason()).toBe('ingest not running');
  });

  it('is not ready while a subscriber worker is missing (--workers), and ready again once all are', () => {
    streaming();
    health.workersReady(0, 2);
    expect(health.notReadyReason()).toBe('workers: 0/2 ready');
    health.workersReady(2, 2);
    expect(health.notReadyReason()).toBeUndefined();
    health.workersReady(1, 2);
    expect(health.notReadyReason()).toBe('workers: 1/2 ready');
    expect(health.workersNotReadyReason()).toBe('workers: 1/2 ready');
    health.workersReady(2, 2);
    expect(health.workersNotReadyReason()).toBeUndefined();
    expect(health.notReadyReason()).toBeUndefined();
  });

  it("gives ingest's reason before the workers'", () => {
    health.workersReady(1, 2);
    expect(health.notReadyReason()).toBe('ingest not running');
    expect(health.workersNotReadyReason()).toBe('workers: 1/2 ready');
  });
});
