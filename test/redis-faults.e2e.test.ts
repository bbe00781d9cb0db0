/**
 * The guard's promise through a Redis outage while checks wait on PACE: the outcomes that could not
 * be written are retried until Redis takes them, so at most PIN_MAX_FAILURES wrong PINs of an account
 * reach PACE in the window, for a standalone Redis stopped and restarted or frozen, and for a cluster
 * whose master dies. (The memory store cannot fail: test/pin-guard.unit.test.ts covers the same with a
 * store that refuses writes.)
 */
import type { ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PATH_PREFIX } from '../src/sandbox/index.js';
import { errors, jsonReply, type Reply } from '../src/sandbox/replies.js';
import { accountKey } from '../src/security/callers.js';
import { hasRedis, startRedis, type RedisProcess } from './helpers/processes.js';
import { startRedisCluster, until, type RedisCluster } from './helpers/redis-cluster.js';
import { createOtp, scriptedUpstream, startGateway, type Listening, type RunningGateway, type ScriptedRequest } from './helpers/servers.js';

if (!hasRedis) console.warn('SKIPPED redis-faults.e2e: redis-server is not installed (apt-get install -y redis-server; .ci/run does this)');

const RIGHT_PIN = '1234';
/** PACE answers a wrong PIN after this: the checks are in flight when Redis fails. */
const PACE_LATENCY_MS = 1_000;
/** In-flight slots then live 1.5 + 5 s (IN_FLIGHT_TTL_MARGIN_MS): the test waits past that. */
const UPSTREAM_TIMEOUT_MS = 1_500;
const SLOT_TTL_MS = UPSTREAM_TIMEOUT_MS + 5_000;

const tokenOf = (sub: string) => ['{"alg":"none"}', JSON.stringify({ sub })].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.sig';
const failuresKey = (sub: string) => `pace-otp-gateway:{${accountKey(sub, tokenOf(sub))}}:failures`;
const send = (response: ServerResponse, reply: Reply) => void (response.destroyed || response.writeHead(reply.status, reply.headers).end(reply.body));

type Upstream = Listening & { readonly requests: ScriptedRequest[] };

/** PACE: the right PIN gets an OTP; a wrong one its 404 after PACE_LATENCY_MS. */
function slowPace(): Promise<Upstream> {
  return scriptedUpstream((request, response) => {
    if ((JSON.parse(request.body) as { pin?: string }).pin === RIGHT_PIN) send(response, jsonReply(201, { otp: '123456', expiresAt: new Date(Date.now() + 600_000).toISOString() }));
    else setTimeout(() => send(response, errors.notFound('No user found for the given PIN or password')), PACE_LATENCY_MS);
  });
}

async function attempt(replica: RunningGateway, sub: string, pin: string): Promise<string> {
  const { body } = await createOtp(replica.url, { pin }, tokenOf(sub));
  return (body.data?.['createOtp']?.__typename as string | undefined) ?? (body.errors?.[0]?.extensions?.['code'] as string);
}

const pinsOf = (upstream: Upstream, sub: string) => upstream.requests.filter((request) => request.headers['authorization'] === `Bearer ${tokenOf(sub)}`).length;

/**
 * Five wrong PINs of `sub` in flight on replica a; `fault` strikes 300 ms later (and ends when its
 * promise does). Then, once the slots of those checks have expired in Redis, 20 more wrong PINs over
 * both replicas: all refused, and PACE saw 5 of the 25.
 */
async function outageWhileInFlight(replicas: readonly [RunningGateway, RunningGateway], upstream: Upstream, sub: string, fault: () => Promise<void>): Promise<void> {
  const [a, b] = replicas;
  const started = Date.now();
  const inFlight = Promise.all(Array.from({ length: 5 }, () => attempt(a, sub, '0000')));
  await sleep(300);
  await fault();
  expect(await inFlight).toEqual(Array(5).fill('InvalidCredentials')); // the client got its answers
  await sleep(Math.max(0, started + SLOT_TTL_MS + 500 - Date.now()));
  const later: string[] = [];
  for (let wave = 0; wave < 4; wave += 1) later.push(...(await Promise.all(Array.from({ length: 5 }, (_, i) => attempt(i % 2 ? a : b, sub, '0000')))));
  expect(later).toEqual(Array(20).fill('RateLimited'));
  expect(await attempt(b, sub, RIGHT_PIN)).toBe('RateLimited');
  expect(pinsOf(upstream, sub)).toBe(5);
}

describe.skipIf(!hasRedis)('PIN guard, standalone Redis failing while checks are in flight', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redis-aof-'));
  /** AOF, as docs/production.md asks: the slots and failures survive the restart. */
  const AOF = ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
  let redis: RedisProcess;
  let upstream: Upstream;
  let replicas: [RunningGateway, RunningGateway];

  beforeAll(async () => {
    redis = await startRedis(undefined, AOF);
    upstream = await slowPace();
    const env = { REDIS_URL: redis.url, UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS) };
    replicas = [await startGateway(`${upstream.url}${PATH_PREFIX}`, env), await startGateway(`${upstream.url}${PATH_PREFIX}`, env)];
  });
  afterAll(async () => {
    await Promise.all(replicas?.map((replica) => replica.close()) ?? []);
    await upstream?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stopped 300 ms after five wrong PINs were admitted and restarted 2 s later: their failures are written, 20 more are refused', async () => {
    await outageWhileInFlight(replicas, upstream, 'stopped', async () => {
      await redis.stop();
      void sleep(1_700).then(async () => (redis = await startRedis(redis.port, AOF)));
    });
    expect(replicas[0].logs.join('')).toMatch(/PIN guard store failed/);
  }, 30_000);

  it('frozen (SIGSTOP) for 2.5 s while five wrong PINs wait on PACE: their failures are written, 20 more are refused', async () => {
    await outageWhileInFlight(replicas, upstream, 'frozen', async () => {
      redis.child.kill('SIGSTOP');
      void sleep(2_500).then(() => redis.child.kill('SIGCONT'));
    });
  }, 30_000);
});

describe.skipIf(!hasRedis)('PIN guard, a Redis Cluster master failing while checks are in flight', () => {
  let cluster: RedisCluster;
  let upstream: Upstream;
  let replicas: [RunningGateway, RunningGateway];

  beforeAll(async () => {
    cluster = await startRedisCluster();
    upstream = await slowPace();
    const seeds = cluster.nodes.map(({ port }) => `redis://127.0.0.1:${port}`).join(',');
    const env = { REDIS_URL: seeds, UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS) };
    replicas = [await startGateway(`${upstream.url}${PATH_PREFIX}`, env), await startGateway(`${upstream.url}${PATH_PREFIX}`, env)];
  }, 90_000);
  afterAll(async () => {
    await Promise.all(replicas?.map((replica) => replica.close()) ?? []);
    await upstream?.close();
    await cluster?.stop();
  });

  it("the account's master frozen (SIGSTOP) for 1.5 s: the failures are written, 20 more are refused", async () => {
    const sub = 'cluster-frozen';
    const port = await cluster.masterOf(failuresKey(sub));
    const node = cluster.nodes.find((candidate) => candidate.port === port)!;
    await outageWhileInFlight(replicas, upstream, sub, async () => {
      node.child.kill('SIGSTOP');
      void sleep(1_500).then(() => node.child.kill('SIGCONT'));
    });
  }, 60_000);

  it("the account's master killed: after the failover the failures are written, 20 more are refused", async () => {
    const sub = 'cluster-killed';
    const port = await cluster.masterOf(failuresKey(sub));
    const node = cluster.nodes.find((candidate) => candidate.port === port)!;
    const replicaOf = cluster.nodes.find(({ port: other }) => cluster.cli(other, 'ROLE').split('\n').slice(0, 3).join(' ') === `slave 127.0.0.1 ${port}`)!.port;
    await outageWhileInFlight(replicas, upstream, sub, async () => {
      node.child.kill('SIGKILL');
      await until(() => cluster.cli(replicaOf, 'ROLE').startsWith('master'), 30_000);
    });
  }, 90_000);
});
