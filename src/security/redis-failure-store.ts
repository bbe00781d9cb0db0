/** Failure counts in Redis, so every replica behind a load balancer sees the same counts. */
import { Redis } from 'ioredis';
import type { FailureCount, FailureStore } from './failure-store.js';

const PREFIX = 'pace-otp-gateway:failures:';

export class RedisFailureStore implements FailureStore {
  readonly #redis: Redis;

  constructor(url: URL) {
    this.#redis = new Redis(url.toString(), {
      // Fail fast rather than queue a credential check behind a dead connection.
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      enableOfflineQueue: true,
    });
    // Errors surface on the commands; without a listener ioredis would print each reconnect attempt.
    this.#redis.on('error', () => undefined);
  }

  async increment(key: string, windowSeconds: number): Promise<FailureCount> {
    // SET NX starts the window on the first failure only; later failures do not extend it.
    const results = (await this.#redis
      .multi()
      .set(PREFIX + key, 0, 'EX', windowSeconds, 'NX')
      .incr(PREFIX + key)
      .pttl(PREFIX + key)
      .exec()) as [[unknown, unknown], [unknown, number], [unknown, number]];
    return { count: results[1][1], resetInMs: Math.max(0, results[2][1]) };
  }

  async decrement(key: string): Promise<void> {
    // DECR on an expired key would leave a -1 without expiry: only touch a key that still exists.
    await this.#redis.eval("if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end return 0", 1, PREFIX + key);
  }

  async reset(key: string): Promise<void> {
    await this.#redis.del(PREFIX + key);
  }

  isReady(): boolean {
    return this.#redis.status === 'ready';
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
