/** Two gateway replicas share failure counts through one real redis-server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startSandbox, type RunningSandbox } from '../src/sandbox/index.js';
import { hasRedis, startRedis } from './helpers/processes.js';
import { bearer, CREATE_OTP, graphql, startGateway, type RunningGateway } from './helpers/servers.js';

if (!hasRedis) console.warn('SKIPPED redis.e2e: redis-server is not installed (apt-get install -y redis-server; .ci/run does this)');

describe.skipIf(!hasRedis)('PIN guard with REDIS_URL, across replicas', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let sandbox: RunningSandbox;
  let replicas: RunningGateway[] = [];
  let upstreamCalls = 0;

  beforeAll(async () => {
    redis = await startRedis();
    sandbox = await startSandbox({ onRequest: () => (upstreamCalls += 1) });
    replicas = [await startGateway(sandbox.url, { REDIS_URL: redis.url }), await startGateway(sandbox.url, { REDIS_URL: redis.url })];
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await sandbox?.close();
    await redis?.stop();
  });

  const attempt = async (replica: RunningGateway, pin: string) =>
    (await graphql(replica.url, CREATE_OTP, { variables: { input: { pin } }, headers: bearer(DEMO.user.token) })).body.data?.['createOtp'];

  it('refuses the sixth attempt on either replica after five failures spread over both', async () => {
    const [a, b] = replicas as [RunningGateway, RunningGateway];
    expect((await attempt(a, DEMO.user.pin)).__typename).toBe('Otp'); // starts clean
    for (const replica of [a, b, a, b, a]) expect((await attempt(replica, '0000')).__typename).toBe('InvalidCredentials');
    const callsBefore = upstreamCalls;
    const onB = await attempt(b, DEMO.user.pin);
    const onA = await attempt(a, DEMO.user.pin);
    expect(onB).toMatchObject({ __typename: 'RateLimited' });
    expect(onA).toMatchObject({ __typename: 'RateLimited' });
    expect(onB.retryAfterSeconds).toBeGreaterThan(890);
    expect(upstreamCalls).toBe(callsBefore);
  });

  it('reports ready while Redis is reachable, not ready (and fails closed) when it is gone', async () => {
    const [a] = replicas as [RunningGateway];
    expect((await fetch(`${a.url}/ready`)).status).toBe(200);
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await fetch(`${a.url}/ready`)).status).toBe(503);
    const { body } = await graphql(a.url, CREATE_OTP, { variables: { input: { pin: DEMO.passwordOnly.password } }, headers: bearer(DEMO.passwordOnly.token) });
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMIT_UNAVAILABLE' });
  });
});
