/** Failure counts in Redis, so every replica behind a load balancer sees the same counts. */
import { Redis } from 'ioredis';
import type { Admission, AttemptKeys, AttemptOutcome, FailureStore } from './failure-store.js';

const PREFIX = 'pace-otp-gateway:';

// KEYS: the account's failures, the token's checks in flight. Each script runs atomically in Redis.
const BEGIN = `
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
local inflight = tonumber(redis.call('GET', KEYS[2]) or '0')
if failures + inflight >= tonumber(ARGV[1]) then
  return {0, failures, redis.call('PTTL', KEYS[1])}
end
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return {1, failures, 0}`;

const END = `
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
if ARGV[1] == 'success' then redis.call('DEL', KEYS[1]) end
if ARGV[1] == 'failure' then
  redis.call('SET', KEYS[1], 0, 'EX', ARGV[2], 'NX')
  redis.call('INCR', KEYS[1])
end
return 1`;

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

  async begin(keys: AttemptKeys, limit: number): Promise<Admission> {
    const [admitted, failures, pttl] = (await this.#redis.eval(BEGIN, 2, ...this.#keys(keys), limit, this.#inFlightTtlSeconds)) as [number, number, number];
    return admitted === 1 ? { admitted: true } : { admitted: false, failures, resetInMs: Math.max(0, pttl) };
  }

  async end(keys: AttemptKeys, outcome: AttemptOutcome, windowSeconds: number): Promise<void> {
    await this.#redis.eval(END, 2, ...this.#keys(keys), outcome, windowSeconds);
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
