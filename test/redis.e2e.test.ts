/** Two gateway replicas share the PIN guard's counts through one real redis-server. */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { APP_SCOPES, DEMO, startSandbox, type RunningSandbox } from '../src/sandbox/index.js';
import { RedisGuardStore } from '../src/security/redis-guard-store.js';
import { hasRedis, startRedis, type RedisProcess } from './helpers/processes.js';
import { bearer, CREATE_OTP, graphql, startGateway, type RunningGateway } from './helpers/servers.js';

if (!hasRedis) console.warn('SKIPPED redis.e2e: redis-server is not installed (apt-get install -y redis-server; .ci/run does this)');

describe.skipIf(!hasRedis)('PIN guard with REDIS_URL, across replicas', () => {
  let redis: RedisProcess;
  let sandbox: RunningSandbox;
  let replicas: RunningGateway[] = [];
  let otpCalls = 0;

  beforeAll(async () => {
    redis = await startRedis();
    // 300 ms per answer, so checks on both replicas overlap.
    sandbox = await startSandbox({ latencyMs: 300, onRequest: (request) => void (request.path.endsWith('/user/otp') && (otpCalls += 1)) });
    // READY_FAILS_ON_DEPENDENCIES: the readiness test below checks the 503 an operator can ask for (the default: test/readiness.e2e.test.ts).
    const env = { REDIS_URL: redis.url, READY_FAILS_ON_DEPENDENCIES: 'true' };
    replicas = [await startGateway(sandbox.url, env), await startGateway(sandbox.url, env)];
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await sandbox?.close();
    await redis?.stop();
  });
  beforeEach(() => {
    otpCalls = 0;
  });

  const attempt = async (replica: RunningGateway, pin: string, token: string = DEMO.user.token) =>
    (await graphql(replica.url, CREATE_OTP, { variables: { input: { pin } }, headers: bearer(token) })).body;
  const typeOf = async (replica: RunningGateway, pin: string, token?: string) => (await attempt(replica, pin, token)).data?.['createOtp'];
  /** A genuine token of `sub`, other than any before (a refresh, another device). */
  const freshToken = (sub: string) => sandbox.tokens.sign({ sub, scope: APP_SCOPES });

  it('refuses the sixth attempt on either replica after five failures spread over both', async () => {
    const [a, b] = replicas as [RunningGateway, RunningGateway];
    for (const replica of [a, b, a, b, a]) expect((await typeOf(replica, '0000')).__typename).toBe('InvalidCredentials');
    const callsBefore = otpCalls;
    const onB = await typeOf(b, DEMO.user.pin);
    const onA = await typeOf(a, DEMO.user.pin, freshToken(DEMO.user.sub));
    expect(onB).toMatchObject({ __typename: 'RateLimited' });
    expect(onA).toMatchObject({ __typename: 'RateLimited' });
    expect(onB.retryAfterSeconds).toBeGreaterThan(890);
    expect(otpCalls).toBe(callsBefore);
  });

  it('8 tokens of one account, 5 parallel wrong PINs each, over both replicas: at most 5 reach PACE', async () => {
    const [a, b] = replicas as [RunningGateway, RunningGateway];
    const tokens = Array.from({ length: 8 }, () => freshToken(DEMO.passwordOnly.sub));
    const results = await Promise.all(tokens.flatMap((token, i) => Array.from({ length: 5 }, () => typeOf(i % 2 ? a : b, '0000', token))));
    expect(otpCalls).toBeLessThanOrEqual(5);
    expect(results.filter((r) => r.__typename === 'InvalidCredentials')).toHaveLength(otpCalls);
    expect(results.filter((r) => r.__typename === 'RateLimited')).toHaveLength(40 - otpCalls);
    const calls = otpCalls;
    expect((await typeOf(a, DEMO.passwordOnly.password, freshToken(DEMO.passwordOnly.sub))).__typename).toBe('RateLimited');
    expect((await typeOf(b, DEMO.passwordOnly.password, freshToken(DEMO.passwordOnly.sub))).__typename).toBe('RateLimited');
    expect(otpCalls).toBe(calls);
    expect((await typeOf(b, DEMO.unlinked.pin, DEMO.unlinked.token)).__typename).toBe('MissingLinkedIdentity'); // another account
  });

  it('a slot whose end never came expires on its own, even while the account stays busy', async () => {
    const store = new RedisGuardStore({ seeds: [new URL(redis.url)], inFlightTtlMs: 1_000, logger: createLogger('silent') });
    const account = 'lost-slot-account';
    try {
      expect(await store.begin(account, 'lost', 2, 900)).toMatchObject({ admitted: true }); // never ended: lost
      const started = Date.now();
      for (let i = 0; Date.now() - started < 1_300; i += 1) {
        expect(await store.begin(account, `busy-${i}`, 2, 900)).toMatchObject({ admitted: true }); // the account keeps checking meanwhile
        await store.end(account, `busy-${i}`, 'other', 900);
        await sleep(200);
      }
      expect(await store.begin(account, 'first', 2, 900)).toMatchObject({ admitted: true });
      expect(await store.begin(account, 'second', 2, 900)).toMatchObject({ admitted: true }); // the lost slot is gone
    } finally {
      await store.close();
    }
  });

  it('Redis frozen for 2.5 s while checks arrive: they fail closed, and the right PIN succeeds within 2 s of the resume', async () => {
    const [a, b] = replicas as [RunningGateway, RunningGateway];
    const user = freshToken(DEMO.unlinked.sub);
    for (const replica of [a, b]) expect((await typeOf(replica, DEMO.unlinked.pin, user)).__typename).toBe('MissingLinkedIdentity'); // connected
    redis.child.kill('SIGSTOP');
    let during: unknown[];
    try {
      // Five checks of one account arrive during the stall, on both replicas: each waits at most ~1 s.
      during = await Promise.all([0, 400, 800, 1_200, 1_600].map(async (at, i) => {
        await sleep(at);
        return (await attempt(i % 2 ? a : b, DEMO.unlinked.pin, user)).errors?.[0]?.extensions?.['code'];
      }));
      await sleep(Math.max(0, 2_500 - 1_600 - 1_000));
    } finally {
      redis.child.kill('SIGCONT');
    }
    expect(during).toEqual(Array(5).fill('RATE_LIMIT_UNAVAILABLE'));
    const resumed = Date.now();
    let answer: string | undefined;
    while (Date.now() - resumed < 2_000 && answer !== 'MissingLinkedIdentity') {
      answer = (await typeOf(a, DEMO.unlinked.pin, user))?.__typename;
      if (answer !== 'MissingLinkedIdentity') await sleep(100);
    }
    expect(answer).toBe('MissingLinkedIdentity'); // PACE was asked: no slot of the stall is left
    expect(Date.now() - resumed).toBeLessThan(2_000);
    // One log line per kind of store error per 10 s, with its cause and no key material.
    const timeouts = a.logs.filter((line) => line.includes('PIN guard store failed') && line.includes('"kind":"TIMEOUT"'));
    expect(timeouts).toHaveLength(1);
    expect(timeouts[0]).toContain('timed out');
    expect(a.logs.join('')).not.toContain(DEMO.unlinked.sub);
  });

  it('reports ready while Redis serves, not ready (and fails closed) when it is gone, ready again when it is back', async () => {
    const [a] = replicas as [RunningGateway];
    expect((await fetch(`${a.url}/ready`)).status).toBe(200);
    await redis.stop();
    await sleep(1_100); // past the readiness cache
    expect((await fetch(`${a.url}/ready`)).status).toBe(503);
    const { errors } = await attempt(a, DEMO.user.pin, freshToken('store-gone'));
    expect(errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMIT_UNAVAILABLE' });
    redis = await startRedis(redis.port);
    const back = Date.now();
    while ((await fetch(`${a.url}/ready`)).status !== 200) {
      expect(Date.now() - back).toBeLessThan(10_000);
      await sleep(200);
    }
    expect((await typeOf(a, DEMO.user.pin, freshToken(DEMO.user.sub))).__typename).toBe('Otp');
  });
});
