import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const fixture = (name: string) => new URL(`fixtures/trusted-documents/${name}`, import.meta.url).pathname;

describe('loadConfig', () => {
  it('has development defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      production: false,
      port: 4000,
      host: undefined,
      metricsOnApiPort: true,
      readyFailsOnDependencies: false,
      paceApiUrl: undefined,
      sandboxPort: 4011,
      upstreamTimeoutMs: 10_000,
      upstreamConnections: 128,
      graphiql: true,
      introspection: true,
      logLevel: 'info',
      pinMaxFailures: 5,
      pinFailureWindowSeconds: 900,
      redisSeeds: [],
      paceJwksUrl: undefined,
      paceTokenIssuer: undefined,
      shutdownTimeoutMs: 10_000,
      maxRequestBodyBytes: 16_384,
      corsOrigins: [],
      graphqlTypePrefix: '',
      trustedDocuments: undefined,
      allowArbitraryDocuments: true,
      tracing: { enabled: false, protocol: 'http/protobuf', endpoint: undefined, sampler: 'parentbased_always_on' },
    });
  });

  it.each([
    ['PORT', '8080', { port: 8080 }],
    ['PORT', '0', { port: 0 }],
    ['SANDBOX_PORT', '4100', { sandboxPort: 4100 }],
    ['HOST', '127.0.0.1', { host: '127.0.0.1' }],
    ['PACE_API_URL', 'https://api.pace.cloud/user/2024-1', { paceApiUrl: new URL('https://api.pace.cloud/user/2024-1') }],
    ['UPSTREAM_TIMEOUT_MS', '2500', { upstreamTimeoutMs: 2500 }],
    ['UPSTREAM_CONNECTIONS', '16', { upstreamConnections: 16 }],
    ['GRAPHIQL', 'false', { graphiql: false }],
    ['GRAPHIQL', '0', { graphiql: false }],
    ['INTROSPECTION', 'off', { introspection: false }],
    ['INTROSPECTION', 'TRUE', { introspection: true }],
    ['LOG_LEVEL', 'warn', { logLevel: 'warn' }],
    ['PIN_MAX_FAILURES', '3', { pinMaxFailures: 3 }],
    ['PIN_FAILURE_WINDOW_SECONDS', '60', { pinFailureWindowSeconds: 60 }],
    ['REDIS_URL', 'redis://127.0.0.1:6390', { redisSeeds: [new URL('redis://127.0.0.1:6390')] }],
    ['REDIS_URL', 'rediss://user:pw@a.example:6380, redis://b.example:6379,', { redisSeeds: [new URL('rediss://user:pw@a.example:6380'), new URL('redis://b.example:6379')] }],
    ['SHUTDOWN_TIMEOUT_MS', '500', { shutdownTimeoutMs: 500 }],
    ['MAX_REQUEST_BODY_BYTES', '4096', { maxRequestBodyBytes: 4096 }],
    ['PORT', '  ', { port: 4000 }],
    ['CORS_ORIGINS', 'https://app.example.com, http://localhost:3000', { corsOrigins: ['https://app.example.com', 'http://localhost:3000'] }],
    ['CORS_ORIGINS', '*', { corsOrigins: ['*'] }],
    ['GRAPHQL_TYPE_PREFIX', 'Pace', { graphqlTypePrefix: 'Pace' }],
    ['CORS_ORIGINS', 'https://app.example.com,null', { corsOrigins: ['https://app.example.com', 'null'] }],
    ['METRICS_PORT', '9464', { metricsPort: 9464 }],
    ['METRICS_PORT', '', { metricsPort: undefined }],
  ])('%s=%j', (name, value, expected) => {
    expect(loadConfig({ [name]: value })).toMatchObject(expected);
  });

  it.each([
    ['PORT', 'http', 'PORT must be an integer from 0 to 65535, got "http"'],
    ['PORT', '70000', 'PORT must be an integer from 0 to 65535, got "70000"'],
    ['PORT', '-1', 'PORT must be an integer'],
    ['UPSTREAM_TIMEOUT_MS', '0', 'UPSTREAM_TIMEOUT_MS must be an integer from 1'],
    ['UPSTREAM_TIMEOUT_MS', '1e3', 'UPSTREAM_TIMEOUT_MS must be an integer'],
    ['GRAPHIQL', 'maybe', 'GRAPHIQL must be true or false, got "maybe"'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of'],
    ['PACE_API_URL', 'api.pace.cloud', 'PACE_API_URL must be an absolute URL'],
    ['PACE_API_URL', 'ftp://api.pace.cloud', 'PACE_API_URL must be a http: or https: URL'],
    ['PACE_API_URL', 'https://api.pace.cloud/user/2024-1?x=1', 'PACE_API_URL must not have a query string'],
    ['REDIS_URL', 'http://localhost:6379', 'REDIS_URL must be a redis: or rediss: URL'],
    ['REDIS_URL', 'redis://a:6379,b:6379', 'REDIS_URL (entry 2) must be a redis: or rediss: URL'],
    ['PACE_JWKS_URL', 'https://id.pace.cloud/certs', 'PACE_JWKS_URL needs PACE_TOKEN_ISSUER'],
    ['PACE_TOKEN_ISSUER', 'pace-otp-sandbox', 'PACE_TOKEN_ISSUER must be an http(s) URL such as https://id.pace.cloud/auth/realms/pace'],
    ['PACE_TOKEN_ISSUER', 'https://id.pace.cloud/auth/realms/pace?x=1', 'PACE_TOKEN_ISSUER must be an http(s) URL'],
    ['PACE_JWKS_URL', 'file:///etc/keys', 'PACE_JWKS_URL must be a http: or https: URL'],
    ['CORS_ORIGINS', 'app.example.com', 'CORS_ORIGINS entries must be origins like https://app.example.com (or *), got "app.example.com"'],
    ['CORS_ORIGINS', 'https://app.example.com/path', 'CORS_ORIGINS entries must be origins'],
    ['GRAPHQL_TYPE_PREFIX', 'Pace-', 'GRAPHQL_TYPE_PREFIX must be a GraphQL name such as Pace'],
    ['GRAPHQL_TYPE_PREFIX', '__Pace', 'GRAPHQL_TYPE_PREFIX must be a GraphQL name'],
    ['ALLOW_ARBITRARY_DOCUMENTS', 'false', 'ALLOW_ARBITRARY_DOCUMENTS=false needs TRUSTED_DOCUMENTS'],
    ['ALLOW_ARBITRARY_DOCUMENTS', 'sometimes', 'ALLOW_ARBITRARY_DOCUMENTS must be true or false'],
    ['METRICS_PORT', 'metrics', 'METRICS_PORT must be an integer from 0 to 65535, got "metrics"'],
  ])('rejects %s=%j', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrowError(message);
  });

  it('reads TRUSTED_DOCUMENTS in both formats; arbitrary documents beside them only when told', () => {
    const apollo = loadConfig({ TRUSTED_DOCUMENTS: fixture('apollo-manifest.json') });
    expect(apollo.trustedDocuments).toEqual(new Map([['5e0f…query-id', 'query Credentials { credentials { __typename } }']]));
    expect(apollo.allowArbitraryDocuments).toBe(false);
    const codegen = loadConfig({ TRUSTED_DOCUMENTS: fixture('persisted-documents.json'), ALLOW_ARBITRARY_DOCUMENTS: 'true' });
    expect(codegen.trustedDocuments).toEqual(new Map([['b1c2…hash', 'query Credentials { credentials { __typename } }']]));
    expect(codegen.allowArbitraryDocuments).toBe(true);
    expect(loadConfig({ ALLOW_ARBITRARY_DOCUMENTS: 'true' }).allowArbitraryDocuments).toBe(true);
  });

  it.each([
    ['missing.json', /TRUSTED_DOCUMENTS: cannot read .*missing\.json as JSON \(ENOENT\)/],
    ['not-a-list.json', /is neither an Apollo persisted query manifest .* nor a GraphQL Code Generator persisted-documents\.json/],
    ['apollo-manifest-v2.json', /is neither an Apollo persisted query manifest/],
    ['empty.json', /TRUSTED_DOCUMENTS: .*empty\.json lists no document/],
  ])('refuses TRUSTED_DOCUMENTS=%s', (name, message) => {
    expect(() => loadConfig({ TRUSTED_DOCUMENTS: fixture(name) })).toThrowError(message);
  });

  it('does not echo a URL that may hold a password', () => {
    expect(() => loadConfig({ REDIS_URL: 'not a url:secretpw' })).toThrowError(/^((?!secretpw).)*$/s);
  });

  it('requires TLS to PACE in production, except to this machine', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PACE_API_URL: 'http://api.pace.cloud/user/2024-1' })).toThrowError(
      'PACE_API_URL must be https when NODE_ENV=production (http only to localhost)',
    );
    expect(loadConfig({ NODE_ENV: 'production', PACE_API_URL: 'http://127.0.0.1:8080/user/2024-1' }).production).toBe(true);
    expect(loadConfig({ PACE_API_URL: 'http://pace.internal/user/2024-1' }).paceApiUrl?.hostname).toBe('pace.internal');
  });

  it('takes PACE_TOKEN_ISSUER alone (discovery), https in production, the sandbox never', () => {
    expect(loadConfig({ PACE_TOKEN_ISSUER: 'https://id.pace.cloud/auth/realms/pace' })).toMatchObject({ paceTokenIssuer: 'https://id.pace.cloud/auth/realms/pace', paceJwksUrl: undefined });
    const production = { NODE_ENV: 'production', PACE_API_URL: 'https://api.pace.cloud/user/2024-1' };
    expect(loadConfig({ ...production, PACE_TOKEN_ISSUER: 'https://id.pace.cloud/auth/realms/pace' }).paceTokenIssuer).toBe('https://id.pace.cloud/auth/realms/pace');
    for (const issuer of ['http://127.0.0.1:4011/auth/realms/pace', 'http://id.pace.cloud/auth/realms/pace']) {
      expect(() => loadConfig({ ...production, PACE_TOKEN_ISSUER: issuer })).toThrowError('PACE_TOKEN_ISSUER must be an https URL when NODE_ENV=production');
    }
    // With PACE_JWKS_URL the issuer is only compared with `iss`: any string will do (outside production).
    expect(loadConfig({ PACE_TOKEN_ISSUER: 'pace-otp-sandbox', PACE_JWKS_URL: 'http://127.0.0.1:4010/certs' }).paceTokenIssuer).toBe('pace-otp-sandbox');
  });

  it('takes PACE_JWKS_URL with PACE_TOKEN_ISSUER, over TLS in production', () => {
    const verification = { PACE_JWKS_URL: 'https://id.pace.cloud/auth/realms/pace/protocol/openid-connect/certs', PACE_TOKEN_ISSUER: 'https://id.pace.cloud/auth/realms/pace' };
    expect(loadConfig(verification)).toMatchObject({ paceJwksUrl: new URL(verification.PACE_JWKS_URL), paceTokenIssuer: verification.PACE_TOKEN_ISSUER });
    expect(() => loadConfig({ ...verification, NODE_ENV: 'production', PACE_API_URL: 'https://api.pace.cloud/user/2024-1', PACE_JWKS_URL: 'http://id.pace.cloud/certs' })).toThrowError(
      'PACE_JWKS_URL must be https when NODE_ENV=production (http only to localhost)',
    );
  });

  it('requires PACE_API_URL in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrowError('PACE_API_URL is required when NODE_ENV=production');
    expect(loadConfig({ NODE_ENV: 'production', PACE_API_URL: 'https://api.pace.cloud/user/2024-1' }).production).toBe(true);
  });

  it('in production, GraphiQL and introspection are off unless asked for', () => {
    const production = { NODE_ENV: 'production', PACE_API_URL: 'https://api.pace.cloud/user/2024-1' };
    expect(loadConfig(production)).toMatchObject({ graphiql: false, introspection: false, metricsPort: undefined });
    expect(loadConfig({ ...production, GRAPHIQL: 'true', INTROSPECTION: 'true' })).toMatchObject({ graphiql: true, introspection: true });
    expect(loadConfig({ NODE_ENV: 'development' })).toMatchObject({ graphiql: true, introspection: true });
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'x', GRAPHIQL: 'y', LOG_LEVEL: 'z', NODE_ENV: 'production' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('INVALID_CONFIG');
    expect((error as ConfigError).problems).toHaveLength(4);
    expect((error as ConfigError).message.split('\n')).toHaveLength(5);
  });
});
