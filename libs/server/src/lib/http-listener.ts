import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ListenAddress } from './listen-address.js';

const MAX_HEADER_BYTES = 1024 * 1024;
/** How long, and how much, a refused request may go on sending before its connection is cut. */
const REFUSED_DRAIN_MS = 10_000;
const REFUSED_DRAIN_BYTES = 16 * 1024 * 1024;

/** Answers a plain HTTP request; return false to fall through to 404. */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse, path: string) => boolean;
/** Takes over an upgrade request (the socket is yours); return false to refuse it. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

/** A started HTTP listener. */
export interface HttpListener {
  /** The bound address (port resolved when 0 was asked for). */
  readonly address: AddressInfo;
  readonly server: Server;
  /** Stops accepting, ends idle keep-alive connections, and resolves once closed (or after `graceMs`, dropping the rest). */
  close(graceMs?: number): Promise<void>;
}

/** What serves the public routes: {@link startHttpListener} by default, the worker pool with `--workers`. */
export type PublicListenerFactory = (
  address: ListenAddress,
  handlers: { request: RequestHandler; upgrade?: UpgradeHandler },
) => Promise<Pick<HttpListener, 'address' | 'close'>>;

/**
 * Starts an HTTP server on `address` with v1's (Echo's) conventions for what it does not
 * handle: unknown paths get 404 `{"message":"Not Found"}` and failures 500, both JSON.
 *
 * @param address Where to listen.
 * @param handlers Request and upgrade handlers.
 * @return The listener, once it is accepting connections.
 */
export async function startHttpListener(address: ListenAddress, handlers: { request: RequestHandler; upgrade?: UpgradeHandler }): Promise<HttpListener> {
  const server = createHttpServer(handlers);
  server.listen(address.port, address.host);
  await once(server, 'listening');
  return {
    address: server.address() as AddressInfo,
    server,
    close: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/**
 * The HTTP server of {@link startHttpListener}, not listening: for connections accepted
 * elsewhere (`--workers`: the primary accepts, a worker gets the socket and emits `connection`).
 *
 * @param handlers Request and upgrade handlers.
 * @return The server.
 */
export function createHttpServer(handlers: { request: RequestHandler; upgrade?: UpgradeHandler }): Server {
  // Go's limit (1 MiB), not Node's 16 KiB: v1 serves a query of 10,000 wantedDids (~450 KB).
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (request, response) => {
    const path = pathOf(request);
    try {
      if (!handlers.request(request, response, path)) sendJsonMessage(response, 404, 'Not Found');
    } catch {
      if (!response.headersSent) sendJsonMessage(response, 500, 'Internal Server Error');
      else response.destroy();
    }
  });
  server.on('clientError', clientErrorAnswers());
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node's server stops handling this socket's errors once it emits 'upgrade': without a
    // listener, a client resetting the connection mid-answer would crash the process.
    socket.on('error', () => socket.destroy());
    if (handlers.upgrade?.(request, socket, head)) return;
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json; charset=UTF-8\r\nConnection: close\r\n\r\n{"message":"Not Found"}\n');
  });
  return server;
}

/**
 * A request Node's parser refused gets an answer instead of a reset: 431 for a request line or
 * headers over `maxHeaderSize` (a 1.2 MB URL, a 2 MB header; Go answers 431 too), 400 for
 * anything else malformed. The connection is half-closed and what the client is still sending
 * is read and discarded for a while: closing with unread input would make the kernel reset the
 * connection, and the client would never see the answer.
 */
function clientErrorAnswers(): (error: NodeJS.ErrnoException, socket: Duplex) => void {
  // Node's parser reports again for each chunk still arriving: answer once, keep draining.
  const answered = new WeakSet<Duplex>();
  return (error, socket) => {
    if (answered.has(socket)) return;
    answered.add(socket);
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const [status, message] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const body = `${JSON.stringify({ message })}\n`;
    socket.end(`HTTP/1.1 ${status} ${message}\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    let drained = 0;
    socket.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > REFUSED_DRAIN_BYTES) socket.destroy();
    });
    socket.resume();
    setTimeout(() => socket.destroy(), REFUSED_DRAIN_MS).unref();
  };
}

/** An Echo-style JSON error: `{"message":"..."}` and a newline (Go's json.Encoder). */
export function sendJsonMessage(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' });
  response.end(`${JSON.stringify({ message })}\n`);
}

/** Sends a text/plain body. */
export function sendText(response: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=UTF-8'): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  response.end(response.req.method === 'HEAD' ? undefined : text);
}

function pathOf(request: IncomingMessage): string {
  const target = request.url ?? '/';
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}
