import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { synthesizeFrames } from '@jetstream-ts/synthetic-firehose';
import { metricSample, startE2eServer, until, type E2eServer } from './e2e-server.test-util.js';

const FRAMES = 1000;
const RATE = 300;

describe('end to end: /readyz tells the truth about the relay; the processing histogram fills', () => {
  let relay: FakeRelay | undefined;
  let server: E2eServer | undefined;

  afterEach(async () => {
    await server?.close();
    await relay?.close();
    server = relay = undefined;
  });

  async function get(path: '/readyz' | '/healthz'): Promise<{ status: number; body: string }> {
    const response = await fetch(server!.metricsUrl.replace(/\/metrics$/, path));
    return { status: response.status, body: await response.text() };
  }
  const readyIs = (status: number) => async () => (await get('/readyz')).status === status;
  const sample = (name: string, labels: string) => metricSample(server!.metricsUrl, `${name}{socket_url="${relay!.url}"${labels}}`);

  it('is ready while frames flow, not within 10 s of the relay going away, ready again when it returns', async () => {
    const frames = [...synthesizeFrames({ frames: FRAMES, seed: 'e2e-health', dids: 100, firstSeq: 1 })];
    relay = await startFakeRelay({ frames, rate: RATE });
    server = await startE2eServer(relay.url, { livenessTtlMs: 1000 });
    await until(readyIs(200), '/readyz to answer 200', 10_000);
    expect(await get('/readyz')).toEqual({ status: 200, body: 'ready\n' });
    expect(await sample('jetstream_relay_connected', '')).toBe(1);
    await until(async () => ((await sample('consumer_event_processing_duration_seconds_count', '')) ?? 0) > 0, 'a processing-time observation');

    const port = relay.port;
    await relay.close();
    await until(readyIs(503), '/readyz to answer 503 after the relay went away', 10_000);
    expect((await get('/readyz')).body).toMatch(/^not ready: (relay not connected|no frame from the relay for \d+ ms)\n$/);
    expect(await get('/healthz')).toEqual({ status: 200, body: 'ok\n' });
    expect(await sample('jetstream_relay_connected', '')).toBe(0);
    expect(await sample('jetstream_relay_reconnects_total', ',reason="closed"')).toBeGreaterThanOrEqual(1);

    // The same relay comes back on the same port: the server reconnects after its backoff (0.5-1 s).
    relay = await startFakeRelay({ frames, rate: RATE, port });
    await until(readyIs(200), '/readyz to answer 200 once the relay is back', 10_000);
    expect(relay.connections[0]!.cursor).toBeGreaterThan(0);
    expect(await sample('jetstream_relay_connected', '')).toBe(1);
  });

  it('is not ready while a connected relay stays silent past the liveness window', async () => {
    relay = await startFakeRelay({ frames: [...synthesizeFrames({ frames: 20, seed: 'e2e-health-quiet', dids: 10, firstSeq: 1 })] });
    server = await startE2eServer(relay.url, { livenessTtlMs: 1500 });
    await until(readyIs(200), '/readyz to answer 200 while the frames arrive', 10_000);
    await until(readyIs(503), '/readyz to answer 503 once no frame came for the liveness TTL', 10_000);
    expect((await get('/readyz')).body).toMatch(/^not ready: (relay not connected|no frame from the relay for \d+ ms)\n$/);
  });
});
