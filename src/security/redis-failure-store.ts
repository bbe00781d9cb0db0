/** Failure counts in Redis, so every replica behind a load balancer sees the same counts. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { withSpan } from '../observability/tracing.js';
import type { Admission, AttemptKeys, AttemptOutcome, FailureStore } from './failure-store.js';

const PREFIX = 'pace-otp-gateway:';

// KEYS: the account's failures (a sorted set of failure times), the token's checks in flight (a
// sorted set of slots by expiry: a slot whose end never came, a replica died or a command timed out,
// expires on its own even while the token stays busy). Each script runs atomically and reads Redis's
// own clock, so replicas need not agree on the time.
const NOW = `local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)`;

// ARGV: limit, window ms, in-flight TTL ms, a unique slot id
const BEGIN = `${NOW}
local limit, window, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local failures = redis.call('ZCARD', KEYS[1])
local inflight = redis.call('ZCARD', KEYS[2])
if failures + inflight >= limit then
  local reset = 0
  if failures >= limit then
    local freeing = redis.call('ZRANGE', KEYS[1], failures - limit, failures - limit, 'WITHSCORES')
    reset = tonumber(freeing[2]) + window - now
  end
  return {0, failures, reset}
end
redis.call('ZADD', KEYS[2], now + ttl, ARGV[4])
redis.call('PEXPIRE', KEYS[2], ttl)
return {1, failures, 0}`;

// ARGV: outcome, window ms, the slot id (also the failure's unique member)
const END = `${NOW}
redis.call('ZREM', KEYS[2], ARGV[3])
if ARGV[1] == 'success' then redis.call('DEL', KEYS[1]) end
if ARGV[1] == 'failure' then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`;

/** Each script call's span (tracing on): no key, slot or argument in it. */
const REDIS_SPAN = { 'db.system.name': 'redis', 'db.operation.name': 'EVAL' } as const;

export interface RedisFailureStoreOptions {
  readonly url: URL;
  /** How long an in-flight slot may live: longer than any check (a replica that dies mid-check must not hold it for ever). */
  readonly inFlightTtlSeconds: number;
}

export class RedisFailureStore implements FailureStore {
  readonly #redis: Redis;
  readonly #inFlightTtlSeconds: number;

  constructor({ url, inFlightTtlSeconds }: RedisFailureStoreOptions) {
    this.#inFlightTtlSeconds = inFlightTtlSeconds;
    this.#redis = new Redis(url.toString(), {
      // Fail fast rather than hold a credential check behind a dead or stalled Redis.
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: 1_000,
    });
    // Errors surface on the commands; without a listener ioredis would print each reconnect attempt.
    this.#redis.on('error', () => undefined);
  }

  async begin(keys: AttemptKeys, limit: number, windowSeconds: number): Promise<Admission> {
    const slot = randomUUID();
    const [admitted, failures, resetInMs] = (await withSpan('pin-guard begin', REDIS_SPAN, () => this.#redis.eval(
      BEGIN,
      2,
      ...this.#keys(keys),
      limit,
      windowSeconds * 1000,
      this.#inFlightTtlSeconds * 1000,
      slot,
    ))) as [number, number, number];
    return admitted === 1 ? { admitted: true, slot } : { admitted: false, failures, resetInMs: Math.max(0, resetInMs) };
  }

  async end(keys: AttemptKeys, slot: string, outcome: AttemptOutcome, windowSeconds: number): Promise<void> {
    await withSpan('pin-guard end', REDIS_SPAN, () => this.#redis.eval(END, 2, ...this.#keys(keys), outcome, windowSeconds * 1000, slot));
  }

  isReady(): boolean {
    return this.#redis.status === 'ready';
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  #keys({ account, token }: AttemptKeys): [string, string] {
    return [`${PREFIX}failures:${account}`, `${PREFIX}inflight:${token}`];
  }
}
