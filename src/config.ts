/**
 * Environment -> validated Config. Every problem is collected and reported at once,
 * so an operator fixes a bad deployment in one round trip.
 */
import { ConfigError } from './errors.js';
import { LOG_LEVELS, type LogLevel } from './logger.js';
import type { OtlpProtocol, TracingSettings } from './observability/tracing.js';
import { readTrustedDocuments, type TrustedDocuments } from './trusted-documents.js';

export { ConfigError };

export interface Config {
  readonly production: boolean;
  readonly port: number;
  readonly host: string | undefined;
  /** A listener of its own for /metrics (not exposed with the API); undefined: none. */
  readonly metricsPort: number | undefined;
  /** /metrics on PORT with the API: by default outside production, when METRICS_PORT is unset. */
  readonly metricsOnApiPort: boolean;
  /** READY_FAILS_ON_DEPENDENCIES: /ready also fails while a shared dependency is down (not only one never reached). */
  readonly readyFailsOnDependencies: boolean;
  /** Upstream base such as https://api.pace.cloud/user/2024-1; undefined = embedded sandbox. */
  readonly paceApiUrl: URL | undefined;
  /** The embedded sandbox's port (SANDBOX_PORT): fixed, so its issuer and printed tokens survive a restart. */
  readonly sandboxPort: number;
  readonly upstreamTimeoutMs: number;
  readonly upstreamConnections: number;
  readonly graphiql: boolean;
  readonly introspection: boolean;
  readonly logLevel: LogLevel;
  readonly pinMaxFailures: number;
  readonly pinFailureWindowSeconds: number;
  /** The guard's shared store: a standalone Redis or seeds of a cluster; empty: in memory (one replica). */
  readonly redisSeeds: readonly URL[];
  /** PACE ID's issuer: set, tokens are verified here before anything else, against its discovery document's key set. */
  readonly paceTokenIssuer: string | undefined;
  /** Overrides the key set's URL the discovery document names. */
  readonly paceJwksUrl: URL | undefined;
  readonly shutdownTimeoutMs: number;
  readonly maxRequestBodyBytes: number;
  /** Browser origins allowed to call the gateway cross-origin; empty: CORS off (same origin only). */
  readonly corsOrigins: readonly string[];
  /** Prepended to every type the subgraph owns (see SchemaOptions.typePrefix); '' for none. */
  readonly graphqlTypePrefix: string;
  /** TRUSTED_DOCUMENTS, read at start-up (Apollo manifest or codegen persisted-documents.json); undefined: none. */
  readonly trustedDocuments: TrustedDocuments | undefined;
  /** With trustedDocuments: whether documents outside the list are still run. */
  readonly allowArbitraryDocuments: boolean;
  /** From the standard OTEL_* variables (the SDK reads the rest of them itself). */
  readonly tracing: TracingSettings;
}

type Env = Readonly<Record<string, string | undefined>>;

const LOCAL_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** Parses the environment; throws ConfigError listing every invalid variable. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const bool = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false, got "${raw}"`);
    return fallback;
  };

  /** `value` defaults to the variable's own; REDIS_URL passes each of its comma-separated seeds. */
  const url = (name: string, protocols: readonly string[], raw = read(name), index?: number): URL | undefined => {
    if (raw === undefined) return undefined;
    const which = index === undefined ? name : `${name} (entry ${index + 1})`;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${which} must be a ${protocols.join(' or ')} URL, got "${parsed.protocol}"`);
        return undefined;
      }
      return parsed;
    } catch {
      // The value is not echoed: a URL may carry credentials (redis://:password@host).
      problems.push(`${which} must be an absolute URL`);
      return undefined;
    }
  };

  const nodeEnv = read('NODE_ENV');
  const production = nodeEnv === 'production';
  const paceApiUrl = url('PACE_API_URL', ['http:', 'https:']);
  if (production && read('PACE_API_URL') === undefined) {
    problems.push('PACE_API_URL is required when NODE_ENV=production (the embedded sandbox is for development only)');
  }
  // Tokens and PINs go to PACE: in production only over TLS, or to this machine (a sidecar, a test).
  if (production && paceApiUrl?.protocol === 'http:' && !LOCAL_HOSTS.includes(paceApiUrl.hostname)) {
    problems.push('PACE_API_URL must be https when NODE_ENV=production (http only to localhost)');
  }
  if (paceApiUrl && (paceApiUrl.search !== '' || paceApiUrl.hash !== '')) {
    problems.push('PACE_API_URL must not have a query string or fragment');
  }

  // PACE_TOKEN_ISSUER alone is enough: its discovery document names the key set. PACE_JWKS_URL overrides that.
  const paceJwksUrl = url('PACE_JWKS_URL', ['http:', 'https:']);
  const paceTokenIssuer = read('PACE_TOKEN_ISSUER');
  if (read('PACE_JWKS_URL') !== undefined && paceTokenIssuer === undefined) {
    problems.push('PACE_JWKS_URL needs PACE_TOKEN_ISSUER (the iss every token must carry); PACE_TOKEN_ISSUER alone is enough');
  }
  // The keys that decide which tokens are genuine: in production only over TLS, or from this machine.
  if (production && paceJwksUrl?.protocol === 'http:' && !LOCAL_HOSTS.includes(paceJwksUrl.hostname)) {
    problems.push('PACE_JWKS_URL must be https when NODE_ENV=production (http only to localhost)');
  }
  if (paceTokenIssuer !== undefined) {
    const issuerUrl = URL.canParse(paceTokenIssuer) ? new URL(paceTokenIssuer) : undefined;
    const discoverable = issuerUrl !== undefined && ['http:', 'https:'].includes(issuerUrl.protocol) && issuerUrl.search === '' && issuerUrl.hash === '';
    if (paceJwksUrl === undefined && read('PACE_JWKS_URL') === undefined && !discoverable) {
      problems.push('PACE_TOKEN_ISSUER must be an http(s) URL such as https://id.pace.cloud/auth/realms/pace (its discovery document names the key set), or set PACE_JWKS_URL too');
    }
    // An issuer is https in production, with no exception for this machine: so the sandbox's (http) never is.
    if (production && issuerUrl?.protocol !== 'https:') problems.push('PACE_TOKEN_ISSUER must be an https URL when NODE_ENV=production');
  }

  // One URL, or seeds of a cluster separated by commas.
  const seeds = (read('REDIS_URL') ?? '').split(',').map((part) => part.trim()).filter((part) => part !== '');
  const redisSeeds = seeds.flatMap((seed, index) => url('REDIS_URL', ['redis:', 'rediss:'], seed, seeds.length > 1 ? index : undefined) ?? []);

  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const corsOrigins = (read('CORS_ORIGINS') ?? '').split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
  for (const origin of corsOrigins) {
    // `null` (sandboxed iframes, file: pages) is allowed only when listed itself, never through `*`.
    if (origin !== '*' && origin !== 'null' && !/^https?:\/\/[^/\s]+$/.test(origin)) problems.push(`CORS_ORIGINS entries must be origins like https://app.example.com (or *), got "${origin}"`);
  }

  const graphqlTypePrefix = read('GRAPHQL_TYPE_PREFIX') ?? '';
  if (graphqlTypePrefix !== '' && !/^[A-Za-z][A-Za-z0-9_]*$/.test(graphqlTypePrefix)) {
    problems.push(`GRAPHQL_TYPE_PREFIX must be a GraphQL name such as Pace (letters, digits, _), got "${graphqlTypePrefix}"`);
  }
  const trustedDocumentsPath = read('TRUSTED_DOCUMENTS');
  const trustedDocumentsRead = trustedDocumentsPath === undefined ? undefined : readTrustedDocuments(trustedDocumentsPath);
  if (trustedDocumentsRead !== undefined && 'problem' in trustedDocumentsRead) problems.push(trustedDocumentsRead.problem);
  const trustedDocuments = trustedDocumentsRead instanceof Map ? trustedDocumentsRead : undefined;
  // Without a list every document is arbitrary: the switch only narrows a list that exists.
  const allowArbitraryDocuments = bool('ALLOW_ARBITRARY_DOCUMENTS', trustedDocumentsPath === undefined);
  if (trustedDocumentsPath === undefined && !allowArbitraryDocuments) {
    problems.push('ALLOW_ARBITRARY_DOCUMENTS=false needs TRUSTED_DOCUMENTS (the list of documents to allow)');
  }

  // /metrics shows per-result rates (InvalidCredentials, …) and process statistics: not on a public port in production.
  const metricsPort = read('METRICS_PORT') === undefined ? undefined : int('METRICS_PORT', 0, 0, 65535);
  const metricsOnApiPort = bool('METRICS_ON_API_PORT', !production && metricsPort === undefined);
  if (metricsOnApiPort && metricsPort !== undefined) problems.push('METRICS_ON_API_PORT=true and METRICS_PORT contradict each other: set one of them');
  const tracing = tracingSettings(read, problems);

  const config: Config = {
    production,
    port: int('PORT', 4000, 0, 65535),
    host: read('HOST'),
    metricsPort,
    metricsOnApiPort,
    readyFailsOnDependencies: bool('READY_FAILS_ON_DEPENDENCIES', false),
    paceApiUrl,
    sandboxPort: int('SANDBOX_PORT', 4011, 0, 65535), // 4011: beside `npm run sandbox`'s 4010
    upstreamTimeoutMs: int('UPSTREAM_TIMEOUT_MS', 10_000, 1, 300_000),
    upstreamConnections: int('UPSTREAM_CONNECTIONS', 128, 1, 10_000),
    // A production deployment exposes the API, not a schema browser: both opt-in there.
    graphiql: bool('GRAPHIQL', !production),
    introspection: bool('INTROSPECTION', !production),
    logLevel: logLevel as LogLevel,
    pinMaxFailures: int('PIN_MAX_FAILURES', 5, 1, 1000),
    pinFailureWindowSeconds: int('PIN_FAILURE_WINDOW_SECONDS', 900, 1, 86_400),
    redisSeeds,
    paceJwksUrl,
    paceTokenIssuer,
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 300_000),
    maxRequestBodyBytes: int('MAX_REQUEST_BODY_BYTES', 16_384, 256, 10_485_760),
    corsOrigins,
    graphqlTypePrefix,
    trustedDocuments,
    allowArbitraryDocuments,
    tracing,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const OTLP_PROTOCOLS: readonly string[] = ['http/protobuf', 'http/json'] satisfies OtlpProtocol[];

/**
 * Whether tracing is on: when an OTLP endpoint is set (or OTEL_TRACES_EXPORTER=otlp), unless
 * OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none; refuses values the bundled exporters cannot honour.
 */
function tracingSettings(read: (name: string) => string | undefined, problems: string[]): TracingSettings {
  const exporters = (read('OTEL_TRACES_EXPORTER') ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of exporters) {
    if (name !== 'otlp' && name !== 'none') problems.push(`OTEL_TRACES_EXPORTER must be otlp or none here, got "${name}"`);
  }
  const protocol = read('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? read('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (!OTLP_PROTOCOLS.includes(protocol)) problems.push(`OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (grpc is not bundled), got "${protocol}"`);
  let endpoint: string | undefined;
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
    const value = read(name);
    if (value === undefined) continue;
    const url = URL.canParse(value) ? new URL(value) : undefined;
    // The value is not echoed: it may carry credentials.
    if (url === undefined || !['http:', 'https:'].includes(url.protocol)) problems.push(`${name} must be an http(s) URL`);
    else endpoint ??= url.origin + url.pathname;
  }
  const disabled = read('OTEL_SDK_DISABLED')?.toLowerCase() === 'true' || exporters.includes('none');
  return {
    enabled: !disabled && (exporters.includes('otlp') || endpoint !== undefined),
    protocol: protocol as OtlpProtocol,
    endpoint,
    // With its argument when there is one: `parentbased_traceidratio 0.1`.
    sampler: [read('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on', read('OTEL_TRACES_SAMPLER_ARG')].filter((part) => part !== undefined).join(' '),
  };
}
