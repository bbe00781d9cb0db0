/**
 * Environment -> validated Config. Every problem is collected and reported at once,
 * so an operator fixes a bad deployment in one round trip.
 */
export interface Config {
  readonly production: boolean;
  readonly port: number;
  readonly host: string | undefined;
  /** A listener of its own for /metrics (not exposed with the API); undefined: /metrics on PORT. */
  readonly metricsPort: number | undefined;
  /** Upstream base such as https://api.pace.cloud/user/2024-1; undefined = embedded sandbox. */
  readonly paceApiUrl: URL | undefined;
  readonly upstreamTimeoutMs: number;
  readonly upstreamConnections: number;
  readonly graphiql: boolean;
  readonly introspection: boolean;
  readonly logLevel: LogLevel;
  readonly maxFailedAttempts: number;
  readonly failureWindowSeconds: number;
  readonly redisUrl: URL | undefined;
  readonly shutdownTimeoutMs: number;
  readonly maxRequestBodyBytes: number;
  /** Browser origins allowed to call the gateway cross-origin; empty: CORS off (same origin only). */
  readonly corsOrigins: readonly string[];
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ERR_INVALID_CONFIG';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

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

  const url = (name: string, protocols: readonly string[]): URL | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must be a ${protocols.join(' or ')} URL, got "${parsed.protocol}"`);
        return undefined;
      }
      return parsed;
    } catch {
      // The value is not echoed: a URL may carry credentials (redis://:password@host).
      problems.push(`${name} must be an absolute URL`);
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
  if (production && paceApiUrl?.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(paceApiUrl.hostname)) {
    problems.push('PACE_API_URL must be https when NODE_ENV=production (http only to localhost)');
  }
  if (paceApiUrl && (paceApiUrl.search !== '' || paceApiUrl.hash !== '')) {
    problems.push('PACE_API_URL must not have a query string or fragment');
  }

  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const corsOrigins = (read('CORS_ORIGINS') ?? '').split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
  for (const origin of corsOrigins) {
    // `null` (sandboxed iframes, file: pages) is allowed only when listed itself, never through `*`.
    if (origin !== '*' && origin !== 'null' && !/^https?:\/\/[^/\s]+$/.test(origin)) problems.push(`CORS_ORIGINS entries must be origins like https://app.example.com (or *), got "${origin}"`);
  }

  const config: Config = {
    production,
    port: int('PORT', 4000, 0, 65535),
    host: read('HOST'),
    metricsPort: read('METRICS_PORT') === undefined ? undefined : int('METRICS_PORT', 0, 0, 65535),
    paceApiUrl,
    upstreamTimeoutMs: int('UPSTREAM_TIMEOUT_MS', 10_000, 1, 300_000),
    upstreamConnections: int('UPSTREAM_CONNECTIONS', 128, 1, 10_000),
    // A production deployment exposes the API, not a schema browser: both opt-in there.
    graphiql: bool('GRAPHIQL', !production),
    introspection: bool('INTROSPECTION', !production),
    logLevel: logLevel as LogLevel,
    maxFailedAttempts: int('PIN_MAX_FAILURES', 5, 1, 1000),
    failureWindowSeconds: int('PIN_FAILURE_WINDOW_SECONDS', 900, 1, 86_400),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 300_000),
    maxRequestBodyBytes: int('MAX_REQUEST_BODY_BYTES', 16_384, 256, 10_485_760),
    corsOrigins,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
