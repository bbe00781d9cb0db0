/**
 * What the process says when it starts: one log line with the effective configuration an operator
 * needs (where it listens, which upstream, how tokens are verified, which guard store, trusted
 * documents, tracing, GraphiQL, metrics), and, with the embedded sandbox, the demo accounts for the
 * terminal. Pure functions of the configuration and a few facts: nothing here reads the environment.
 * No secret ever: URLs are cut to their origin and path (no credentials, no query), headers never shown.
 */
import type { Config } from './config.js';

export interface StartupFacts {
  /** The API listener's address as bound (server.address()). */
  readonly listening: { readonly address: string; readonly port: number };
  /** The effective PACE base URL (the embedded sandbox's when PACE_API_URL is unset). */
  readonly upstream: URL;
  readonly sandbox: boolean;
  /**
   * The effective token verification (the sandbox's issuer when it is embedded): the issuer, and the
   * key set's URL when PACE_JWKS_URL overrides its discovery document; undefined: not verified.
   */
  readonly tokenVerification: { readonly issuer: string; readonly jwksUrl: URL | undefined } | undefined;
}

export interface StartupSummary {
  /** The log line's message: where the API is, and GraphiQL only when it is on. */
  readonly message: string;
  /** The log line's fields. */
  readonly fields: Readonly<Record<string, string | number | boolean>>;
}

export function startupSummary(config: Config, facts: StartupFacts): StartupSummary {
  const { address, port } = facts.listening;
  const everywhere = address === '::' || address === '0.0.0.0';
  const listen = `http://${address.includes(':') ? `[${address}]` : address}:${port}${everywhere ? ' (all interfaces)' : ''}`;
  // Where a browser on this machine finds it: a wildcard address is not one to browse to.
  const local = `http://${everywhere ? 'localhost' : address.includes(':') ? `[${address}]` : address}:${port}/graphql`;
  const graphiql = config.graphiql ? `; GraphiQL at ${local}` : '';
  return {
    message: `GraphQL gateway ready: POST /graphql on ${listen}${graphiql}`,
    fields: {
      listen,
      upstream: `${withoutSecrets(facts.upstream)}${facts.sandbox ? ' (embedded sandbox, development only)' : ''}`,
      tokens: facts.tokenVerification
        ? `verified: issuer ${facts.tokenVerification.issuer}, key set ${facts.tokenVerification.jwksUrl ? withoutSecrets(facts.tokenVerification.jwksUrl) : 'from its discovery document'}`
        : 'NOT verified (PACE_TOKEN_ISSUER unset): the PIN guard keys accounts by an unverified sub',
      guardStore: guardStore(config.redisSeeds),
      pinGuard: `${config.pinMaxFailures} failures per ${config.pinFailureWindowSeconds} s per account`,
      trustedDocuments: config.trustedDocuments
        ? `${config.trustedDocuments.size} documents; others ${config.allowArbitraryDocuments ? 'still run' : 'refused'}`
        : 'off (any document)',
      tracing: config.tracing.enabled ? `otlp ${config.tracing.protocol} to ${config.tracing.endpoint ?? 'the SDK default endpoint'}, sampler ${config.tracing.sampler}` : 'off',
      graphiql: config.graphiql,
      introspection: config.introspection,
      metrics: config.metricsPort !== undefined ? `port ${config.metricsPort} (METRICS_PORT), /metrics` : config.metricsOnApiPort ? `port ${port} with the API, /metrics` : 'not served (set METRICS_PORT)',
      readiness: config.readyFailsOnDependencies ? '/ready fails while a dependency is down' : '/ready fails while draining or before each dependency was first reached',
    },
  };
}

/** Redis seeds by host and port (never credentials); the topology is asked at connect (INFO cluster). */
function guardStore(seeds: readonly URL[]): string {
  if (seeds.length === 0) return 'memory (this process only: one replica)';
  const hosts = seeds.map((seed) => `${seed.hostname}:${seed.port || 6379}`).join(', ');
  const tls = seeds.some((seed) => seed.protocol === 'rediss:') ? 'TLS' : 'no TLS';
  const topology = seeds.length > 1 ? 'cluster (several seeds)' : 'standalone or cluster (asked at connect: INFO cluster)';
  return `redis ${hosts}, ${tls}, ${topology}`;
}

function withoutSecrets(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

export interface DemoAccount {
  readonly token: string;
  readonly pin?: string;
  readonly password?: string;
}

export interface SandboxBannerFacts {
  /** Where a browser on this machine finds the gateway, e.g. http://localhost:4000/graphql. */
  readonly graphqlUrl: string;
  readonly accounts: { readonly user: DemoAccount; readonly passwordOnly: DemoAccount; readonly unlinked: DemoAccount; readonly noScope: DemoAccount };
  /** The sandbox-only endpoint that clears the PIN guard's counts, when there is one. */
  readonly resetUrl?: string;
}

/**
 * The terminal help with the embedded sandbox: a token per demo account (one per README row) and
 * how to try them. Printed to the terminal, never through the logger: public fixtures, not secrets.
 */
export function sandboxBanner(config: Config, facts: SandboxBannerFacts): string {
  const { user, passwordOnly, unlinked, noScope } = facts.accounts;
  const howTo = !config.graphiql
    ? `send createOtp to ${facts.graphqlUrl} (GraphiQL is off)`
    : config.trustedDocuments && !config.allowArbitraryDocuments
      ? `send a trusted document's id to ${facts.graphqlUrl} (TRUSTED_DOCUMENTS: GraphiQL's documents are refused)`
      : `open ${facts.graphqlUrl} and press Run: the user's token and PIN are prefilled, the bar above GraphiQL switches accounts`;
  return [
    '',
    `  Sandbox demo accounts (${howTo}):`,
    `    user           pin ${user.pin}, password ${user.password}: Otp (a wrong PIN: InvalidCredentials)`,
    `      Authorization: Bearer ${user.token}`,
    `    passwordOnly   password ${passwordOnly.password}, no PIN`,
    `      Authorization: Bearer ${passwordOnly.token}`,
    `    unlinked       pin ${unlinked.pin}: MissingLinkedIdentity`,
    `      Authorization: Bearer ${unlinked.token}`,
    `    noScope        any PIN: Forbidden (the token lacks user:otp:create)`,
    `      Authorization: Bearer ${noScope.token}`,
    `    no token: Unauthenticated; ${config.pinMaxFailures} wrong PINs: RateLimited, even for the right one`,
    ...(facts.resetUrl ? [`    unlock an account: curl -X POST ${facts.resetUrl} -H "authorization: Bearer <its token>"`] : []),
    '',
  ].join('\n');
}
