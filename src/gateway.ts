/**
 * createGateway(config) -> a Yoga instance that never listens: the server, the tests and any host
 * application mount it where they like.
 */
import { createGraphQLError, createYoga, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import type { Config } from './config.js';
import type { GatewayState } from './context.js';
import { UpstreamError } from './errors.js';
import { graphiqlOptions, renderGraphiQL } from './graphiql.js';
import { createLogger, type Logger } from './logger.js';
import { buildSchema } from './schema/index.js';
import { PaceClient } from './upstream/client.js';

export type GatewayConfig = Omit<Config, 'port' | 'host' | 'paceApiUrl' | 'shutdownTimeoutMs'> & {
  readonly paceApiUrl: URL;
};

export interface GatewayOptions {
  readonly logger?: Logger;
  /** The embedded sandbox's demo account, prefilled in GraphiQL. Never set for a real PACE API. */
  readonly sandboxDemo?: { readonly authorization: string; readonly pin: string };
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
    graphiql: config.graphiql ? graphiqlOptions(options.sandboxDemo) : false,
    renderGraphiQL,
    landingPage: false,
    maskedErrors: { maskError: presentUpstreamError },
    context: () => ({ pace, upstreamTrace: {} }),
    plugins: [closeUpstream],
  });
}

/**
 * Upstream failures reach the client as coded errors with a fixed message; everything else
 * unexpected stays masked by Yoga's default.
 */
function presentUpstreamError(error: unknown, message: string, isDev?: boolean): Error {
  const located = error as Partial<Pick<GraphQLError, 'originalError' | 'nodes' | 'path'>>;
  const original = located.originalError ?? error;
  if (original instanceof UpstreamError) {
    return createGraphQLError(original.message, {
      nodes: located.nodes ?? null,
      path: located.path ?? null,
      extensions: original.extensions,
    });
  }
  return maskError(error, message, isDev);
}
