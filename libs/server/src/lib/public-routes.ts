import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { sendJsonMessage, sendText, type RequestHandler, type UpgradeHandler } from './http-listener.js';

/** What serves `/subscribe`: the subscribers library's `SubscribeEndpoint` fits as it is. */
export interface SubscribeHandler {
  /** Answers a plain request on its path (v1: the option error, else 400) and returns true; false for others. */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /** Takes a websocket upgrade on its path and returns true; false for other paths. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Closes every subscriber connection (before the HTTP server closes). */
  close(): Promise<void>;
}

const ALLOWED_METHODS = 'GET,HEAD,OPTIONS';

/**
 * The public listener's routes, as v1 serves them (reference §5.1): `GET /` says
 * `Welcome to Jetstream`; `/subscribe` goes to the subscribe endpoint; CORS allows any
 * origin for GET, HEAD and OPTIONS (preflights get 204). Other paths fall through to 404, and
 * so do upgrades the subscribe handler does not take.
 *
 * @param subscribe The `/subscribe` handler, when subscribers are served.
 * @return Request and upgrade handlers for {@link startHttpListener}.
 */
export function publicRoutes(subscribe?: SubscribeHandler): { request: RequestHandler; upgrade: UpgradeHandler } {
  return {
    request: (request, response, path) => {
      if (!applyCors(request, response)) return true;
      if (path === '/') {
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          sendJsonMessage(response, 405, 'Method Not Allowed');
          return true;
        }
        sendText(response, 200, 'Welcome to Jetstream');
        return true;
      }
      return subscribe?.handleRequest(request, response) ?? false;
    },
    upgrade: (request, socket, head) => subscribe?.handleUpgrade(request, socket, head) ?? false,
  };
}

/** Echo's CORS middleware with AllowOrigins `*`: returns false when it answered a preflight itself. */
function applyCors(request: IncomingMessage, response: ServerResponse): boolean {
  const origin = request.headers.origin;
  response.setHeader('Vary', 'Origin');
  const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
  if (origin === undefined) {
    if (!preflight) return true;
    response.writeHead(204).end();
    return false;
  }
  response.setHeader('Access-Control-Allow-Origin', '*');
  if (!preflight) return true;
  response.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
  const requested = request.headers['access-control-request-headers'];
  if (requested !== undefined) response.setHeader('Access-Control-Allow-Headers', requested);
  response.writeHead(204).end();
  return false;
}
