import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createV1Compressor } from '@jetstream-ts/compression';
import type { LoggedEvent } from '@jetstream-ts/models';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { decodeEventMessage, type EventMessage } from './event-message.js';
import { ensureEventStream, eventStreamConfig, type EventStreamConfig } from './event-stream.js';
import { startLocalNatsServer, type LocalNatsServer } from './local-nats-server.js';
import { connectNats } from './nats-connection.js';

export interface NatsTestEnv {
  nats: LocalNatsServer;
  connection: NatsConnection;
  jsm: JetStreamManager;
  /** A scratch directory, removed by `close()`. */
  dir: string;
  /** A new stream with a name of its own, so that tests sharing the server do not see each other's events. */
  newStream(overrides?: Partial<EventStreamConfig>): Promise<EventStreamConfig>;
  close(): Promise<void>;
}

/** Debian's nats-server on loopback with JetStream in a temporary directory, and a client connected to it. */
export async function startNatsTestEnv(): Promise<NatsTestEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'jetstream-nats-'));
  const nats = await startLocalNatsServer({ storeDir: join(dir, 'nats') });
  const { connection, jsm } = await connectNats(nats.url, { name: 'test' });
  let streams = 0;
  return {
    nats,
    connection,
    jsm,
    dir,
    async newStream(overrides = {}) {
      streams += 1;
      const stream = eventStreamConfig({ name: `TEST_${streams}`, subject: `test.${streams}.events`, ...overrides });
      await ensureEventStream(jsm, stream);
      return stream;
    },
    async close() {
      await connection.close();
      await nats.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const compressor = createV1Compressor();
const utf8 = new TextEncoder();

/**
 * Events as the ingester produces them: for each frame `[relaySeq, ops]`, `ops` commit events of
 * that seq (a frame's ops share it), `time_us` from `firstTimeUs` up. Each JSON names its frame
 * and op, so a re-read frame has the same bytes whatever its new `time_us`.
 */
export function frameEvents(frames: readonly (readonly [relaySeq: number, ops: number])[], firstTimeUs: number): LoggedEvent[] {
  let timeUs = firstTimeUs;
  return frames.flatMap(([relaySeq, ops]) =>
    Array.from({ length: ops }, (_, op) => {
      const did = `did:plc:${String(relaySeq).padStart(24, 'a')}`;
      const json = utf8.encode(`{"did":"${did}","kind":"commit","commit":{"rkey":"${relaySeq}-${op}"}}`);
      const collection = op % 2 === 0 ? 'app.bsky.feed.like' : 'app.bsky.feed.post';
      return { time_us: timeUs++, relaySeq, did, kind: 'commit' as const, collection, json, zstd: compressor.compress(json) };
    }),
  );
}

/** Every message of the stream, oldest first, decoded. */
export async function readStream(jsm: JetStreamManager, stream: string): Promise<EventMessage[]> {
  const { state } = await jsm.streams.info(stream);
  const messages: EventMessage[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq });
    if (message === null) continue;
    const fields = decodeEventMessage(message.data);
    if (typeof fields === 'string') throw new Error(`message ${seq}: ${fields}`);
    messages.push(fields);
  }
  return messages;
}

/** The (relay seq, op) identity of each event, as `"seq:op"`. */
export function frameOps(messages: readonly { relaySeq: number; op: number }[]): string[] {
  return messages.map(({ relaySeq, op }) => `${relaySeq}:${op}`);
}
