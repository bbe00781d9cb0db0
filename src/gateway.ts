/**
 * createGateway(config) -> a Yoga instance that never listens: the server, the tests and any host
 * application mount it where they like.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { createYoga, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import type { Config } from './config.js';
import type { GatewayState } from './context.js';
import { CodedError } from './errors.js';
import { graphiqlFor, renderGraphiQL } from './graphiql.js';
import { createLogger, type Logger } from './logger.js';
import { buildSchema } from './schema/index.js';
import { GatewayMetrics } from './observability/metrics.js';
import { useObservability } from './observability/plugin.js';
import { requestState } from './observability/request-state.js';
import { useTracing } from './observability/tracing.js';
import { useRequestBodyLimit } from './security/body-limit.js';
import { MemoryFailureStore } from './security/failure-store.js';
import { PinGuard } from './security/pin-guard.js';
import { RedisFailureStore } from './security/redis-failure-store.js';
import { singleMutationFieldRule } from './security/single-field.js';
import { PaceClient } from './upstream/client.js';

export type GatewayConfig = Omit<Config, 'port' | 'host' | 'paceApiUrl' | 'shutdownTimeoutMs'> & {
  readonly paceApiUrl: URL;
};

export interface GatewayOptions {
  readonly logger?: Logger;
  /** The embedded sandbox's demo account, prefilled in GraphiQL. Never set for a real PACE API. */
  readonly sandboxDemo?: { readonly authorization: string; readonly pin: string };
  /** True once the host is draining: /ready then answers 503. */
  readonly isShuttingDown?: () => boolean;
}

export type Gateway = YogaServerInstance<Record<string, unknown>, GatewayState>;

export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = new GatewayMetrics();
  const pace = new PaceClient({
    baseUrl: config.paceApiUrl,
    timeoutMs: config.upstreamTimeoutMs,
    connections: config.upstreamConnections,
    onResponse: metrics.upstream,
  });
  const pinGuard = new PinGuard({
    store: config.redisUrl
      ? new RedisFailureStore({ url: config.redisUrl, inFlightTtlSeconds: Math.ceil(config.upstreamTimeoutMs / 1000) * 2 + 30 })
      : new MemoryFailureStore(),
    maxFailures: config.maxFailedAttempts,
    windowSeconds: config.failureWindowSeconds,
  });
  const isShuttingDown = options.isShuttingDown ?? (() => false);

  const plugins: Plugin[] = [
    useTracing(), // first: its spans cover everything the other plugins do (empty when tracing is off)
    useRequestBodyLimit(config.maxRequestBodyBytes),
    useObservability({ logger, metrics, isReady: () => !isShuttingDown() && pinGuard.isReady() }),
    useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'apollo-require-preflight'] }),
    EnvelopArmorPlugin({
      maxDepth: { n: 8 },
      maxAliases: { n: 10 },
      maxTokens: { n: 1000 },
      maxDirectives: { n: 10 },
      costLimit: { maxCost: 5000 },
      // Without introspection, "did you mean …?" would still leak the schema.
      blockFieldSuggestion: { enabled: !config.introspection },
    }),
    { onValidate: ({ addValidationRule }) => addValidationRule(singleMutationFieldRule('createOtp')) },
    { onDispose: () => Promise.all([pace.close(), pinGuard.close()]).then(() => undefined) },
  ];
  if (!config.introspection) plugins.push(useDisableIntrospection());

  return createYoga<Record<string, unknown>, GatewayState>({
    schema: buildSchema(),
    logging: logger,
    graphiql: config.graphiql ? graphiqlFor(options.sandboxDemo) : false,
    renderGraphiQL,
    landingPage: false,
    // Apps and routers call server-to-server; browsers only when an origin is allowed by config.
    cors: config.corsOrigins.length > 0 ? { origin: [...config.corsOrigins], credentials: false } : false,
    batching: false, // an array of operations would multiply credential checks per request
    multipart: false, // no uploads here: one parser less to try, one attack surface less
    maxRequestBodySize: false, // replaced by useRequestBodyLimit: the same limit, cheaper
    maskedErrors: { maskError: presentCodedError },
    context: ({ request }) => ({ pace, pinGuard, requestState: requestState(request) }),
    plugins,
  });
}

/**
 * Dependency failures reach the client as coded errors with their fixed message: graphql-js already
 * copied the CodedError's `extensions` onto the located error, so it goes out as it is (and Yoga does
 * not log it as unexpected: the request log line has it). Everything else stays masked.
 */
function presentCodedError(error: unknown, message: string, isDev?: boolean): Error {
  const original = (error as Partial<Pick<GraphQLError, 'originalError'>>).originalError;
  if (original instanceof CodedError) return error as GraphQLError;
  return maskError(error, message, isDev);
}
