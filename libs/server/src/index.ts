export * from './lib/server-config.js';
export * from './lib/duration.js';
export * from './lib/listen-address.js';
export * from './lib/http-listener.js';
export * from './lib/public-routes.js';
export * from './lib/metrics-routes.js';
export * from './lib/tokens.js';
export * from './lib/container.js';
export * from './lib/jetstream-server.js';
export * from './lib/upstream-status-log.js';
export * from './lib/upstream-status-metrics.js';
export * from './lib/server-health.js';
export * from './lib/store-size-gauge.js';
export * from './lib/plugin-failure-reporter.js';
export * from './lib/register-plugin-modules.js';
export * from './lib/run-until-signal.js';
/** For validating `--trusted-proxies` where the configuration is parsed. */
export { TrustedProxies } from '@jetstream-ts/subscribers';
