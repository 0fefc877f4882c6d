import { ClientTable, type ClientEntry, type ConnectionLimits, type Refusal, type SharedConnectionLimits, type SubscribeEndpointOptions } from '@jetstream-ts/subscribers';
import { isWorkerMessage, type WorkerMessage } from './worker-messages.js';

/**
 * The primary's count of its workers' subscriber connections (`--workers`): one `ClientTable`
 * for the whole pool, so `--max-connections-per-ip` and `--max-connections` hold across workers
 * as in one process, with the same refusals. A worker asks before it upgrades, with the address
 * it resolved from the parsed request (so behind a trusted proxy it is the `X-Forwarded-For`
 * client, which the primary, holding only the TCP socket, cannot see), and tells each close; the
 * connections of a worker that died are released at once.
 *
 * @example
 * import { PoolConnectionLimits } from '@jetstream-ts/server';
 *
 * // worker: the node:cluster Worker that asked
 * const limits = new PoolConnectionLimits({ maxConnections: 10_000, maxConnectionsPerIp: 100 });
 * limits.admit(worker, '203.0.113.7'); // undefined: counted; or the 429/503 Refusal
 * limits.release(worker, '203.0.113.7');
 * limits.releaseAll(worker); // it exited
 */
export class PoolConnectionLimits<Member> {
  // No per-address rate bucket here: `--max-sub-rate` is each worker's to apply.
  readonly #clients: ClientTable;
  /** Per worker, per address: the table's entry and how many of its connections are that worker's. */
  readonly #held = new Map<Member, Map<string, { entry: ClientEntry; connections: number }>>();

  constructor(limits: ConnectionLimits) {
    this.#clients = new ClientTable(limits, Infinity);
  }

  /** Open connections, all workers together. */
  get connections(): number {
    return this.#clients.connections;
  }

  /** Counts one more connection of `member` from `ipAddress`, or says why it is refused (nothing is counted then). */
  admit(member: Member, ipAddress: string): Refusal | undefined {
    const admitted = this.#clients.admit(ipAddress);
    if ('status' in admitted) return admitted;
    const held = this.#held.get(member) ?? new Map<string, { entry: ClientEntry; connections: number }>();
    this.#held.set(member, held);
    const address = held.get(ipAddress) ?? { entry: admitted, connections: 0 };
    address.connections++;
    held.set(ipAddress, address);
    return undefined;
  }

  /** One of `member`'s connections from `ipAddress` closed; one it does not hold is ignored. */
  release(member: Member, ipAddress: string): void {
    const held = this.#held.get(member);
    const address = held?.get(ipAddress);
    if (held === undefined || address === undefined) return;
    if (--address.connections === 0) held.delete(ipAddress);
    this.#clients.release(address.entry);
  }

  /** `member` is gone: every connection it held is released. */
  releaseAll(member: Member): void {
    for (const address of this.#held.get(member)?.values() ?? []) {
      for (let i = 0; i < address.connections; i++) this.#clients.release(address.entry);
    }
    this.#held.delete(member);
  }
}

/** A worker's side of its IPC channel to the primary (`process` in a `node:cluster` worker). */
export interface PrimaryChannel {
  readonly connected: boolean;
  send(message: WorkerMessage): void;
  on(event: 'message', listener: (message: unknown) => void): void;
}

/** This worker process's channel to its primary. */
export function primaryChannel(): PrimaryChannel {
  return {
    get connected() {
      return process.connected;
    },
    // With a callback a failed send (the primary just went away: EPIPE) is not an 'error' event that ends the process.
    send: (message) => process.send?.(message, undefined, undefined, () => undefined),
    on: (event, listener) => process.on(event, listener),
  };
}

/**
 * A subscriber worker's `SharedConnectionLimits`: asks the primary's {@link PoolConnectionLimits}
 * over the IPC channel (one round trip per handshake, none per message) and tells it each close.
 * Once the primary is gone nothing is sent (the worker is stopping).
 *
 * @example
 * import { PrimaryConnectionLimits } from '@jetstream-ts/server';
 *
 * // channel: a PrimaryChannel over the worker's process
 * const limits = new PrimaryConnectionLimits(channel);
 * const refusal = await limits.admit('203.0.113.7'); // undefined: admitted
 */
export class PrimaryConnectionLimits implements SharedConnectionLimits {
  readonly #channel: PrimaryChannel;
  readonly #pending = new Map<number, (refusal: Refusal | undefined) => void>();
  #nextId = 0;

  constructor(channel: PrimaryChannel) {
    this.#channel = channel;
    channel.on('message', (message) => {
      if (!isWorkerMessage(message) || message.jetstream !== 'admitted') return;
      this.#pending.get(message.id)?.(message.refusal);
      this.#pending.delete(message.id);
    });
  }

  admit(ipAddress: string): Promise<Refusal | undefined> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#channel.send({ jetstream: 'admit', id, ipAddress });
    });
  }

  release(ipAddress: string): void {
    if (this.#channel.connected) this.#channel.send({ jetstream: 'release', ipAddress });
  }
}

/**
 * What a subscriber worker's `/subscribe` shares with its pool: connection limits counted by the
 * primary, and subscriber ids `w<worker>-<n>`, unique across the pool and its restarts
 * (`node:cluster` never reuses a worker id), so per-subscriber series and log lines of two
 * workers do not clash when the primary sums the workers' metrics.
 *
 * @param workerId The `node:cluster` worker id.
 * @param channel The IPC channel to the primary.
 */
export function workerSubscribeOptions(workerId: number, channel: PrimaryChannel): Pick<SubscribeEndpointOptions, 'sharedLimits' | 'subscriberIdPrefix'> {
  return { sharedLimits: new PrimaryConnectionLimits(channel), subscriberIdPrefix: `w${workerId}-` };
}
