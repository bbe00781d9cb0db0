/**
 * The PIN guard on a real Redis Cluster: REDIS_URL names one node, two gateway replicas share the
 * counts, and a master failover (kill -9 of the very node named) is survived without a restart,
 * failing closed meanwhile and keeping every lock-out.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errors, jsonReply, type Reply } from '../src/sandbox/replies.js';
import { accountKey } from '../src/security/callers.js';
import { hasRedis } from './helpers/processes.js';
import { startRedisCluster, until, type RedisCluster } from './helpers/redis-cluster.js';
import { bearer, CREATE_OTP, graphql, scriptedUpstream, startGateway, type Listening, type RunningGateway } from './helpers/servers.js';

if (!hasRedis) console.warn('SKIPPED redis-cluster.e2e: redis-server is not installed (apt-get install -y redis-server; .ci/run does this)');

const RIGHT_PIN = '1234';
/** A JWT-shaped token of `sub` (this suite runs without verification: the guard keys by the unverified sub). */
const tokenOf = (sub: string) => ['{"alg":"none"}', JSON.stringify({ sub })].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.sig';
const failuresKey = (sub: string) => `pace-otp-gateway:{${accountKey(sub, tokenOf(sub))}}:failures`;

describe.skipIf(!hasRedis)('PIN guard on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let upstream: Listening & { readonly requests: { headers: Record<string, unknown> }[] };
  let replicas: [RunningGateway, RunningGateway];
  let seed: number;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    // Any account: PIN 1234 is right, anything else is wrong (PACE's 404). A dozen accounts the sandbox does not have.
    upstream = await scriptedUpstream((request, response) => {
      const { pin } = JSON.parse(request.body) as { pin?: string };
      const reply: Reply = pin === RIGHT_PIN ? jsonReply(201, { otp: '123456', expiresAt: new Date(Date.now() + 600_000).toISOString() }) : errors.notFound('No user found for the given PIN or password');
      response.writeHead(reply.status, reply.headers).end(reply.body);
    });
    seed = cluster.nodes.find(({ port }) => cluster.cli(port, 'ROLE').startsWith('master'))!.port;
    const env = { REDIS_URL: `redis://127.0.0.1:${seed}`, READY_FAILS_ON_DEPENDENCIES: 'true' }; // /ready 503 while a master is gone (not the default)
    replicas = [await startGateway(`${upstream.url}/user/2024-1`, env), await startGateway(`${upstream.url}/user/2024-1`, env)];
  }, 90_000);
  afterAll(async () => {
    await Promise.all(replicas?.map((replica) => replica.close()) ?? []);
    await upstream?.close();
    await cluster?.stop();
  });

  const attempt = async (replica: RunningGateway, sub: string, pin: string) => {
    const { body } = await graphql(replica.url, CREATE_OTP, { variables: { input: { pin } }, headers: bearer(tokenOf(sub)) });
    return (body.data?.['createOtp']?.__typename as string | undefined) ?? (body.errors?.[0]?.extensions?.['code'] as string);
  };
  const lock = async (sub: string) => {
    for (let i = 0; i < 5; i += 1) expect(await attempt(replicas[i % 2]!, sub, '0000')).toBe('InvalidCredentials');
  };
  const readyStatus = async (replica: RunningGateway) => (await fetch(`${replica.url}/ready`)).status;
  /** `count` new accounts whose keys live on (or off) the master at `port`. */
  const accountsOn = async (port: number, count: number, on: boolean, tag: string) => {
    const subs: string[] = [];
    for (let i = 0; subs.length < count; i += 1) if (((await cluster.masterOf(failuresKey(`${tag}-${i}`))) === port) === on) subs.push(`${tag}-${i}`);
    return subs;
  };

  it('works on both replicas with REDIS_URL naming one node; five wrong PINs over both lock the account on both', async () => {
    const [a, b] = replicas;
    expect(await attempt(a, 'shared', RIGHT_PIN)).toBe('Otp');
    expect(await attempt(b, 'shared', RIGHT_PIN)).toBe('Otp');
    await lock('shared');
    expect(await attempt(a, 'shared', RIGHT_PIN)).toBe('RateLimited');
    expect(await attempt(b, 'shared', RIGHT_PIN)).toBe('RateLimited');
    // /ready caches its Redis round trip for 1 s: the one made at start, before the slots were known, may still answer.
    await until(async () => (await readyStatus(a)) === 200, 5_000);
  });

  it('a master failover: fails closed meanwhile, recovers by itself, and every lock-out stays', async () => {
    const [a, b] = replicas;
    const onSeed = await accountsOn(seed, 6, true, 'locked-on-seed');
    const elsewhere = await accountsOn(seed, 6, false, 'locked-elsewhere');
    const dozen = [...onSeed, ...elsewhere];
    const [fresh] = await accountsOn(seed, 1, true, 'fresh-on-seed');
    await Promise.all(dozen.map(lock));
    for (const sub of dozen) expect(await attempt(b, sub, RIGHT_PIN)).toBe('RateLimited');
    await sleep(500); // asynchronous replication to the replicas (localhost: well under this)

    const replicaOfSeed = cluster.nodes.find(({ port }) => cluster.cli(port, 'ROLE').split('\n').slice(0, 3).join(' ') === `slave 127.0.0.1 ${seed}`)!.port;
    const callsBefore = upstream.requests.length;
    cluster.nodes.find(({ port }) => port === seed)!.child.kill('SIGKILL');
    const killed = Date.now();

    // Until a replica is promoted: checks of accounts on the dead master fail closed, never open.
    const seen = new Set<string>();
    const readySeen = new Set<number>();
    const promoted = until(() => cluster.cli(replicaOfSeed, 'ROLE').startsWith('master'), 30_000);
    let promotedAt: number | undefined;
    void promoted.then(() => (promotedAt = Date.now()));
    while (promotedAt === undefined && Date.now() - killed < 30_000) {
      for (const replica of replicas) {
        seen.add(await attempt(replica, onSeed[0]!, RIGHT_PIN)); // locked before: never let through
        readySeen.add(await readyStatus(replica));
      }
      await sleep(100);
    }
    await promoted;
    expect([...seen].every((result) => result === 'RateLimited' || result === 'RATE_LIMIT_UNAVAILABLE')).toBe(true);
    expect(seen).toContain('RATE_LIMIT_UNAVAILABLE');
    expect(readySeen).toContain(503);

    // Both replicas serve again, without a restart, within seconds of the promotion.
    for (const replica of replicas) await until(async () => (await attempt(replica, fresh!, RIGHT_PIN)) === 'Otp', 10_000);
    expect(Date.now() - promotedAt!).toBeLessThan(10_000);
    for (const replica of replicas) await until(async () => (await readyStatus(replica)) === 200, 10_000);

    // The dozen stay locked, on either replica, and none of them reached PACE.
    const otpCallsOfDozen = () => upstream.requests.slice(callsBefore).filter((request) => dozen.some((sub) => request.headers['authorization'] === `Bearer ${tokenOf(sub)}`)).length;
    for (const sub of dozen) {
      expect(await attempt(a, sub, RIGHT_PIN)).toBe('RateLimited');
      expect(await attempt(b, sub, RIGHT_PIN)).toBe('RateLimited');
    }
    expect(otpCallsOfDozen()).toBe(0);
    // Why it failed is in the log: one line per kind of store error per 10 s.
    expect(a.logs.join('')).toMatch(/PIN guard store failed/);
  }, 90_000);
});
