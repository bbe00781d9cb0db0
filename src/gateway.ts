/**
 * createGateway(config) -> a Yoga instance that never listens: the server, the tests and any host
 * application mount it where they like.
 */
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createYoga, maskError, type CORSOptions, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import type { Config } from './config.js';
import type { GatewayState } from './context.js';
import { useCompiledExecution } from './compiled-execution.js';
import { CodedError } from './errors.js';
import { graphiqlFor, type SandboxDemo } from './graphiql.js';
import { useGraphiQLPage } from './graphiql-page.js';
import { createLogger, type Logger } from './logger.js';
import { subgraphSchema } from './schema/index.js';
import { GatewayMetrics, useMetricsEndpoint } from './observability/metrics.js';
import { Readiness, useReadiness } from './observability/readiness.js';
import { useRequestState, type RequestState } from './observability/request-state.js';
import { useRequestLog } from './observability/request-log.js';
import { traceAdmissions } from './observability/admission-spans.js';
import type { Tracing } from './observability/tracing.js';
import { observeUpstreamCalls } from './observability/upstream-calls.js';
import { useRequestBodyLimit } from './security/body-limit.js';
import { useResponseHeaders } from './security/response-headers.js';
import { MemoryGuardStore } from './security/guard-store.js';
import { useDocumentLimits } from './security/document-limits.js';
import { useCaseInsensitiveMediaTypes } from './security/media-types.js';
import { useVariablesLimit } from './security/variables-limit.js';
import { useNoEcho } from './security/no-echo.js';
import { useValidationRules } from './security/validation-rules.js';
import { PinGuard } from './security/pin-guard.js';
import { RedisGuardStore } from './security/redis-guard-store.js';
import { UnverifiedCallers, type CallerIdentifier } from './security/callers.js';
import { VerifiedCallers } from './security/token-verifier.js';
import { useSandboxLockoutReset } from './sandbox-lockout-reset.js';
import { useTrustedDocuments } from './trusted-documents.js';
import { PaceClient } from './upstream/client.js';

export type GatewayConfig = Omit<Config, 'port' | 'host' | 'paceApiUrl' | 'shutdownTimeoutMs'> & {
  readonly paceApiUrl: URL;
};

export interface GatewayOptions {
  readonly logger?: Logger;
  /** The embedded sandbox's demo accounts, prefilled in GraphiQL; also serves POST /sandbox/reset-lockout. Never set for a real PACE API. */
  readonly sandboxDemo?: SandboxDemo;
  /** True once the host is draining: /ready then answers 503, and every response says `Connection: close`. */
  readonly isShuttingDown?: () => boolean;
  /** Aborted when the host's shutdown time is up: PACE calls still running fail as UPSTREAM_UNAVAILABLE. */
  readonly abortUpstream?: AbortSignal;
  /**
   * The metrics to count into, when the host serves them itself (METRICS_PORT) or wants the process's
   * own in them (`new GatewayMetrics({ processMetrics: true })`, once per process); default: the
   * gateway's own metrics only.
   */
  readonly metrics?: GatewayMetrics;
  /** Tracing, when the host started it (`startTracing`): request, operation, PACE and Redis spans. */
  readonly tracing?: Tracing | undefined;
}

/** A check's slot outlives the longest check (one PACE call) by this, then expires on its own. */
const IN_FLIGHT_TTL_MARGIN_MS = 5_000;
/** Field selections per document: GraphiQL's introspection query has 73, createOtp with every member ~20. */
export const MAX_FIELD_SELECTIONS = 150;
/** Aliases per document, the same for graphql-armor (through fragments) and useDocumentLimits (`__typename` too). */
export const MAX_ALIASES = 10;
/** Tokens per document: GraphiQL's introspection query has 184, createOtp with every member ~90. */
export const MAX_TOKENS = 400;
/** Keys and list items in the variables, at any depth: createOtp needs 3. */
export const MAX_VARIABLE_ENTRIES = 100;

export type Gateway = YogaServerInstance<Record<string, unknown>, GatewayState>;

export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = options.metrics ?? new GatewayMetrics();
  const { tracing } = options;
  const pace = new PaceClient<RequestState>({
    baseUrl: config.paceApiUrl,
    timeoutMs: config.upstreamTimeoutMs,
    connections: config.upstreamConnections,
    observer: observeUpstreamCalls(metrics, tracing),
  });
  const callers: CallerIdentifier =
    config.paceTokenIssuer !== undefined
      ? new VerifiedCallers({ issuer: config.paceTokenIssuer, jwksUrl: config.paceJwksUrl, logger })
      : new UnverifiedCallers();
  const guardStore =
    config.redisSeeds.length > 0
      ? new RedisGuardStore({ seeds: config.redisSeeds, inFlightTtlMs: config.upstreamTimeoutMs + IN_FLIGHT_TTL_MARGIN_MS, logger })
      : new MemoryGuardStore();
  const pinGuard = new PinGuard<RequestState>({
    store: guardStore,
    pinMaxFailures: config.pinMaxFailures,
    pinFailureWindowSeconds: config.pinFailureWindowSeconds,
    // Tracing a shared store: each admission is a span of its request.
    observer: tracing && config.redisSeeds.length > 0 ? traceAdmissions(tracing) : undefined,
  });
  const isShuttingDown = options.isShuttingDown ?? (() => false);
  const readiness = new Readiness({
    isShuttingDown,
    components: { guardStore: () => pinGuard.checkReady(), tokenKeys: () => callers.isReady() && callers.isReachable() },
    failOnDependencies: config.readyFailsOnDependencies,
    registry: metrics.registry,
  });
  const services: Omit<GatewayState, 'requestState'> = { pace, pinGuard, callers };
  options.abortUpstream?.addEventListener('abort', () => void pace.destroy(), { once: true });

  const plugins: Plugin[] = [
    ...(tracing ? [tracing.plugin] : []), // first: its spans cover everything the other plugins do
    useCaseInsensitiveMediaTypes(),
    ...(config.graphiql ? [useGraphiQLPage('/graphql', graphiqlFor(options.sandboxDemo, config.graphqlTypePrefix))] : []),
    useRequestBodyLimit(config.maxRequestBodyBytes),
    useResponseHeaders({ isShuttingDown }),
    useReadiness(readiness),
    ...(options.sandboxDemo ? [useSandboxLockoutReset({ callers, store: guardStore, pinFailureWindowSeconds: config.pinFailureWindowSeconds })] : []),
    ...(config.metricsOnApiPort ? [useMetricsEndpoint(metrics)] : []),
    useRequestState(services), // after the probes and pages: it tracks GraphQL requests only
    useRequestLog({ logger, metrics }),
    useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'apollo-require-preflight'] }),
    useVariablesLimit(MAX_VARIABLE_ENTRIES),
    ...(config.trustedDocuments ? [useTrustedDocuments(config.trustedDocuments, config.allowArbitraryDocuments)] : []),
    useDocumentLimits({ maxTokens: MAX_TOKENS, maxFields: MAX_FIELD_SELECTIONS, maxAliases: MAX_ALIASES }),
    useValidationRules({
      maxDepth: 8,
      maxAliases: MAX_ALIASES,
      maxDirectives: 10,
      maxCost: 5000,
      singleMutationField: 'createOtp',
      introspection: config.introspection,
    }),
    // Without introspection, "did you mean …?" would still leak the schema.
    // (an envelop plugin typed for any context: Yoga's is one)
    ...(config.introspection ? [] : [blockFieldSuggestionsPlugin() as Plugin]),
    useNoEcho({ exposeOriginalErrors: !config.production, hideSuggestions: !config.introspection }),
    useCompiledExecution({ onCompile: (compiled) => metrics.documentCompiled(compiled) }),
    { onDispose: () => Promise.all([pace.close(), pinGuard.close(), callers.close()]).then(() => undefined) },
  ];

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
