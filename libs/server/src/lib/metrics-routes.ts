import type { Registry } from 'prom-client';

/** What `/metrics` serves: a prom-client registry, or anything that renders like one. */
export type MetricsSource = Pick<Registry, 'metrics' | 'contentType'>;
import { sendText, type RequestHandler } from './http-listener.js';

/**
 * The metrics listener's routes: `/metrics` (the Prometheus registry), `/healthz` (200 while the
 * process answers, whatever else is wrong) and `/readyz` (200 `ready`, or 503 `not ready: <why>`
 * while `notReadyReason()` gives a reason: see `ServerHealth`).
 *
 * @example
 * import { metricsRoutes, startHttpListener } from '@jetstream-ts/server';
 *
 * // registry: a prom-client Registry; health: a ServerHealth
 * startHttpListener({ port: 6009 }, { request: metricsRoutes(registry, () => health.notReadyReason()) });
 *
 * @param registry The registry (or merged registries) to expose.
 * @param notReadyReason Why the server is not ready, or undefined when it is.
 * @return A request handler for {@link startHttpListener}.
 */
export function metricsRoutes(registry: MetricsSource, notReadyReason: () => string | undefined): RequestHandler {
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
      const reason = notReadyReason();
      if (reason === undefined) sendText(response, 200, 'ready\n');
      else sendText(response, 503, `not ready: ${reason}\n`);
      return true;
    }
    return false;
  };
}
