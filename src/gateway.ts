/**
 * createGateway(config) -> a Yoga instance that never listens: the server, the tests and any host
 * application mount it where they like.
 */
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from './config.js';
import type { GatewayState } from './context.js';
import { createLogger, type Logger } from './logger.js';
import { buildSchema } from './schema/index.js';
import { PaceClient } from './upstream/client.js';

export type GatewayConfig = Omit<Config, 'port' | 'host' | 'paceApiUrl' | 'shutdownTimeoutMs'> & {
  readonly paceApiUrl: URL;
};

export interface GatewayOptions {
  readonly logger?: Logger;
}

export type Gateway = YogaServerInstance<Record<string, unknown>, GatewayState>;

export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const logger = options.logger ?? createLogger(config.logLevel);
  const pace = new PaceClient({
    baseUrl: config.paceApiUrl,
    timeoutMs: config.upstreamTimeoutMs,
    connections: config.upstreamConnections,
  });

  const closeUpstream: Plugin = { onDispose: () => pace.close() };

  return createYoga<Record<string, unknown>, GatewayState>({
    schema: buildSchema(),
    logging: logger,
    graphiql: config.graphiql,
    landingPage: false,
    context: () => ({ pace, upstreamTrace: {} }),
    plugins: [closeUpstream],
  });
}
