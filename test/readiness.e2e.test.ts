/**
 * Readiness without cascades: `/ready` fails only for this process's own reasons (draining, or a
 * dependency never reached since start). Redis or the identity provider failing later shows as DOWN
 * in the body and the gauge, with /ready still 200; READY_FAILS_ON_DEPENDENCIES=true restores the 503.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_SCOPES, DEMO, startSandbox, TokenIssuer, type RunningSandbox } from '../src/sandbox/index.js';
import { KEY_SET_COOLDOWN_MS } from '../src/security/token-verifier.js';
import { freePort, hasRedis, startRedis, type RedisProcess } from './helpers/processes.js';
import { bearer, CREATE_OTP, graphql, listen, startGateway, type Listening, type RunningGateway } from './helpers/servers.js';

if (!hasRedis) console.warn('SKIPPED parts of readiness.e2e: redis-server is not installed (apt-get install -y redis-server)');

interface Probe {
  readonly code: number;
  readonly body: { status: string; components: Record<string, { status: string }> };
  readonly gauge: Record<string, number>;
}

/** /ready's status and body, and the dependency gauge from /metrics, at one moment. */
async function probe(gateway: RunningGateway): Promise<Probe> {
  const ready = await fetch(`${gateway.url}/ready`);
  expect(ready.headers.get('content-type')).toMatch(/^application\/json/);
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  const gauge = Object.fromEntries([...metrics.matchAll(/^pace_otp_gateway_dependency_up\{dependency="(\w+)"\} (\d)$/gm)].map(([, name, value]) => [name, Number(value)]));
  return { code: ready.status, body: (await ready.json()) as Probe['body'], gauge };
}

/** Polls until `matches` holds (the Redis store caches its PING for 1 s), within `ms`. */
async function until(gateway: RunningGateway, matches: (probe: Probe) => boolean, ms = 8_000): Promise<Probe> {
  const started = Date.now();
  for (;;) {
    const seen = await probe(gateway);
    if (matches(seen)) return seen;
    if (Date.now() - started > ms) throw new Error(`readiness never matched: ${JSON.stringify(seen)}`);
    await sleep(150);
  }
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
async function sandboxed(): Promise<RunningSandbox> {
  const sandbox = await startSandbox();
  closers.push(() => sandbox.close());
  return sandbox;
}
async function gatewayOver(sandbox: RunningSandbox, env: Record<string, string>): Promise<RunningGateway> {
  const gateway = await startGateway(sandbox.url, { LOG_LEVEL: 'silent', ...env });
  closers.push(() => gateway.close());
  return gateway;
}

describe.skipIf(!hasRedis)('the guard store (Redis)', () => {
  let redis: RedisProcess;
  const redisStarted = async (port?: number) => {
    redis = await startRedis(port);
    closers.push(() => redis.stop());
    return redis;
  };

  it('stopped after start: /ready stays 200 with guardStore DOWN (and createOtp RATE_LIMIT_UNAVAILABLE), then UP again', async () => {
    const sandbox = await sandboxed();
    await redisStarted();
    const gateway = await gatewayOver(sandbox, { REDIS_URL: redis.url });
    expect(await until(gateway, (seen) => seen.body.components['guardStore']?.status === 'UP')).toMatchObject({
      code: 200,
      body: { status: 'UP', components: { guardStore: { status: 'UP' }, tokenKeys: { status: 'UP' } } },
      gauge: { guardStore: 1, tokenKeys: 1 },
    });

    await redis.stop();
    const down = await until(gateway, (seen) => seen.body.components['guardStore']?.status === 'DOWN');
    expect(down).toMatchObject({ code: 200, body: { status: 'UP', components: { guardStore: { status: 'DOWN' } } }, gauge: { guardStore: 0 } });
    const { body } = await graphql(gateway.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: bearer(DEMO.user.token) });
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMIT_UNAVAILABLE' });
    // `credentials` never touches Redis: it keeps working, which a 503 would have taken away.
    const credentials = await graphql(gateway.url, '{ credentials { __typename } }', { headers: bearer(DEMO.user.token) });
    expect(credentials.body.data?.['credentials']).toEqual({ __typename: 'Credentials' });

    await redisStarted(redis.port);
    expect(await until(gateway, (seen) => seen.body.components['guardStore']?.status === 'UP')).toMatchObject({ code: 200, gauge: { guardStore: 1 } });
  }, 30_000);

  it('READY_FAILS_ON_DEPENDENCIES=true: stopped after start is 503 again', async () => {
    const sandbox = await sandboxed();
    await redisStarted();
    const gateway = await gatewayOver(sandbox, { REDIS_URL: redis.url, READY_FAILS_ON_DEPENDENCIES: 'true' });
    await until(gateway, (seen) => seen.code === 200);
    await redis.stop();
    expect(await until(gateway, (seen) => seen.code === 503)).toMatchObject({ body: { status: 'DOWN', components: { guardStore: { status: 'DOWN' } } } });
  }, 30_000);

  it('never reached since start: 503 with guardStore DOWN, 200 once it is reached', async () => {
    const sandbox = await sandboxed();
    const port = await freePort();
    const gateway = await gatewayOver(sandbox, { REDIS_URL: `redis://127.0.0.1:${port}` });
    await sleep(1_200);
    expect(await probe(gateway)).toMatchObject({ code: 503, body: { status: 'DOWN', components: { guardStore: { status: 'DOWN' } } }, gauge: { guardStore: 0 } });
    await redisStarted(port);
    expect(await until(gateway, (seen) => seen.code === 200)).toMatchObject({ body: { status: 'UP', components: { guardStore: { status: 'UP' } } } });
  }, 30_000);
});

describe('the token key set (identity provider)', () => {
  /** The sandbox's key set behind an endpoint the test can take down. */
  async function identityProvider(sandbox: RunningSandbox, port = 0): Promise<Listening & { state: { up: boolean } }> {
    const state = { up: true };
    const jwks = await listen((_request, response) => {
      if (!state.up) return void response.writeHead(503).end();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(sandbox.tokens.jwks()));
    }, port);
    closers.push(() => jwks.close());
    return { ...jwks, state };
  }

  it('stopped after start: /ready stays 200 with tokenKeys DOWN, held keys still verify, then UP again', async () => {
    const sandbox = await sandboxed();
    const idp = await identityProvider(sandbox);
    const gateway = await gatewayOver(sandbox, { PACE_JWKS_URL: `${idp.url}/certs`, PACE_TOKEN_ISSUER: sandbox.issuer });
    expect(await until(gateway, (seen) => seen.code === 200)).toMatchObject({ body: { components: { tokenKeys: { status: 'UP' } } }, gauge: { tokenKeys: 1 } });

    idp.state.up = false;
    await sleep(KEY_SET_COOLDOWN_MS + 100); // past the refetch cooldown of the load at start
    // A token under a kid the gateway does not hold makes it refetch the key set, which fails.
    const unknownKid = new TokenIssuer({ issuer: sandbox.issuer }).sign({ sub: DEMO.user.sub, scope: APP_SCOPES });
    await graphql(gateway.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: bearer(unknownKid) });
    const down = await until(gateway, (seen) => seen.body.components['tokenKeys']?.status === 'DOWN');
    expect(down).toMatchObject({ code: 200, body: { status: 'UP' }, gauge: { tokenKeys: 0 } });

    idp.state.up = true;
    expect(await until(gateway, (seen) => seen.body.components['tokenKeys']?.status === 'UP')).toMatchObject({ code: 200, gauge: { tokenKeys: 1 } });
    const { body } = await graphql(gateway.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: bearer(sandbox.demo.user.token) });
    expect(body.data?.['createOtp'].__typename).toBe('Otp');
  }, 30_000);

  it('never loaded since start: 503 with tokenKeys DOWN, 200 once it loads', async () => {
    const sandbox = await sandboxed();
    const port = await freePort();
    const gateway = await gatewayOver(sandbox, { PACE_JWKS_URL: `http://127.0.0.1:${port}/certs`, PACE_TOKEN_ISSUER: sandbox.issuer });
    await sleep(300);
    expect(await probe(gateway)).toMatchObject({ code: 503, body: { status: 'DOWN', components: { tokenKeys: { status: 'DOWN' } } }, gauge: { tokenKeys: 0 } });
    await identityProvider(sandbox, port);
    expect(await until(gateway, (seen) => seen.code === 200)).toMatchObject({ body: { status: 'UP', components: { tokenKeys: { status: 'UP' } } } });
  }, 30_000);
});
