/** The pieces for embedding the gateway in another server. */
export { loadConfig, type Config } from './config.js';
export { createGateway, type Gateway, type GatewayConfig, type GatewayOptions } from './gateway.js';
export { GatewayMetrics } from './observability/metrics.js';
export { startTracing } from './observability/start-tracing.js';
export type { Tracing, TracingSettings } from './observability/tracing.js';
export { subgraphSchema, clientSchema, type SchemaOptions } from './schema/index.js';
export * from './errors.js';
