import type { FanoutStepResult } from '../fanout/fanout-step.js';
import { CLUSTER_HEADER, clusterGoals, clusterRows, describePublishCeiling, type ClusterResult, type ClusterStepResult } from './cluster-summary.js';

const MiB = 1024 * 1024;

const step = (subscribers: number, overrides: Partial<ClusterStepResult> = {}): ClusterStepResult => ({
  subscribers,
  subscribersPerEdge: [subscribers / 2, subscribers / 2],
  connectFailures: 0,
  targetFramesPerSecond: 2000,
  eventsPerSecond: 2014.4,
  seconds: 15,
  warmupSeconds: 5,
  latencyMs: { count: 1, p50: 30.04, p90: 60, p99: 120.56, max: 200 },
  delivery: { expected: 1, delivered: 1, lost: 0, subscribersWithLoss: 0, late: 0, subscribersBehind: 0, duplicates: 0, unexpected: 0 },
  bytesPerSecondOut: 1,
  messagesPerSecondOut: 1_275_567.4,
  loadGeneratorCpuPercent: 70,
  loadGeneratorRunQueueWaitPercent: 20,
  drainMs: 0,
  closed: 0,
  ingester: { cpuPercent: 12.4, rssMaxBytes: 120 * MiB, runQueueWaitPercent: 1 },
  edges: [
    { cpuPercent: 45.2, rssMaxBytes: 180.25 * MiB, runQueueWaitPercent: 5 },
    { cpuPercent: 40.4, rssMaxBytes: 190.5 * MiB, runQueueWaitPercent: 6 },
  ],
  nats: { cpuPercent: 3.6, rssMaxBytes: 40 * MiB, runQueueWaitPercent: 0 },
  serverCpuUsPerMessage: 0.781,
  natsCpuUsPerMessage: 0.029,
  behind: [],
  ...overrides,
});

const ceiling = {
  events: 50_000,
  batchSize: 1000,
  publishEventsPerSecond: 18_824,
  replicateEventsPerSecond: 14_120,
  avgJsonBytes: 546,
  avgZstdBytes: 255,
  streamBytesPerMessage: 582,
};

describe('clusterRows', () => {
  it('shows each role apart: CPU % ingest/edges summed/nats, RSS ingest/biggest edge/nats, µs/msg without and of nats, CPU wait', () => {
    const rows = clusterRows([step(1000), step(100, { behind: ['p99 2000 ms > 1000 ms'], subscribersPerEdge: [51, 49] })]);
    expect(rows).toEqual([
      ['1 ingester + 2 edges', '1,000', '500/500', '2,014', '30.0', '120.6', '0', '0', '12/86/4', '120.0/190.5/40.0', '1,275,567', '0.78', '0.03', '1/6/20', 'yes'],
      ['1 ingester + 2 edges', '100', '51/49', '2,014', '30.0', '120.6', '0', '0', '12/86/4', '120.0/190.5/40.0', '1,275,567', '0.78', '0.03', '1/6/20', 'NO'],
    ]);
    expect(rows[0]).toHaveLength(CLUSTER_HEADER.length);
  });

  it('shows what was not measured as -', () => {
    const [row] = clusterRows([step(10, { serverCpuUsPerMessage: NaN, natsCpuUsPerMessage: NaN })]);
    expect(row.slice(11, 13)).toEqual(['-', '-']);
  });
});

describe('describePublishCeiling', () => {
  it('names the script, the events and the append size', () => {
    expect(describePublishCeiling(ceiling)).toBe(
      "ingester's NATS publish ceiling (libs/nats/bench/publish-throughput.mjs, 50,000 events in appends of 1,000): " +
        '18,824 events/s acknowledged; edge catch-up 14,120 events/s; 582 B/message in the stream',
    );
  });
});

describe('clusterGoals', () => {
  const cluster = (steps: ClusterStepResult[], overrides: Partial<ClusterResult> = {}): ClusterResult => ({
    natsServer: 'v2.9.10',
    steps,
    publishCeiling: ceiling,
    ...overrides,
  });
  const name = 'cluster (1 ingester + 2 edges), 1,000 subscribers at 2,000/s';

  it('checks the biggest step: nothing lost, p99, each edge under 256 MiB, an even split, publish headroom', () => {
    expect(clusterGoals(cluster([step(1000), step(100, { delivery: { ...step(100).delivery, lost: 7 } })]))).toEqual([
      { goal: `${name}: 0 lost`, measured: '0 lost', met: true },
      { goal: `${name}: p99 < 250 ms`, measured: 'p99 120.6 ms', met: true },
      { goal: `${name}: each edge's RSS <= 256.0 MiB`, measured: '190.5 MiB at most', met: true },
      { goal: `${name}: subscribers split evenly over the edges`, measured: '500/500 per edge', met: true },
      { goal: `${name}: ingester's NATS publish ceiling > the step's events/s`, measured: '18,824 vs 2,014 events/s', met: true },
    ]);
  });

  it('misses on loss, late events, a fat edge, a lopsided split; a ceiling not measured is n/a', () => {
    const bad = step(1000, {
      delivery: { ...step(1000).delivery, lost: 3, late: 4 },
      edges: [step(1).edges[0], { cpuPercent: 1, rssMaxBytes: 300 * MiB, runQueueWaitPercent: 0 }],
      subscribersPerEdge: [560, 440],
    });
    expect(clusterGoals(cluster([bad], { publishCeiling: undefined })).map(({ measured, met }) => [measured, met])).toEqual([
      ['3 lost', false],
      ['p99 120.6 ms (4 events still undelivered after the drain)', false],
      ['300.0 MiB at most', false],
      ['560/440 per edge', false],
      ['not measured', undefined],
    ]);
  });

  it('compares CPU per message with one process at the same subscribers and rate, as information', () => {
    const single = { server: 'ours', subscribers: 1000, targetFramesPerSecond: 2000, serverCpuUsPerMessage: 0.66 } as FanoutStepResult;
    const workers = { ...single, workers: 2, serverCpuUsPerMessage: 0.5 };
    expect(clusterGoals(cluster([step(1000)]), [workers, single]).at(-1)).toEqual({
      goal: `${name}: CPU µs/msg, ingester + edges (nats-server apart) vs one process`,
      measured: '0.78 (+ nats 0.03) vs 0.66',
      met: undefined,
    });
  });

  it('says when no step ran', () => {
    expect(clusterGoals(cluster([]))).toEqual([{ goal: 'cluster', measured: 'not run (time limit or failure)', met: undefined }]);
  });
});
