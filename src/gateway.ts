/**
 * createGateway(config) -> a Yoga instance that never listens: the server, the tests and any host
 * application mount it where they like.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { createYoga, maskError, type CORSOptions, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import type { Config } from './config.js';
import type { GatewayState } from './context.js';
import { CodedError } from './errors.js';
import { graphiqlFor } from './graphiql.js';
import { useGraphiQLPage } from './graphiql-page.js';
import { createLogger, type Logger } from './logger.js';
import { subgraphSchema } from './schema/index.js';
import { GatewayMetrics, useMetricsEndpoint } from './observability/metrics.js';
import { Readiness, useReadiness } from './observability/readiness.js';
import { getRequestState, type RequestState } from './observability/request-state.js';
import { useRequestLog } from './observability/request-log.js';
import { useTracing } from './observability/tracing.js';
import { useRequestBodyLimit } from './security/body-limit.js';
import { useResponseHeaders } from './security/response-headers.js';
import { MemoryFailureStore } from './security/failure-store.js';
import { useDocumentLimits } from './security/document-limits.js';
import { useCaseInsensitiveMediaTypes } from './security/media-types.js';
import { useNoEcho } from './security/no-echo.js';
import { PinGuard } from './security/pin-guard.js';
import { RedisFailureStore } from './security/redis-failure-store.js';
import { UnverifiedCallers, type CallerIdentifier } from './security/callers.js';
import { VerifiedCallers } from './security/token-verifier.js';
import { singleMutationFieldRule } from './security/single-field.js';
import { useSandboxLockoutReset } from './sandbox-lockout-reset.js';
import { useTrustedDocuments } from './trusted-documents.js';
import { PaceClient } from './upstream/client.js';

export type GatewayConfig = Omit<Config, 'port' | 'host' | 'paceApiUrl' | 'shutdownTimeoutMs'> & {
  readonly paceApiUrl: URL;
};

export interface GatewayOptions {
  readonly logger?: Logger;
  /** The embedded sandbox's demo account, prefilled in GraphiQL; also serves POST /sandbox/reset-lockout. Never set for a real PACE API. */
  readonly sandboxDemo?: { readonly authorization: string; readonly pin: string };
  /** True once the host is draining: /ready then answers 503. */
  readonly isShuttingDown?: () => boolean;
  /** Aborted when the host's shutdown time is up: PACE calls still running fail as UPSTREAM_UNAVAILABLE. */
  readonly abortUpstream?: AbortSignal;
  /** The metrics to count into, when the host serves them itself (METRICS_PORT). */
  readonly metrics?: GatewayMetrics;
}

/** A check's slot outlives the longest check (one PACE call) by this, then expires on its own. */
const IN_FLIGHT_TTL_MARGIN_MS = 5_000;
/** Field selections per document: GraphiQL's introspection query has 73, createOtp with every member ~20. */
export const MAX_FIELD_SELECTIONS = 150;
/** Aliases per document, the same for graphql-armor (through fragments) and useDocumentLimits (`__typename` too). */
export const MAX_ALIASES = 10;
/** Tokens per document: GraphiQL's introspection query has 184, createOtp with every member ~90. */
export const MAX_TOKENS = 400;

export type Gateway = YogaServerInstance<Record<string, unknown>, GatewayState>;

export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = options.metrics ?? new GatewayMetrics();
  const pace = new PaceClient({
    baseUrl: config.paceApiUrl,
    timeoutMs: config.upstreamTimeoutMs,
    connections: config.upstreamConnections,
  });
  const callers: CallerIdentifier =
    config.paceJwksUrl && config.paceTokenIssuer
      ? new VerifiedCallers({ jwksUrl: config.paceJwksUrl, issuer: config.paceTokenIssuer, logger })
      : new UnverifiedCallers();
  const failureStore =
    config.redisUrl.length > 0
      ? new RedisFailureStore({ urls: config.redisUrl, inFlightTtlMs: config.upstreamTimeoutMs + IN_FLIGHT_TTL_MARGIN_MS, logger })
      : new MemoryFailureStore();
  const pinGuard = new PinGuard({
    store: failureStore,
    pinMaxFailures: config.pinMaxFailures,
    pinFailureWindowSeconds: config.pinFailureWindowSeconds,
  });
  const readiness = new Readiness({
    isShuttingDown: options.isShuttingDown ?? (() => false),
    components: { guardStore: () => pinGuard.checkReady(), tokenKeys: () => callers.isReady() },
    failOnDependencies: config.readyFailsOnDependencies,
    registry: metrics.registry,
  });
  options.abortUpstream?.addEventListener('abort', () => void pace.destroy(), { once: true });

  const plugins: Plugin[] = [
    useTracing(), // first: its spans cover everything the other plugins do (empty when tracing is off)
    useCaseInsensitiveMediaTypes(),
    ...(config.graphiql ? [useGraphiQLPage('/graphql', graphiqlFor(options.sandboxDemo, config.graphqlTypePrefix))] : []),
    useRequestBodyLimit(config.maxRequestBodyBytes),
    useResponseHeaders(),
    useReadiness(readiness),
    ...(options.sandboxDemo ? [useSandboxLockoutReset({ callers, store: failureStore, pinFailureWindowSeconds: config.pinFailureWindowSeconds })] : []),
    ...(config.metricsOnApiPort ? [useMetricsEndpoint(metrics)] : []),
    useRequestLog({ logger, metrics }), // after the probes: it tracks GraphQL requests only
    useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'apollo-require-preflight'] }),
    ...(config.trustedDocuments ? [useTrustedDocuments(config.trustedDocuments, config.allowArbitraryDocuments)] : []),
    EnvelopArmorPlugin({
      maxDepth: { n: 8 },
      maxAliases: { n: MAX_ALIASES },
      maxTokens: { enabled: false }, // graphql-js's own limit in useDocumentLimits: the same, cheaper
      maxDirectives: { n: 10 },
      costLimit: { maxCost: 5000 },
      // Without introspection, "did you mean …?" would still leak the schema.
      blockFieldSuggestion: { enabled: !config.introspection },
    }),
    useDocumentLimits({ maxTokens: MAX_TOKENS, maxFields: MAX_FIELD_SELECTIONS, maxAliases: MAX_ALIASES }),
    { onValidate: ({ addValidationRule }) => addValidationRule(singleMutationFieldRule('createOtp')) },
    useNoEcho({ exposeOriginalErrors: !config.production, hideSuggestions: !config.introspection }),
    { onDispose: () => Promise.all([pace.close(), pinGuard.close(), callers.close()]).then(() => undefined) },
  ];
  if (!config.introspection) plugins.push(useDisableIntrospection());

  return createYoga<Record<string, unknown>, GatewayState>({
    schema: subgraphSchema({ typePrefix: config.graphqlTypePrefix }),
    logging: logger,
    graphiql: false, // served by useGraphiQLPage
    landingPage: false,
    // Apps and routers call server-to-server; browsers only when an origin is allowed by config.
    cors: config.corsOrigins.length > 0 ? corsFor(config.corsOrigins) : false,
    batching: false, // an array of operations would multiply credential checks per request
    multipart: false, // no uploads here: one parser less to try, one attack surface less
    maxRequestBodySize: false, // replaced by useRequestBodyLimit: the same limit, cheaper
    maskedErrors: { maskError: presentCodedError },
    context: ({ request }) => ({ pace, pinGuard, callers, metrics, requestState: startedRequestState(request) }),
    plugins,
  });
}

/**
 * The grant for one request's Origin, or none. Yoga's own list matching answers an unlisted origin
 * with `Access-Control-Allow-Origin: null` once two origins are configured, which grants every
 * sandboxed iframe and file: page; `*` would grant `null` too. Here `null` needs its own entry.
 */
function corsFor(origins: readonly string[]): (request: Request) => CORSOptions {
  const any = origins.includes('*');
  return (request) => {
    const origin = request.headers.get('origin');
    const allowed = origin !== null && (origins.includes(origin) || (any && origin !== 'null'));
    return allowed ? { origin: [origin], credentials: false } : false;
  };
}

/** The request log's onRequest started it; a request without one is a wiring bug, said loudly. */
function startedRequestState(request: Request): RequestState {
  const state = getRequestState(request);
  if (state === undefined) throw new Error('no request state: useRequestLog must run before execution');
  return state;
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
