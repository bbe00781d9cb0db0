/**
 * The PIN guard's two Lua scripts, registered once per client with ioredis `defineCommand`
 * (./redis-guard-store.ts). Each runs atomically on the one slot of its account's hash tag.
 *
 * KEYS[1]: the account's failures, a sorted set of failure ids (the check's slot id) scored by time (ms).
 * KEYS[2]: the account's checks in flight, a sorted set of slot ids scored by expiry (ms): a slot
 *          whose end never came (a replica died, an answer was lost) expires on its own.
 * Times come from Redis's own clock (TIME), so replicas need not agree on the time.
 */

/** Redis's clock in ms. */
const NOW = `
-- TIME answers {seconds, microseconds}
local t = redis.call('TIME')
-- now, in ms
local now = t[1] * 1000 + math.floor(t[2] / 1000)`;

/** ARGV: limit, window ms, in-flight TTL ms, slot id. Returns {admitted 0/1, failures, ms until free}. */
export const BEGIN = `${NOW}
-- the arguments as numbers: failures allowed per window, the window and a slot's lifetime (ms)
local limit, window, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
-- forget failures that left the window
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
-- forget slots that expired
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
-- the failures still in the window
local failures = redis.call('ZCARD', KEYS[1])
-- the checks still in flight
local inflight = redis.call('ZCARD', KEYS[2])
-- the guard's promise: failures + checks in flight never exceed the limit
if failures + inflight >= limit then
  -- only busy (checks in flight): no time to give, the caller retries in a moment
  local reset = 0
  if failures >= limit then
    -- locked: the failure that keeps the count at the limit (the limit-th newest)
    local freeing = redis.call('ZRANGE', KEYS[1], failures - limit, failures - limit, 'WITHSCORES')
    -- free once it leaves the window
    reset = tonumber(freeing[2]) + window - now
  end
  -- refused: {0, failures, ms until free}
  return {0, failures, reset}
end
-- admitted: hold a slot until it is ended or expires
redis.call('ZADD', KEYS[2], now + ttl, ARGV[4])
-- the set lives as long as its newest slot
redis.call('PEXPIRE', KEYS[2], ttl)
-- admitted: {1, failures, 0}
return {1, failures, 0}`;

/**
 * ARGV: outcome (failure | success | other), window ms, slot id (also the failure's member).
 * Safe to run twice (a retry after a lost answer): ZREM and DEL are idempotent, and a failure is the
 * slot's member, so it is recorded once. A failure whose slot already expired is still recorded.
 */
export const END = `${NOW}
-- give the slot back (a no-op when it was never admitted or already expired)
redis.call('ZREM', KEYS[2], ARGV[3])
-- a success clears the account's failures
if ARGV[1] == 'success' then redis.call('DEL', KEYS[1]) end
if ARGV[1] == 'failure' then
  -- a failure is recorded under its slot id, at Redis's time
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  -- the set lives as long as its newest failure can count
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
-- done
return 1`;
