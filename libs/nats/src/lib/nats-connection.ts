import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

export interface ConnectNatsOptions {
  /** The connection's name, as NATS monitoring shows it. */
  name?: string;
  /** How long the first connection may take. Default 5 s. */
  timeoutMs?: number;
}

/** What `/readyz` reports: the connection's state, and why when it is not connected. */
export type NatsConnectionState = 'connected' | 'reconnecting' | 'closed';

/**
 * Connects to NATS (reconnecting forever after a first success: a NATS restart must not end the
 * process) and checks that JetStream is enabled, so a misconfigured server fails at start-up
 * with a message that names it rather than at the first publish.
 *
 * @example
 * import { connectNats } from '@jetstream-ts/nats';
 *
 * const { connection, jsm, state } = await connectNats('nats://127.0.0.1:4222', { name: 'jetstream-edge' });
 * state(); // 'connected'
 *
 * @param url The NATS server, `nats://host:port` (comma-separated for a cluster).
 * @param options Connection name and timeout.
 * @return The connection, its JetStream manager and a function giving its current state.
 */
export async function connectNats(
  url: string,
  options: ConnectNatsOptions = {},
): Promise<{ connection: NatsConnection; jsm: JetStreamManager; state: () => NatsConnectionState }> {
  let connection: NatsConnection;
  try {
    connection = await connect({
      servers: url.split(','),
      name: options.name,
      timeout: options.timeoutMs ?? 5_000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
  } catch (error) {
    throw new Error(`NATS at ${url} is unreachable: ${errorMessage(error)}`, { cause: error });
  }
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(connection);
  } catch (error) {
    await connection.close();
    throw new Error(`NATS at ${url} has no JetStream (start nats-server with -js): ${errorMessage(error)}`, { cause: error });
  }
  return { connection, jsm, state: watchConnectionState(connection) };
}

function watchConnectionState(connection: NatsConnection): () => NatsConnectionState {
  let state: NatsConnectionState = 'connected';
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnecting') state = 'reconnecting';
      else if (status.type === 'reconnect') state = 'connected';
    }
  })();
  void connection.closed().then(() => (state = 'closed'));
  return () => state;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
