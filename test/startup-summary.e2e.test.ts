/**
 * What the real process (src/server.ts) says at start: one log line with the effective configuration
 * and no secret, a banner naming the real listen address (GraphiQL only when on), and with the
 * embedded sandbox a working token per demo account.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort, startGatewayProcess, type GatewayProcess } from './helpers/processes.js';
import { bearer, CREATE_OTP, graphql } from './helpers/servers.js';

/** The start-up summary: the JSON log line whose message begins "GraphQL gateway ready". */
function summaryOf(gateway: GatewayProcess): Record<string, unknown> {
  const line = gateway.output().split('\n').find((text) => text.includes('"msg":"GraphQL gateway ready'));
  if (line === undefined) throw new Error(`no start-up summary in:\n${gateway.output()}`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe('the start-up summary', () => {
  it('npm start (embedded sandbox): where it listens, what it verifies against, GraphiQL; a working token per demo account', async () => {
    await using gateway = await startedProcess({});
    const summary = summaryOf(gateway);
    const port = new URL(gateway.url).port;
    expect(summary).toMatchObject({
      msg: `GraphQL gateway ready: POST /graphql on http://127.0.0.1:${port}; GraphiQL at http://127.0.0.1:${port}/graphql`,
      listen: `http://127.0.0.1:${port}`,
      upstream: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/user\/2024-1 \(embedded sandbox, development only\)$/),
      tokens: expect.stringMatching(/^verified: issuer http:\/\/127\.0\.0\.1:\d+\/auth\/realms\/pace, key set from its discovery document$/),
      guardStore: 'memory (this process only: one replica)',
      trustedDocuments: 'off (any document)',
      tracing: 'off',
      graphiql: true,
      introspection: true,
      metrics: `port ${port} with the API, /metrics`,
    });

    // Every README row from `npm start`: one printed token per demo account.
    const tokens = Object.fromEntries([...gateway.output().matchAll(/^ {4}(\w+) .*\n {6}Authorization: Bearer (\S+)$/gm)].map(([, name, token]) => [name, token]));
    expect(Object.keys(tokens)).toEqual(['user', 'passwordOnly', 'unlinked', 'noScope']);
    const typeOf = async (token: string | undefined, input: Record<string, string>) =>
      (await graphql(gateway.url, CREATE_OTP, { variables: { input }, headers: token ? bearer(token) : {} })).body.data?.['createOtp'].__typename;
    expect(await typeOf(tokens['user'], { pin: '1234' })).toBe('Otp');
    expect(await typeOf(tokens['passwordOnly'], { password: 'sandbox-password-2' })).toBe('Otp');
    expect(await typeOf(tokens['unlinked'], { pin: '5678' })).toBe('MissingLinkedIdentity');
    expect(await typeOf(tokens['noScope'], { pin: '1234' })).toBe('Forbidden');
    expect(await typeOf(undefined, { pin: '1234' })).toBe('Unauthenticated');
    // GraphiQL offers the same accounts: a page each, its Headers tab holding the printed token.
    for (const [name, token] of Object.entries(tokens)) {
      const page = await (await fetch(`${gateway.url}/graphql?account=${name}`, { headers: { accept: 'text/html' } })).text();
      expect(page, name).toContain(`\\"Authorization\\": \\"Bearer ${token}\\"`);
      expect(/aria-current="page">(\w+)</.exec(page)?.[1]).toBe(name);
    }

    // RateLimited, and the printed way out of it without a restart (the same token keeps working).
    for (let i = 0; i < 5; i += 1) expect(await typeOf(tokens['user'], { pin: '0000' })).toBe('InvalidCredentials');
    expect(await typeOf(tokens['user'], { pin: '1234' })).toBe('RateLimited');
    const reset = /curl -X POST (\S+) -H "authorization: Bearer <its token>"/.exec(gateway.output())?.[1];
    expect(reset).toBe(`http://localhost:${port}/sandbox/reset-lockout`);
    const at = `${gateway.url}/sandbox/reset-lockout`;
    expect((await fetch(at, { method: 'POST' })).status).toBe(401);
    const unlocked = await fetch(at, { method: 'POST', headers: bearer(tokens['user']!) });
    expect(await unlocked.json()).toEqual({ reset: true });
    expect(await typeOf(tokens['user'], { pin: '1234' })).toBe('Otp');
  });

  it('production: all interfaces, no GraphiQL, Redis, tracing, trusted documents, metrics port; no credential of REDIS_URL or OTEL headers', async () => {
    const metricsPort = await freePort();
    const redisPort = await freePort(); // nothing there: the summary is written before any connection
    const manifest = 'test/fixtures/trusted-documents/apollo-manifest.json';
    const documents = (JSON.parse(readFileSync(new URL(`../${manifest}`, import.meta.url), 'utf8')) as { operations: unknown[] }).operations.length;
    await using gateway = await startedProcess({
      NODE_ENV: 'production',
      HOST: '',
      PACE_API_URL: 'https://user:upstreamSecret1@api.pace.example/user/2024-1',
      REDIS_URL: `rediss://default:redisSecret3@127.0.0.1:${redisPort}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer otelSecret4',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      TRUSTED_DOCUMENTS: manifest,
      METRICS_PORT: String(metricsPort),
    });
    const summary = summaryOf(gateway);
    const port = new URL(gateway.url).port;
    expect(summary).toMatchObject({
      msg: `GraphQL gateway ready: POST /graphql on http://[::]:${port} (all interfaces)`,
      upstream: 'https://api.pace.example/user/2024-1',
      tokens: expect.stringMatching(/^NOT verified/),
      guardStore: `redis 127.0.0.1:${redisPort}, TLS, standalone or cluster (asked at connect: INFO cluster)`,
      trustedDocuments: `${documents} documents; others refused`,
      tracing: 'otlp http/json to http://127.0.0.1:9/, sampler parentbased_traceidratio 0.25',
      graphiql: false,
      introspection: false,
      metrics: `port ${metricsPort} (METRICS_PORT), /metrics`,
    });
    expect(gateway.output()).not.toContain('GraphiQL at');
    expect((await fetch(`${gateway.url}/sandbox/reset-lockout`, { method: 'POST' })).status).toBe(404); // sandbox only
    for (const secret of ['upstreamSecret1', 'redisSecret3', 'otelSecret4']) expect(gateway.output()).not.toContain(secret);
  });
});

/** The process, disposed (SIGTERM) when the test's block ends. */
async function startedProcess(env: Record<string, string>): Promise<GatewayProcess & AsyncDisposable> {
  const gateway = await startGatewayProcess(env);
  return Object.assign(gateway, { [Symbol.asyncDispose]: async () => void (await gateway.stop()) });
}
