/** The pieces for embedding the gateway in another server. */
export { loadConfig, type Config } from './config.js';
export { createGateway, type Gateway, type GatewayConfig, type GatewayOptions } from './gateway.js';
export { subgraphSchema, clientSchema, type SchemaOptions } from './schema/index.js';
export * from './errors.js';
