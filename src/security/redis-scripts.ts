/**
 * The PIN guard's Lua script, registered once per client with ioredis `defineCommand`
 * (./redis-guard-store.ts). One call carries a batch of checks to begin or end, in the order they
 * came; each is handled as if it were alone, so the entries of one account see each other's slots and
 * failures. A call runs atomically on one slot: on a cluster it carries one account's entries (its hash
 * tag), on a standalone server any number of accounts'.
 *
 * Per entry i, two keys:
 * KEYS[2i-1]: the account's failures, a sorted set of failure ids (the check's slot id) scored by time (ms).
 * KEYS[2i]:   the account's checks in flight, a sorted set of slot ids scored by expiry (ms): a slot
 *             whose end never came (a replica died, an answer was lost) expires on its own.
 * ARGV[1]: a slot's lifetime (ms); then four per entry i, from ARGV[4i-2]: what (begin | failure |
 * success | other: an end and its outcome), the limit (failures allowed per window; 0 for an end), the
 * window (ms), the slot id (also the failure's member).
 * Returns one string: three numbers per begin, space-separated, in the order of the begins (admitted
 * 0/1, failures, ms until free); nothing for an end. One string rather than an array of numbers: the
 * client reads one value instead of three per entry.
 * Times come from Redis's own clock (TIME), so replicas need not agree on the time.
 */
export const GUARD = `
-- TIME answers {seconds, microseconds}
local t = redis.call('TIME')
-- now, in ms (one clock reading for the whole batch)
local now = t[1] * 1000 + math.floor(t[2] / 1000)
-- a slot's lifetime (ms), the same for every entry
local ttl = tonumber(ARGV[1])

-- A begin: admits a check when failures + checks in flight stay under the limit. Returns {admitted, failures, ms until free}.
local function begin(failuresKey, inflightKey, limit, window, slot)
  -- forget failures that left the window
  redis.call('ZREMRANGEBYSCORE', failuresKey, '-inf', now - window)
  -- forget slots that expired
  redis.call('ZREMRANGEBYSCORE', inflightKey, '-inf', now)
  -- the failures still in the window
  local failures = redis.call('ZCARD', failuresKey)
  -- the checks still in flight
  local inflight = redis.call('ZCARD', inflightKey)
  -- the guard's promise: failures + checks in flight never exceed the limit
  if failures + inflight >= limit then
    -- only busy (checks in flight): no time to give, the caller retries in a moment
    local reset = 0
    if failures >= limit then
      -- locked: the failure that keeps the count at the limit (the limit-th newest)
      local freeing = redis.call('ZRANGE', failuresKey, failures - limit, failures - limit, 'WITHSCORES')
      -- free once it leaves the window
      reset = tonumber(freeing[2]) + window - now
    end
    -- refused: {0, failures, ms until free}
    return 0, failures, reset
  end
  -- admitted: hold a slot until it is ended or expires
  redis.call('ZADD', inflightKey, now + ttl, slot)
  -- the set lives as long as its newest slot
  redis.call('PEXPIRE', inflightKey, ttl)
  -- admitted: {1, failures, 0}
  return 1, failures, 0
end

-- An end, with its outcome. Safe to run twice (a retry after a lost answer): ZREM and DEL are
-- idempotent, and a failure is the slot's member, so it is recorded once. A failure whose slot
-- already expired is still recorded.
local function finish(failuresKey, inflightKey, outcome, window, slot)
  -- give the slot back (a no-op when it was never admitted or already expired)
  redis.call('ZREM', inflightKey, slot)
  -- a success clears the account's failures
  if outcome == 'success' then redis.call('DEL', failuresKey) end
  if outcome == 'failure' then
    -- a failure is recorded under its slot id, at Redis's time
    redis.call('ZADD', failuresKey, now, slot)
    -- the set lives as long as its newest failure can count
    redis.call('PEXPIRE', failuresKey, window)
  end
end

-- three numbers per begin, in the order of the begins
local results = {}
for i = 1, #KEYS / 2 do
  -- this entry's four arguments start after ttl, four per earlier entry
  local at = 4 * i - 2
  -- what to do, and the window (ms) both kinds need
  local what, window = ARGV[at], tonumber(ARGV[at + 2])
  if what == 'begin' then
    -- a begin: admitted or not, with the counts
    local admitted, failures, reset = begin(KEYS[2 * i - 1], KEYS[2 * i], tonumber(ARGV[at + 1]), window, ARGV[at + 3])
    -- appended in order, after the earlier begins' three
    results[#results + 1] = admitted
    results[#results + 1] = failures
    results[#results + 1] = reset
  else
    -- an end, \`what\` being its outcome: nothing to answer
    finish(KEYS[2 * i - 1], KEYS[2 * i], what, window, ARGV[at + 3])
  end
end
-- done: the numbers as one string (whole numbers of under 14 digits: Lua writes them without a fraction or exponent)
return table.concat(results, ' ')`;
