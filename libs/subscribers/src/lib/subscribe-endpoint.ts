import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CLOSE_POLICY_VIOLATION, parseSubscribeRequest, type SubscriberOptions } from '@jetstream-ts/filtering';
import type { EventLog } from '@jetstream-ts/models';
import { PluginOptionError, type PluginFailureHandler, type SubscriberPlugin } from '@jetstream-ts/plugins';
import { ClientTable, type ClientEntry, type ConnectionLimits, type Refusal } from './client-table.js';
import { LogTailIndex } from './log-tail-index.js';
import { realIp, TrustedProxies } from './real-ip.js';
import { TokenBucket } from './token-bucket.js';
import {
  noSubscriberMetrics,
  silentLogger,
  type SubscriberLogger,
  type SubscriberMetrics,
} from './subscriber-metrics.js';
import {
  CLOSE_GOING_AWAY,
  DEFAULT_SESSION_SETTINGS,
  SubscriberSession,
  type SessionPluginOperator,
  type SessionSettings,
} from './subscriber-session.js';
import { webSocketSubscriberSocket } from './websocket-subscriber-socket.js';

export interface SubscribeEndpointOptions {
  /** The sequenced event log every session reads. */
  log: EventLog;
  /** Defaults to `/subscribe`. */
  path?: string;
  /** Read batch, `--max-sub-rate`, slow-reader rule; defaults in `DEFAULT_SESSION_SETTINGS`. */
  session?: Partial<SessionSettings>;
  /**
   * Server pings, as v1: every 30 s. A connection that leaves two in a row unanswered is closed
   * with 1008 `connection stalled: no pong to 2 pings` (and cut `closeGraceMs` later).
   */
  pingIntervalMs?: number;
  /** `--max-connections` and `--max-connections-per-ip`; see `DEFAULT_CONNECTION_LIMITS`. */
  limits?: Partial<ConnectionLimits>;
  /**
   * The same limits counted across processes that serve one address (`--workers`): asked, with
   * the client address (trusted proxies resolved), once a handshake passed every local check.
   */
  sharedLimits?: SharedConnectionLimits;
  /** Put before each subscriber's number in logs and in the lag gauge's `subscriber` label (`--workers`: unique per worker). */
  subscriberIdPrefix?: string;
  /** `--trusted-proxies`: peers whose `X-Forwarded-For` / `X-Real-Ip` name the client (default: none). */
  trustedProxies?: TrustedProxies;
  /** `--max-client-message-bytes`: a bigger client message closes the connection with 1009 before it is read. Default 1 MiB. */
  maxClientMessageBytes?: number;
  /** How long a closed connection may take to finish its close handshake before it is cut. Default 1 s. */
  closeGraceMs?: number;
  /**
   * Bytes a connection may have queued in the process before its session waits for the socket;
   * 64 KiB by default (64 MiB for 1,000 lagging connections; the kernel's socket buffer holds more).
   */
  sendHighWaterMarkBytes?: number;
  metrics?: SubscriberMetrics;
  logger?: SubscriberLogger;
  /** The current Unix time in µs, for "a cursor in the future means live". */
  nowUs?: () => number;
  /** Subscriber-stage plugins: each sees the request's query and may add an operator to the session. */
  plugins?: readonly SubscriberPlugin[];
  /** Told of each plugin failure (a `session` call that threw other than `PluginOptionError`, or a failing operator). */
  onPluginFailure?: PluginFailureHandler;
}

/** Connection limits kept by someone other than the endpoint, e.g. a primary process for all its workers. */
export interface SharedConnectionLimits {
  /** Counts one more connection from `ipAddress`, or resolves with why it is refused (nothing is counted then). */
  admit(ipAddress: string): Promise<Refusal | undefined>;
  /** A connection `admit` counted has closed; called once per admitted connection. */
  release(ipAddress: string): void;
}

/** 100 connections per address, 10,000 in all (v1 had no limit). */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxConnections: 10_000, maxConnectionsPerIp: 100 };
/** 1 MiB: an `options_update` of 10,000 `did:plc` DIDs takes ~350 KB (v1 read up to 10,000,000 bytes). */
export const DEFAULT_MAX_CLIENT_MESSAGE_BYTES = 1024 * 1024;
const DEFAULT_PING_INTERVAL_MS = 30_000;
const DEFAULT_SEND_HIGH_WATER_MARK = 64 * 1024;
const DEFAULT_CLOSE_GRACE_MS = 1000;
/** Pings in a row a connection may leave unanswered. */
const MAX_MISSED_PONGS = 2;
/** gorilla's `isValidChallengeKey`: standard base64 of 16 bytes. */
const CHALLENGE_KEY = /^[A-Za-z0-9+/]{22}==$/;

interface Connection {
  session: SubscriberSession;
  missedPongs: number;
  /** Closed by the ping rule, waiting for its close handshake. */
  stalled: boolean;
}

/** Refusal log lines: at most one a second, so a handshake flood cannot flood the log. */
const REFUSAL_LOGS_PER_SECOND = 1;

/**
 * The v1 `/subscribe` endpoint over an `EventLog`: validates the request before the upgrade
 * (HTTP 400, `text/plain`, v1's texts), upgrades as gorilla would (no permessage-deflate, no
 * subprotocol), and runs one `SubscriberSession` per connection. Client messages over
 * `maxClientMessageBytes` (1 MiB) close the connection with 1009 (v1 read up to 10,000,000
 * bytes whole and ignored them).
 *
 * Limits (v1 had none): past `maxConnectionsPerIp` connections from one address a handshake is
 * refused with 429, past `maxConnections` in all with 503, each with the reason as a text/plain
 * body. `--max-sub-rate` is per address, shared by its connections, as in v1. The address is
 * the TCP peer unless it is one of `trustedProxies` (see `realIp`); per-address state and
 * metric series are dropped when the address's last connection closes.
 *
 * Mount it with `attachSubscribeEndpoint(server, options)`, and call `handleRequest` first in
 * the server's request handler so that a plain GET on the path gets v1's answers. Call
 * `close()` before closing the HTTP server: upgraded sockets keep it open.
 */
export class SubscribeEndpoint {
  readonly path: string;
  private readonly log: EventLog;
  private readonly settings: SessionSettings;
  private readonly highWaterMark: number;
  private readonly metrics: SubscriberMetrics;
  private readonly logger: SubscriberLogger;
  private readonly nowUs: (() => number) | undefined;
  private readonly plugins: readonly SubscriberPlugin[];
  private readonly onPluginFailure: PluginFailureHandler;
  private readonly trustedProxies: TrustedProxies;
  private readonly sharedLimits: SharedConnectionLimits | undefined;
  private readonly subscriberIdPrefix: string;
  private readonly closeGraceMs: number;
  private readonly webSockets: WebSocketServer;
  private readonly clients: ClientTable;
  private readonly refusalLogs = new TokenBucket(REFUSAL_LOGS_PER_SECOND);
  private readonly connections = new Map<WebSocket, Connection>();
  private readonly tail: LogTailIndex;
  private readonly pingTimer: NodeJS.Timeout;
  private nextSubscriberId = 0;

  constructor(options: SubscribeEndpointOptions) {
    this.path = options.path ?? '/subscribe';
    this.log = options.log;
    this.settings = { ...DEFAULT_SESSION_SETTINGS, ...options.session };
    if (!(this.settings.maxEventsPerSecond > 0)) {
      throw new RangeError(
        `maxEventsPerSecond must be > 0 (Infinity for no limit), got ${this.settings.maxEventsPerSecond}`,
      );
    }
    this.highWaterMark = options.sendHighWaterMarkBytes ?? DEFAULT_SEND_HIGH_WATER_MARK;
    this.metrics = options.metrics ?? noSubscriberMetrics;
    this.logger = options.logger ?? silentLogger;
    this.nowUs = options.nowUs;
    this.plugins = options.plugins ?? [];
    this.onPluginFailure = options.onPluginFailure ?? (() => undefined);
    this.trustedProxies = options.trustedProxies ?? TrustedProxies.none;
    this.sharedLimits = options.sharedLimits;
    this.subscriberIdPrefix = options.subscriberIdPrefix ?? '';
    this.closeGraceMs = options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
    this.webSockets = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      clientTracking: false,
      maxPayload: options.maxClientMessageBytes ?? DEFAULT_MAX_CLIENT_MESSAGE_BYTES,
    });
    const metrics = this.metrics;
    this.clients = new ClientTable({ ...DEFAULT_CONNECTION_LIMITS, ...options.limits }, this.settings.maxEventsPerSecond, (ipAddress) => {
      // The address's last connection is gone: so are its series (bounded label set).
      const labels = { ip_address: ipAddress };
      metrics.subscribersConnected.remove?.(labels);
      metrics.eventsDelivered.remove?.(labels);
      metrics.bytesDelivered.remove?.(labels);
    });
    // One index for everyone: enough to tell "more than maxEventsBehind" apart.
    this.tail = new LogTailIndex(this.log, this.settings.slowReader.maxEventsBehind + 1).follow();
    this.pingTimer = setInterval(
      () => this.ping(),
      options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
    ).unref();
  }

  /** Open subscriber connections. */
  get subscriberCount(): number {
    return this.connections.size;
  }

  /** Client addresses with open connections (each has its own metric series). */
  get addressCount(): number {
    return this.clients.addresses;
  }

  /**
   * For the HTTP server's request handler: answers a plain (non-upgrade) GET on the path as
   * v1 does (the option error, else gorilla's `Bad Request`) and returns true; returns false
   * for anything else, which the server answers itself.
   */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean {
    if (!this.isOurs(request) || request.method !== 'GET') return false;
    const parsed = this.parse(request);
    const plugins = parsed.ok ? this.sessionPlugins(request) : undefined;
    const answer = !parsed.ok ? optionError(parsed.message) : plugins?.ok === false ? plugins.answer : notAWebSocketRequest;
    response.writeHead(answer.status, answer.headers).end(answer.body);
    return true;
  }

  /**
   * For the HTTP server's `upgrade` event: takes a websocket request on the path (answering
   * bad ones with an HTTP error) and returns true; returns false for other paths.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (!this.isOurs(request)) return false;
    if (request.method !== 'GET') {
      writeRawResponse(socket, echoJsonError(405, 'Method Not Allowed'));
      return true;
    }
    const parsed = this.parse(request);
    if (!parsed.ok) {
      writeRawResponse(socket, optionError(parsed.message), corsHeaders(request));
      return true;
    }
    const plugins = this.sessionPlugins(request);
    if (!plugins.ok) {
      writeRawResponse(socket, plugins.answer, corsHeaders(request));
      return true;
    }
    if (!isWebSocketHandshake(request)) {
      writeRawResponse(socket, notAWebSocketRequest, corsHeaders(request));
      return true;
    }
    const ipAddress = realIp(request, this.trustedProxies);
    const client = this.clients.admit(ipAddress);
    if ('status' in client) {
      this.refuse(request, socket, ipAddress, client);
      return true;
    }
    // Counted from now: released when the session's socket closes, or here if the upgrade never completes.
    let shared = false;
    const release = () => {
      this.clients.release(client);
      if (shared) this.sharedLimits?.release(ipAddress);
    };
    let closed = false;
    let accepted = false;
    socket.once('close', () => {
      closed = true;
      if (!accepted) release();
    });
    const upgrade = () =>
      this.webSockets.handleUpgrade(request, socket, head, (webSocket) => {
        accepted = true;
        this.accept(webSocket, client, release, parsed.options, plugins.operators);
      });
    const sharedLimits = this.sharedLimits;
    if (sharedLimits === undefined) {
      upgrade();
      return true;
    }
    // Nobody else listens for this socket's errors until ws takes it: a reset while it waits must not crash the process.
    socket.on('error', () => socket.destroy());
    sharedLimits.admit(ipAddress).then(
      (refusal) => {
        // Gone while it waited: what was counted for it is released now.
        if (closed) {
          if (refusal === undefined) sharedLimits.release(ipAddress);
        } else if (refusal !== undefined) {
          this.refuse(request, socket, ipAddress, refusal);
        } else {
          shared = true;
          upgrade();
        }
      },
      (error: unknown) => {
        this.logger.warn({ ip: ipAddress, error: String(error) }, 'shared connection limits did not answer; connection cut');
        socket.destroy();
      },
    );
    return true;
  }

  /** Closes every connection (1001), ends the timers; sockets that do not finish in 1 s are cut. */
  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    this.tail.stop();
    const closing = [...this.connections.keys()].map(
      (webSocket) =>
        new Promise<void>((resolve) => {
          webSocket.once('close', () => resolve());
          webSocket.close(CLOSE_GOING_AWAY, 'server shutting down');
          setTimeout(() => webSocket.terminate(), this.closeGraceMs).unref();
        }),
    );
    await Promise.all(closing);
    this.webSockets.close();
  }

  /** Answers a handshake over the limits with the refusal's status and reason (counted; logged at most once a second). */
  private refuse(request: IncomingMessage, socket: Duplex, ipAddress: string, refusal: Refusal): void {
    this.metrics.subscribersRefused?.inc({ reason: refusal.metricReason });
    if (this.refusalLogs.tryTake(Date.now())) {
      this.logger.warn({ ip: ipAddress, status: refusal.status, reason: refusal.reason }, 'subscriber refused (further refusals this second only counted)');
    }
    const answer = { status: refusal.status, headers: { 'Content-Type': 'text/plain; charset=UTF-8', 'Retry-After': '10' }, body: refusal.reason };
    writeRawResponse(socket, answer, corsHeaders(request));
  }

  private isOurs(request: IncomingMessage): boolean {
    const target = request.url ?? '';
    const question = target.indexOf('?');
    return (question < 0 ? target : target.slice(0, question)) === this.path;
  }

  private parse(request: IncomingMessage) {
    const maxFilterBytes = this.settings.maxFilterBytes;
    return parseSubscribeRequest(request.url ?? '', request.headersDistinct, this.nowUs ? { nowUs: this.nowUs, maxFilterBytes } : { maxFilterBytes });
  }

  /**
   * Each subscriber plugin's operator for this request. A `PluginOptionError` refuses it with 400
   * and the plugin's message, as v1 answers its own options; any other error is the plugin's
   * failure: counted, and the request refused with 500 rather than served without the plugin.
   */
  private sessionPlugins(
    request: IncomingMessage,
  ): { ok: true; operators: SessionPluginOperator[] } | { ok: false; answer: HttpAnswer } {
    const operators: SessionPluginOperator[] = [];
    if (this.plugins.length === 0) return { ok: true, operators };
    const query = new URL(request.url ?? '', 'http://localhost').searchParams;
    for (const plugin of this.plugins) {
      try {
        const operator = plugin.session(query);
        if (operator) operators.push({ plugin: plugin.name, operator });
      } catch (error) {
        if (error instanceof PluginOptionError) return { ok: false, answer: optionError(error.message) };
        this.onPluginFailure({ plugin: plugin.name, stage: 'subscriber', error });
        return {
          ok: false,
          answer: {
            status: 500,
            headers: { 'Content-Type': 'text/plain; charset=UTF-8' },
            body: 'Internal Server Error',
          },
        };
      }
    }
    return { ok: true, operators };
  }

  private accept(
    webSocket: WebSocket,
    client: ClientEntry,
    release: () => void,
    options: SubscriberOptions,
    plugins: readonly SessionPluginOperator[],
  ): void {
    const { ipAddress } = client;
    const subscriber = `${this.subscriberIdPrefix}${this.nextSubscriberId++}`;
    const session = new SubscriberSession({
      log: this.log,
      socket: webSocketSubscriberSocket(webSocket, this.highWaterMark),
      options,
      ipAddress,
      subscriberId: subscriber,
      eventsBehind: (position) => this.tail.eventsFrom(position),
      settings: this.settings,
      rateLimit: client.rateLimit,
      metrics: this.metrics,
      logger: this.logger,
      plugins,
      onPluginFailure: this.onPluginFailure,
    });
    const connection: Connection = { session, missedPongs: 0, stalled: false };
    this.connections.set(webSocket, connection);
    webSocket.on('message', (data, isBinary) => session.receive(toBytes(data), isBinary));
    webSocket.on('pong', () => (connection.missedPongs = 0));
    webSocket.on('error', (error) =>
      this.logger.warn({ subscriber, ip: ipAddress, error: error.message }, 'subscriber connection error'),
    );
    webSocket.on('close', (code) => {
      session.stop();
      this.connections.delete(webSocket);
      release();
      this.logger.info({ subscriber, ip: ipAddress, code }, 'subscriber disconnected');
    });
    this.logger.info(
      {
        subscriber,
        ip: ipAddress,
        wantedCollections: options.filter.wantedCollections
          ? options.filter.wantedCollections.exact.size + options.filter.wantedCollections.prefixes.length
          : 0,
        wantedDids: options.filter.wantedDids.size,
        cursor: options.cursor,
        compress: options.compress,
        requireHello: options.requireHello,
        maxMessageSizeBytes: options.maxMessageSizeBytes,
      },
      'subscriber connected',
    );
    session.start();
  }

  /**
   * Pings every connection; one that left the last two unanswered is stalled (it reads nothing,
   * or is gone): it gets a close frame with the reason, and is cut if its close handshake does
   * not finish within the grace period.
   */
  private ping(): void {
    for (const [webSocket, connection] of this.connections) {
      if (connection.stalled) continue;
      if (connection.missedPongs >= MAX_MISSED_PONGS) {
        const { session } = connection;
        connection.stalled = true;
        this.logger.info({ subscriber: session.subscriberId, ip: session.ipAddress }, 'closing subscriber: no pong to two pings');
        session.close(CLOSE_POLICY_VIOLATION, `connection stalled: no pong to ${MAX_MISSED_PONGS} pings`, 'stalled');
        setTimeout(() => webSocket.terminate(), this.closeGraceMs).unref();
        continue;
      }
      connection.missedPongs++;
      webSocket.ping();
    }
  }
}

/**
 * Mounts a `SubscribeEndpoint` on an HTTP server's upgrades. Upgrades to other paths get
 * Echo's 404 unless another `upgrade` listener is there to take them.
 *
 * @example
 * import http from 'node:http';
 * import { attachSubscribeEndpoint } from '@jetstream-ts/subscribers';
 *
 * // log: an EventLog, e.g. a CursorBuffer
 * const server = http.createServer((req, res) => {
 *   if (endpoint.handleRequest(req, res)) return;
 *   res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8' }).end('Welcome to Jetstream');
 * });
 * const endpoint = attachSubscribeEndpoint(server, { log });
 * server.listen(6008);
 */
export function attachSubscribeEndpoint(
  server: Server,
  options: SubscribeEndpointOptions,
): SubscribeEndpoint {
  const endpoint = new SubscribeEndpoint(options);
  server.on('upgrade', function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
    if (endpoint.handleUpgrade(request, socket, head)) return;
    if (server.listeners('upgrade').length === 1) writeRawResponse(socket, echoJsonError(404, 'Not Found'));
  });
  return endpoint;
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Echo's `c.String(400, message)`. */
function optionError(message: string): HttpAnswer {
  return { status: 400, headers: { 'Content-Type': 'text/plain; charset=UTF-8' }, body: message };
}

/** gorilla's answer to a request that is not a websocket handshake. */
const notAWebSocketRequest: HttpAnswer = {
  status: 400,
  headers: {
    'Content-Type': 'text/plain; charset=utf-8',
    'Sec-Websocket-Version': '13',
    'X-Content-Type-Options': 'nosniff',
  },
  body: 'Bad Request\n',
};

/** Echo's default JSON error, for requests its router would not route to /subscribe. */
function echoJsonError(status: number, message: string): HttpAnswer {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=UTF-8' },
    body: `{"message":"${message}"}\n`,
  };
}

/** What v1's CORS middleware adds (allow origin `*`), for answers written past the app's middleware. */
function corsHeaders(request: IncomingMessage): Record<string, string> {
  return request.headers.origin ? { Vary: 'Origin', 'Access-Control-Allow-Origin': '*' } : { Vary: 'Origin' };
}

/** gorilla's checks, in its order: Connection has `upgrade`, Upgrade has `websocket`, version 13, a valid key. */
function isWebSocketHandshake(request: IncomingMessage): boolean {
  return (
    hasToken(request, 'connection', 'upgrade') &&
    hasToken(request, 'upgrade', 'websocket') &&
    hasToken(request, 'sec-websocket-version', '13') &&
    CHALLENGE_KEY.test(request.headersDistinct['sec-websocket-key']?.[0] ?? '')
  );
}

function hasToken(request: IncomingMessage, header: string, token: string): boolean {
  return (request.headersDistinct[header] ?? []).some((line) =>
    line.split(',').some((value) => value.trim().toLowerCase() === token),
  );
}

function writeRawResponse(
  socket: Duplex,
  answer: HttpAnswer,
  extraHeaders: Record<string, string> = {},
): void {
  const body = Buffer.from(answer.body);
  const headers = {
    ...answer.headers,
    ...extraHeaders,
    'Content-Length': String(body.length),
    Connection: 'close',
  };
  const head = [
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  // The HTTP server dropped its error listener when it emitted 'upgrade': a client that resets
  // the connection before reading the answer would otherwise crash the process.
  socket.on('error', () => socket.destroy());
  socket.once('finish', () => socket.destroy());
  socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body]));
}
