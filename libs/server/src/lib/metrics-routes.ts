import type { Registry } from 'prom-client';
import { sendText, type RequestHandler } from './http-listener.js';

/**
 * The metrics listener's routes: `/metrics` (the Prometheus registry), `/healthz` (the process
 * answers) and `/readyz` (200 while `ready()`, else 503: store open and ingest running).
 *
 * @param registry The registry to expose.
 * @param ready Whether the server is ready.
 * @return A request handler for {@link startHttpListener}.
 */
export function metricsRoutes(registry: Registry, ready: () => boolean): RequestHandler {
  return (request, response, path) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => sendText(response, 200, text, registry.contentType),
        (error: unknown) => sendText(response, 500, String(error)),
      );
      return true;
    }
    if (path === '/healthz') {
      sendText(response, 200, 'ok\n');
      return true;
    }
    if (path === '/readyz') {
      if (ready()) sendText(response, 200, 'ready\n');
      else sendText(response, 503, 'not ready\n');
      return true;
    }
    return false;
  };
}
