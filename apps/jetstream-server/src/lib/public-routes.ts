import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { sendJsonMessage, sendText, type RequestHandler, type UpgradeHandler } from './http-listener.js';

/** What serves `/subscribe` (the subscribers library's endpoint, adapted by the container). */
export interface SubscribeEndpoint {
  /** The websocket upgrade of a `/subscribe` request. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** A `/subscribe` request without an upgrade (v1 answers 400 after validating the query). */
  handleRequest(request: IncomingMessage, response: ServerResponse): void;
}

const ALLOWED_METHODS = 'GET,HEAD,OPTIONS';

/**
 * The public listener's routes, as v1 serves them (reference §5.1): `GET /` says
 * `Welcome to Jetstream`; `/subscribe` goes to the subscribe endpoint; CORS allows any
 * origin for GET, HEAD and OPTIONS (preflights get 204). Other paths fall through to 404.
 *
 * @param subscribe The `/subscribe` endpoint, when subscribers are served.
 * @return Request and upgrade handlers for {@link startHttpListener}.
 */
export function publicRoutes(subscribe?: SubscribeEndpoint): { request: RequestHandler; upgrade: UpgradeHandler } {
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
      if (path === '/subscribe' && subscribe !== undefined) {
        subscribe.handleRequest(request, response);
        return true;
      }
      return false;
    },
    upgrade: (request, socket, head, path) => {
      if (path !== '/subscribe' || subscribe === undefined) return false;
      subscribe.handleUpgrade(request, socket, head);
      return true;
    },
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
