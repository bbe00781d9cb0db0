/**
 * The Redis store on a real redis-server: the begins and ends made in one turn of the event loop go
 * to Redis as one script call, and each still gets the answer it would get alone (the limit holds per
 * account inside a batch, a failure repeated in one batch counts once, batches are split in order),
 * within its own 1 s when Redis is frozen.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import type { Admission, AttemptOutcome } from '../src/security/guard-store.js';
import { RedisGuardStore } from '../src/security/redis-guard-store.js';
import { hasRedis, startRedis, type RedisProcess } from './helpers/processes.js';

if (!hasRedis) console.warn('SKIPPED redis-guard-store.e2e: redis-server is not installed (apt-get install -y redis-server; .ci/run does this)');

const LIMIT = 5;
const WINDOW_SECONDS = 900;

describe.skipIf(!hasRedis)('RedisGuardStore on a standalone server', () => {
  let redis: RedisProcess;
  let admin: Redis;
  let store: RedisGuardStore;

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
    store = new RedisGuardStore({ seeds: [new URL(redis.url)], inFlightTtlMs: 10_000, logger: createLogger('silent') });
    await store.begin('warm-up', 'warm-up', LIMIT, WINDOW_SECONDS); // connected, the script loaded
  });
  afterAll(async () => {
    await store?.close();
    admin?.disconnect();
    await redis?.stop();
  });

  /** Script calls Redis has run since the last `calls()`: EVALSHA and EVAL (ioredis's reload on NOSCRIPT). */
  const calls = async () => {
    const stats = await admin.info('commandstats');
    await admin.config('RESETSTAT');
    return [...stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce((sum, [, count]) => sum + Number(count), 0);
  };
  const begin = (account: string, slot: string) => store.begin(account, slot, LIMIT, WINDOW_SECONDS);
  const end = (account: string, slot: string, outcome: AttemptOutcome) => store.end(account, slot, outcome, WINDOW_SECONDS);
  const busy: Admission = { admitted: false, failures: 0, resetInMs: 0 };

  it('sends the begins of one turn as one call; each account gets at most the limit, in the order asked', async () => {
    await calls();
    // Seven checks of one account and three of another, interleaved, all in this turn.
    const slots = ['a0', 'b0', 'a1', 'a2', 'b1', 'a3', 'a4', 'a5', 'b2', 'a6'];
    const answers = await Promise.all(slots.map((slot) => begin(`batch-${slot[0]}`, slot)));
    expect(await calls()).toBe(1);
    expect(Object.fromEntries(slots.map((slot, i) => [slot, answers[i]]))).toEqual({
      a0: { admitted: true }, a1: { admitted: true }, a2: { admitted: true }, a3: { admitted: true }, a4: { admitted: true },
      a5: busy, a6: busy, // the account's five slots are taken
      b0: { admitted: true }, b1: { admitted: true }, b2: { admitted: true },
    });
  });

  it('sends the ends of one turn as one call: failures recorded (a repeated one once), slots given back', async () => {
    await calls();
    await Promise.all([
      ...['a0', 'a1', 'a2', 'a3'].map((slot) => end('batch-a', slot, 'failure')),
      end('batch-a', 'a3', 'failure'), // repeated (a retry after a lost answer): counted once
      end('batch-a', 'a4', 'other'),
      ...['b0', 'b1', 'b2'].map((slot) => end('batch-b', slot, 'other')),
    ]);
    expect(await calls()).toBe(1);
    // Four failures, no slot in flight: one check more, not two.
    const [fifth, sixth, other] = await Promise.all([begin('batch-a', 'a7'), begin('batch-a', 'a8'), begin('batch-b', 'b3')]);
    expect(fifth).toEqual({ admitted: true });
    expect(sixth).toEqual({ admitted: false, failures: 4, resetInMs: 0 });
    expect(other).toEqual({ admitted: true });
    await end('batch-a', 'a7', 'failure');
    const locked = await begin('batch-a', 'a9');
    expect(locked).toMatchObject({ admitted: false, failures: 5 });
    expect((locked as { resetInMs: number }).resetInMs).toBeGreaterThan((WINDOW_SECONDS - 5) * 1000);
    expect((locked as { resetInMs: number }).resetInMs).toBeLessThanOrEqual(WINDOW_SECONDS * 1000);
  });

  it('splits a turn of 250 checks into calls in order: an account across two calls still gets five', async () => {
    await calls();
    // 250 checks: one each of 243 accounts, and seven of one account at places 96 to 102, across the first split.
    const accounts = Array.from({ length: 250 }, (_, i) => (i >= 96 && i <= 102 ? 'split-shared' : `split-${i}`));
    const answers = await Promise.all(accounts.map((account, i) => begin(account, `split-slot-${i}`)));
    expect(await calls()).toBeGreaterThan(1);
    expect(answers.map((answer) => answer.admitted)).toEqual(accounts.map((_, i) => !(i === 101 || i === 102)));
    expect(answers[101]).toEqual(busy);
  });

  // Last: it leaves the store with calls Redis ran late.
  it('Redis frozen: each call fails after its own 1 s, also one made while an earlier call waits', async () => {
    redis.child.kill('SIGSTOP');
    let waited: number[];
    try {
      waited = await Promise.all([0, 300, 600].map(async (at, i) => {
        await sleep(at);
        const started = Date.now();
        await expect(begin(`frozen-${i}`, `frozen-${i}`)).rejects.toThrow(/timed out/);
        return Date.now() - started;
      }));
    } finally {
      redis.child.kill('SIGCONT');
    }
    for (const ms of waited) {
      expect(ms).toBeGreaterThanOrEqual(990);
      expect(ms).toBeLessThan(1_300);
    }
  });
});
