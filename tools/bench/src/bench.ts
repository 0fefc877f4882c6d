import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { BenchResources } from './fanout/bench-processes.js';
import {
  checkGoals,
  formatBenchSummary,
  type BenchResult,
  type IngestSummary,
} from './fanout/bench-summary.js';
import { FramePool } from './fanout/frame-pool.js';
import { LoadGeneratorGroup } from './fanout/load-generator-group.js';
import { monotonicMs } from './fanout/load-generator-protocol.js';
import { PacedRelay } from './fanout/paced-relay.js';
import { runFanout } from './fanout/run-fanout.js';
import { TrafficDriver } from './fanout/traffic-driver.js';
import { findExecutable, NATS_SERVER_DIRS } from './cluster/nats-server.js';
import { runCluster } from './cluster/run-cluster.js';
import { describeMachine } from './lib/machine.js';
import { runReplay } from './replay/run-replay.js';
import { expireOlderHalf, fillStorage } from './storage/run-storage.js';

// `npm run bench`: ingest, fan-out, cluster, replay and storage in one command, bounded in time,
// on loopback; prints a table and writes a JSON result. Wiring only: the phases live in fanout/,
// cluster/, replay/, storage/, and the ingest benchmark (ingest.ts) runs as a child.

const here = dirname(fileURLToPath(import.meta.url));
const PHASES = ['ingest', 'fanout', 'cluster', 'replay', 'storage'] as const;
type Phase = (typeof PHASES)[number];

const positiveInteger = (value: string) => {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError('expected a positive integer');
  return parsed;
};
const nonNegativeInteger = (value: string) => (value === '0' ? 0 : positiveInteger(value));
const positiveNumber = (value: string) => {
  const parsed = Number(value);
  if (!(parsed > 0) || !Number.isFinite(parsed)) throw new InvalidArgumentError('expected a positive number');
  return parsed;
};
const nonNegativeNumber = (value: string) => (Number(value) === 0 ? 0 : positiveNumber(value));
const integerList = (value: string) => value.split(',').map(positiveInteger);
const phaseList = (value: string) =>
  value.split(',').map((phase) => {
    if (!(PHASES as readonly string[]).includes(phase))
      throw new InvalidArgumentError(`phases are ${PHASES.join(', ')}`);
    return phase as Phase;
  });

interface Options {
  quick: boolean;
  json: string;
  only: Phase[];
  steps?: number[];
  rate?: number;
  stepSeconds?: number;
  warmupSeconds?: number;
  rampSteps?: number;
  rampFactor: number;
  naiveSubscribers?: number;
  workers: number;
  drainSeconds?: number;
  events?: number;
  poolFrames?: number;
  maxMinutes: number;
  loadGenerators: number;
  cpuProf?: string;
  clusterSteps?: number[];
  edges: number;
  natsServer?: string;
  ceilingEvents?: number;
}

const program = new Command('bench')
  .description('Ingest, fan-out, replay and storage benchmarks in one run (loopback only, bounded in time)')
  .option('--quick', 'a smoke run of every phase in about a minute', false)
  .option('--json <path>', 'where to write the JSON result', join(here, '..', 'results', 'bench-result.json'))
  .option('--only <phases>', `comma-separated subset of ${PHASES.join(',')}`, phaseList, [...PHASES])
  .option('--steps <list>', 'fan-out subscriber counts (default 100,500,1000; quick 20,100)', integerList)
  .option('--rate <n>', 'fan-out relay frames per second (default 2000; quick 1000)', positiveInteger)
  .option('--step-seconds <n>', 'seconds of traffic per fan-out step (default 15; quick 4)', positiveNumber)
  .option(
    '--warmup-seconds <n>',
    'traffic to the connected subscribers before each fan-out/workers/cluster step\'s measured window (CPU, CPU µs/msg), 0 for none (default 5; quick 1)',
    nonNegativeNumber,
  )
  .option(
    '--ramp-steps <n>',
    'rate increases after the steps, until behind (default 3; quick 1)',
    nonNegativeInteger,
  )
  .option('--ramp-factor <x>', 'rate multiplier per ramp step', positiveNumber, 1.5)
  .option(
    '--naive-subscribers <n>',
    'subscribers of the naive-design step, 0 to skip (default 100; quick 20)',
    nonNegativeInteger,
  )
  .option(
    '--workers <n>',
    'processes of the --workers step (the biggest step again, primary + workers), 0 or 1 to skip',
    nonNegativeInteger,
    2,
  )
  .option('--drain-seconds <n>', 'wait for late events after a step (default 10; quick 5)', positiveNumber)
  .option(
    '--events <n>',
    'events stored for replay and storage (default 1000000; quick 100000)',
    positiveInteger,
  )
  .option(
    '--pool-frames <n>',
    'distinct synthetic frames the relay loops over (default 6000; quick 1500)',
    positiveInteger,
  )
  .option(
    '--max-minutes <n>',
    'time budget: fan-out steps that would overrun it are skipped',
    positiveNumber,
    10,
  )
  .option('--load-generators <n>', 'processes holding the subscribers', positiveInteger, 2)
  .option(
    '--cluster-steps <list>',
    'subscriber counts of the cluster steps, dealt over the edges (default: the biggest of --steps; quick 100)',
    integerList,
  )
  .option('--edges <n>', 'edge processes of the cluster (one ingester feeds them through NATS)', positiveInteger, 2)
  .option(
    '--nats-server <path>',
    `nats-server executable for the cluster (default: on PATH, else in ${NATS_SERVER_DIRS.join(' or ')}; none found: the cluster is skipped)`,
  )
  .option(
    '--ceiling-events <n>',
    "events of the ingester's NATS publish-ceiling measurement, 0 to skip it (default 50000; quick 10000)",
    nonNegativeInteger,
  )
  .option('--cpu-prof <dir>', 'write V8 CPU profiles of the servers and the load generator to this directory')
  .parse();

const options = program.opts<Options>();
const quick = options.quick;
const settings = {
  steps: options.steps ?? (quick ? [20, 100] : [100, 500, 1000]),
  rate: options.rate ?? (quick ? 1000 : 2000),
  stepSeconds: options.stepSeconds ?? (quick ? 4 : 15),
  warmupSeconds: options.warmupSeconds ?? (quick ? 1 : 5),
  rampSteps: options.rampSteps ?? (quick ? 1 : 3),
  naiveSubscribers: options.naiveSubscribers ?? (quick ? 20 : 100),
  workers: options.workers,
  drainMs: (options.drainSeconds ?? (quick ? 5 : 10)) * 1000,
  events: options.events ?? (quick ? 100_000 : 1_000_000),
  poolFrames: options.poolFrames ?? (quick ? 1500 : 6000),
};
const clusterSettings = {
  steps: options.clusterSteps ?? (quick ? [100] : [Math.max(...settings.steps)]),
  edges: options.edges,
  ceilingEvents: options.ceilingEvents ?? (quick ? 10_000 : 50_000),
  ceilingBatch: 1000,
};
const runs = (phase: Phase) => options.only.includes(phase);
const log = (line: string) => process.stderr.write(`${line}\n`);

const resources = new BenchResources();
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    log(`${signal}: stopping everything the benchmark started...`);
    void resources.cleanup().finally(() => process.exit(130));
  });
}

const startedAtMs = monotonicMs();
const deadlineMs = startedAtMs + options.maxMinutes * 60_000;
const loadAtStart = loadavg()[0];
const errors: BenchResult['errors'] = [];
// Server logs and the ingest report stay next to the JSON result, for looking into a failure.
const logDir = join(dirname(resolve(options.json)), 'logs');
rmSync(logDir, { recursive: true, force: true });
mkdirSync(logDir, { recursive: true });
const nodeFlags = options.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', resolve(options.cpuProf)] : undefined;

/** Runs a phase, recording its failure instead of ending the run. */
async function phase<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
  if (interrupted) return undefined;
  log(`\n== ${name}`);
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`${name} failed: ${message}`);
    errors.push({ phase: name, message });
    return undefined;
  }
}

/** The ingest benchmark (ingest.ts) as a child; its JSON report. */
async function runIngest(): Promise<IngestSummary> {
  const jsonPath = join(logDir, 'ingest.json');
  const args = [
    join(here, 'ingest.js'),
    '--json',
    jsonPath,
    ...(quick ? ['--rounds', '3', '--warmup', '1', '--min-frames', '1000'] : []),
  ];
  const child = resources.track(spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] }));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`bench:ingest exited with ${code}`);
  return JSON.parse(readFileSync(jsonPath, 'utf8')) as IngestSummary;
}

const result: Omit<BenchResult, 'goals' | 'seconds' | 'loadAverage'> = {
  date: new Date().toISOString(),
  machine: describeMachine(),
  quick,
  errors,
};

if (runs('ingest')) result.ingest = await phase('ingest: ours vs naive @ipld vs @atcute', runIngest);

// The cluster needs nats-server: without one, a default run says it skipped the cluster; asking
// for it by name (--only cluster) makes its absence a failure.
const natsCommand = options.natsServer ?? findExecutable('nats-server', process.env['PATH'] ?? '', NATS_SERVER_DIRS);
const noNatsServer = `nats-server not found on PATH or in ${NATS_SERVER_DIRS.join(', ')} (apt-get install nats-server, or --nats-server <path>)`;
if (runs('cluster') && natsCommand === undefined) {
  if (program.getOptionValueSource('only') === 'cli') errors.push({ phase: 'cluster', message: noNatsServer });
  else {
    result.cluster = { skipped: noNatsServer };
    log(`\n== cluster: SKIPPED, ${noNatsServer}`);
  }
}
const runsCluster = runs('cluster') && natsCommand !== undefined;

/**
 * Fan-out and the cluster on the same traffic, then storage and replay on one stored dataset,
 * sharing the relay and the load generator.
 */
async function runPoolPhases(pool: FramePool): Promise<void> {
  const relay = await PacedRelay.start();
  try {
    const loadGenerator = await LoadGeneratorGroup.start(
      resources,
      options.loadGenerators,
      pool.eventsOfFrame,
      nodeFlags,
    );
    const traffic = new TrafficDriver(relay, pool, loadGenerator);
    // Leave time for storage and replay after the fan-out and the cluster, and for the cluster after the fan-out.
    const storageReserveMs = runs('storage') || runs('replay') ? (settings.events / 1_000_000) * 150_000 : 0;
    const clusterReserveMs = runsCluster
      ? clusterSettings.steps.length * (settings.warmupSeconds + settings.stepSeconds + settings.drainMs / 1000 + 15) * 1000 + 30_000
      : 0;
    if (runs('fanout')) {
      result.fanout = await phase('fan-out', () =>
        runFanout(resources, traffic, {
          ...settings,
          rampFactor: options.rampFactor,
          deadlineMs: deadlineMs - storageReserveMs - clusterReserveMs,
          logDir,
          nodeFlags,
          log,
        }),
      );
    }
    if (runsCluster && natsCommand !== undefined) {
      const cluster = await phase(`cluster: 1 ingester + ${clusterSettings.edges} edges on NATS`, () =>
        runCluster(resources, traffic, {
          ...clusterSettings,
          natsCommand,
          rate: settings.rate,
          stepSeconds: settings.stepSeconds,
          warmupSeconds: settings.warmupSeconds,
          drainMs: settings.drainMs,
          deadlineMs: deadlineMs - storageReserveMs,
          logDir,
          nodeFlags,
          log,
        }),
      );
      if (cluster) result.cluster = cluster;
    }
    if (!runs('storage') && !runs('replay')) return;
    const dataDir = resources.tempDir('store');
    const events = pool.jetstreamEvents.flat();
    const fill = await phase(`storage: writing ${settings.events.toLocaleString('en-US')} events`, () =>
      fillStorage(dataDir, events, settings.events, (written) => {
        if (written % 200_000 === 0) log(`  ${written.toLocaleString('en-US')} written`);
      }),
    );
    if (!fill) return;
    result.storage = { fill };
    const writeRate = Math.round((fill.events * 1000) / fill.elapsedMs);
    log(`  ${fill.bytesPerEvent.toFixed(1)} bytes/event on disk, ${writeRate} events/s written`);
    if (runs('replay')) {
      result.replay = await phase('replay from cursor 0', () =>
        runReplay(resources, {
          dataDir,
          events: fill.events,
          relayUrl: relay.url,
          logDir,
          loadGenerator,
          timeoutMs: Math.max(30_000, fill.events / 10),
          nodeFlags,
        }),
      );
      for (const run of result.replay ?? [])
        log(`  ${run.encoding}: ${Math.round(run.eventsPerSecond)} events/s`);
    }
    if (runs('storage')) {
      const trim = await phase('storage: TTL cleanup of the older half', () =>
        expireOlderHalf(dataDir, fill, { refillEvents: quick ? undefined : events }),
      );
      if (trim) result.storage = { fill, trim };
    }
  } finally {
    await relay.close();
  }
}

try {
  if (runs('fanout') || runsCluster || runs('replay') || runs('storage')) {
    const pool = await phase(`synthesizing ${settings.poolFrames} relay frames`, async () =>
      FramePool.synthesize(settings.poolFrames),
    );
    if (pool) await runPoolPhases(pool);
  }
} catch (error) {
  errors.push({ phase: 'setup', message: error instanceof Error ? error.message : String(error) });
} finally {
  await resources.cleanup();
}

const finished: BenchResult = {
  ...result,
  loadAverage: { start: loadAtStart, end: loadavg()[0] },
  seconds: (monotonicMs() - startedAtMs) / 1000,
  goals: [],
};
finished.goals = checkGoals(finished);
mkdirSync(dirname(options.json), { recursive: true });
writeFileSync(options.json, JSON.stringify(finished, null, 2) + '\n');
process.stdout.write(`\n${formatBenchSummary(finished)}\n\nJSON result: ${options.json}\n`);
if (options.cpuProf)
  process.stdout.write(`CPU profiles (servers, load generator): ${resolve(options.cpuProf)}\n`);
process.exitCode = errors.length > 0 ? 1 : 0;
