import { CursorBuffer, createMemoryEventStore, type EventStore } from '@jetstream-ts/cursor-buffer';
import type { AppendBatch } from '@jetstream-ts/models';
import {
  connectNats,
  EdgeLag,
  ensureEventStream,
  eventStreamConfig,
  JetStreamEventPublisher,
  registerEdgeLagMetrics,
  replicateEventStream,
  type NatsConnectionState,
} from '@jetstream-ts/nats';
import type { Observable } from 'rxjs';
import type { DependencyContainer } from 'tsyringe';
import type { ServerRole } from './server-config.js';
import { TOKENS } from './tokens.js';

/** Where ingest commits: the local store (one process) or the NATS stream (an ingester). */
export type IngestLog = Pick<EventStore, 'append' | 'headTimeUs' | 'relayCursor'>;

/** This process's part in a NATS cluster (`--nats-url`), as `registerClusterRole` built it. */
export interface ClusterRole {
  role: ServerRole;
  /** Roles `all` and `ingest`: the stream, where ingest commits instead of the local store. */
  publisher?: IngestLog;
  /** Roles `all` and `edge`: the stream into the local store; runs while subscribed. */
  replication?: Observable<AppendBatch>;
  /** The NATS connection's state, for `/readyz`. */
  natsState(): NatsConnectionState;
  /** Closes the NATS connection (after ingest and replication stopped). */
  close(): Promise<void>;
}

/**
 * Joins the NATS cluster of `config.cluster.natsUrl` in its `role` and registers `TOKENS.cluster`
 * (the server then ingests to the stream and/or serves from its replica); without a NATS URL it
 * does nothing and the server stays one process on its embedded store. An ingester creates the
 * stream or brings its retention and replicas to the flags; an edge creates it if missing.
 * An `ingest`-only process keeps no store of its own (an in-memory one stands in for it).
 *
 * @example
 * import { DEFAULT_SERVER_CONFIG, createServerContainer, registerClusterRole, resolveJetstreamServer, serverConfig } from '@jetstream-ts/server';
 *
 * const cluster = { ...DEFAULT_SERVER_CONFIG.cluster, role: 'edge' as const, natsUrl: 'nats://127.0.0.1:4222' };
 * const container = createServerContainer(serverConfig({ cluster }));
 * await registerClusterRole(container);
 * const server = resolveJetstreamServer(container);
 *
 * @param container A container from `createServerContainer`.
 * @return The role's parts, or undefined without a NATS URL; rejects with a message naming the
 *   problem when NATS is unreachable, has no JetStream, or the stream is misconfigured.
 */
export async function registerClusterRole(container: DependencyContainer): Promise<ClusterRole | undefined> {
  const config = container.resolve(TOKENS.config).cluster;
  if (config.natsUrl === undefined) {
    if (config.role !== 'all') throw new Error(`role ${config.role} needs a NATS URL: without NATS the server is one process that does everything`);
    return undefined;
  }
  const logger = container.resolve(TOKENS.logger);
  const { connection, jsm, state } = await connectNats(config.natsUrl, { name: `jetstream-${config.role}` });
  try {
    const stream = eventStreamConfig({ name: config.stream, maxAgeMs: config.streamMaxAgeMs, replicas: config.streamReplicas });
    await ensureEventStream(jsm, stream, { update: config.role !== 'edge' });
    const cluster: ClusterRole = { role: config.role, natsState: state, close: () => connection.close() };
    if (config.role !== 'edge') {
      cluster.publisher = await JetStreamEventPublisher.open({
        connection,
        jsm,
        stream,
        onRetry: (error) => logger.warn({ err: error, stream: stream.name }, 'publishing to NATS failed, retrying'),
      });
    }
    if (config.role === 'ingest') {
      container.register(TOKENS.eventLog, { useValue: new CursorBuffer(createMemoryEventStore()) });
    } else {
      const lag = new EdgeLag();
      registerEdgeLagMetrics(container.resolve(TOKENS.registry), lag);
      cluster.replication = replicateEventStream({
        connection,
        jsm,
        stream,
        log: container.resolve(TOKENS.eventLog),
        lag,
        drops: container.resolve(TOKENS.drops),
        onGap: (gap) => logger.warn({ ...gap, stream: stream.name }, 'this edge is older than the stream retention: events in between are lost to it'),
      });
    }
    logger.info({ role: config.role, nats: config.natsUrl, stream: stream.name }, 'joined the NATS cluster');
    container.register(TOKENS.cluster, { useValue: cluster });
    return cluster;
  } catch (error) {
    await connection.close();
    throw error;
  }
}
