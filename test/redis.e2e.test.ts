/** Two gateway replicas share failure counts through one real redis-server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startSandbox, type RunningSandbox } from '../src/sandbox/index.js';
import { RedisFailureStore } from '../src/security/redis-failure-store.js';
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

  it('a slot whose end never came expires on its own, even while the token stays busy', async () => {
    const store = new RedisFailureStore({ url: new URL(redis.url), inFlightTtlSeconds: 1 });
    const keys = { account: 'lost-slot-account', token: 'lost-slot-token' };
    try {
      expect(await store.begin(keys, 2, 900)).toMatchObject({ admitted: true }); // never ended: lost
      const started = Date.now();
      while (Date.now() - started < 1_300) {
        const busy = await store.begin(keys, 2, 900); // the token keeps checking meanwhile
        expect(busy).toMatchObject({ admitted: true });
        if (busy.admitted) await store.end(keys, busy.slot, 'other', 900);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const first = await store.begin(keys, 2, 900);
      const second = await store.begin(keys, 2, 900);
      expect([first.admitted, second.admitted]).toEqual([true, true]); // the lost slot is gone
    } finally {
      await store.close();
    }
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
