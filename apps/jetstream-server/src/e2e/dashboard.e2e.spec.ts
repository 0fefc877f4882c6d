import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { synthesizeFrames } from '@jetstream-ts/synthetic-firehose';
import { startE2eServer, subscribe, until, type E2eServer, type Subscriber } from './e2e-server.test-util.js';
import { freePort, startPrometheus, type LocalPrometheus } from './prometheus.test-util.js';

const GRAFANA_DIR = fileURLToPath(new URL('../../../../deploy/grafana/', import.meta.url));
/** 300 distinct frames played 40 times (new seqs each pass) at 300 frames/s: traffic for the whole test. */
const FRAMES = 300;
const LOOPS = 40;
const RATE = 300;
/**
 * Stands for `$__rate_interval`: the whole run, so every rate sees at least two scrapes even when
 * a loaded machine delays some (Grafana's four scrape intervals, 4 s here, were not always enough).
 */
const RATE_INTERVAL = '1m';

interface Panel {
  title?: string;
  type?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}
interface Dashboard {
  title: string;
  panels: Panel[];
  templating?: { list: { name: string; type: string; allValue?: string; query?: string | { query: string } }[] };
}

/** Every panel query of a dashboard (rows' panels too), with its panel's title. */
function panelQueries(dashboard: Dashboard): { panel: string; expr: string }[] {
  const walk = (panels: Panel[]): { panel: string; expr: string }[] =>
    panels.flatMap((panel) => [
      ...(panel.targets ?? []).filter((target) => target.expr).map((target) => ({ panel: panel.title ?? '', expr: target.expr! })),
      ...walk(panel.panels ?? []),
    ]);
  return walk(dashboard.panels);
}

/** The query with Grafana's variables replaced as Grafana would for "All" and a short range. */
function substitute(dashboard: Dashboard, expr: string): string {
  let text = expr.replaceAll('$__rate_interval', RATE_INTERVAL).replaceAll('$__interval', '1s').replaceAll('$__range', '1m');
  for (const variable of dashboard.templating?.list ?? []) {
    const value = variable.allValue ?? '.*';
    text = text.replaceAll(`\${${variable.name}}`, value).replaceAll(`[[${variable.name}]]`, value).replace(new RegExp(`\\$${variable.name}\\b`, 'g'), value);
  }
  return text;
}

describe('deploy/grafana dashboards against a real Prometheus scraping a server under traffic', () => {
  let relay: FakeRelay | undefined;
  let server: E2eServer | undefined;
  let prometheus: LocalPrometheus | undefined;
  const subscribers: Subscriber[] = [];

  afterAll(async () => {
    for (const subscriber of subscribers) subscriber.close();
    await prometheus?.stop();
    await server?.close();
    await relay?.close();
  });

  it('every panel query is valid PromQL and at least three in four return data', async () => {
    // Prometheus first, scraping the port the server will take, so it is ready when traffic is.
    const metricsPort = await freePort();
    prometheus = await startPrometheus([`127.0.0.1:${metricsPort}`]);
    const dashboards = readdirSync(GRAFANA_DIR)
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(readFileSync(`${GRAFANA_DIR}${name}`, 'utf8')) as Dashboard);
    expect(dashboards.length).toBeGreaterThan(0);

    // Traffic with something in every series: a corrupt frame (dropped input) and a dropped
    // connection (a reconnect) on the first relay connection, subscribers plain and zstd, one
    // closed by the server for a bad message.
    const frames = [...synthesizeFrames({ frames: FRAMES, seed: 'e2e-dashboard', dids: 100, firstSeq: 1 })];
    relay = await startFakeRelay({ frames, rate: RATE, loop: LOOPS, faults: [{ kind: 'corrupt', after: 20, connections: 1 }, { kind: 'disconnect', after: 60, connections: 1 }] });
    server = await startE2eServer(relay.url, { metricsListenAddr: { host: '127.0.0.1', port: metricsPort } });
    subscribers.push(subscribe(server.subscribeUrl('cursor=0')), subscribe(server.subscribeUrl('compress=true&wantedCollections=app.bsky.feed.*')));
    const rude = subscribe(server.subscribeUrl());
    subscribers.push(rude);
    rude.socket.once('open', () => rude.socket.send('not json'));
    const scrapes = async () => Number(((await prometheus!.query('sum_over_time(up{job="jetstream"}[1m])'))[0] as { value?: [number, string] } | undefined)?.value?.[1] ?? 0);
    await until(async () => (await scrapes()) >= 5, 'five scrapes of the server', 30_000);

    const results = [];
    for (const dashboard of dashboards) {
      for (const { panel, expr } of panelQueries(dashboard)) {
        const query = substitute(dashboard, expr);
        const outcome = await prometheus.query(query).then(
          (series) => ({ series: series.length, error: undefined }),
          (error: unknown) => ({ series: 0, error: String(error) }),
        );
        results.push({ dashboard: dashboard.title, panel, query, ...outcome });
      }
    }
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((result) => result.error !== undefined)).toEqual([]);
    const withData = results.filter((result) => result.series > 0).length;
    const empty = results.filter((result) => result.series === 0).map((result) => `${result.panel}: ${result.query}`);
    // Which ones came back empty is part of the failure message.
    expect({ withData, of: results.length, empty: withData * 4 >= results.length * 3 ? 'enough' : empty }).toEqual({ withData, of: results.length, empty: 'enough' });
  }, 60_000);
});
