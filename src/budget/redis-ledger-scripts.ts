/**
 * The Redis ledger's Lua scripts. Each runs atomically on the server (Redis runs one script at a
 * time), so the cap check and the reservation are one step whatever the number of clients.
 *
 * Data: KEYS[1] is a hash {cap, used, lost_in_flight, created_at, updated_at} (times in ms since
 * the epoch, Redis's clock); KEYS[2] is a sorted set of open reservations, member = reservation
 * id, score = when its lease expires. A live holder renews its leases; a lease past its expiry
 * belonged to a holder that died (or lost Redis for longer than the lease): it may have been sent,
 * so it is folded into `used` — a crash only under-spends.
 */

/** Shared prelude: `now` from the server clock; folds expired leases into used. */
const prelude = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function fold()
  local lost = redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if lost > 0 then
    redis.call('HINCRBY', KEYS[1], 'used', lost)
    redis.call('HINCRBY', KEYS[1], 'lost_in_flight', lost)
    redis.call('HSET', KEYS[1], 'updated_at', now)
  end
  return lost
end
local function state()
  local v = redis.call('HMGET', KEYS[1], 'cap', 'used', 'updated_at')
  return {tonumber(v[1]), tonumber(v[2] or '0'), redis.call('ZCARD', KEYS[2]), tonumber(v[3] or '0')}
end
`;

/**
 * ARGV: cap ('' = none), resetCap ('1'/'0'). Returns {status, cap}: -1 no ledger and no cap,
 * 1 created, 0 exists (same cap or none given), 2 cap replaced, -2 cap differs (refused).
 */
export const openScript = `${prelude}
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[1] == '' then return {-1, 0} end
  redis.call('HSET', KEYS[1], 'cap', ARGV[1], 'used', 0, 'lost_in_flight', 0, 'created_at', now, 'updated_at', now)
  return {1, tonumber(ARGV[1])}
end
fold()
local cap = tonumber(redis.call('HGET', KEYS[1], 'cap'))
if ARGV[1] == '' or tonumber(ARGV[1]) == cap then return {0, cap} end
if ARGV[2] ~= '1' then return {-2, cap} end
redis.call('HSET', KEYS[1], 'cap', ARGV[1], 'updated_at', now)
return {2, tonumber(ARGV[1])}
`;

/** ARGV: id, lease ms. Returns {1, cap, used, reserved, at} when reserved, {0, …} when exhausted, {-1} with no ledger. */
export const reserveScript = `${prelude}
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
fold()
local s = state()
if s[2] + s[3] >= s[1] then return {0, s[1], s[2], s[3], s[4]} end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[1], 'updated_at', now)
return {1, s[1], s[2], s[3] + 1, now}
`;

/** ARGV: id, spent ('1' commit / '0' release). Returns 1 when the lease was open, 0 when already folded or dropped. */
export const settleScript = `
local removed = redis.call('ZREM', KEYS[2], ARGV[1])
if removed == 1 then
  local t = redis.call('TIME')
  if ARGV[2] == '1' then redis.call('HINCRBY', KEYS[1], 'used', 1) end
  redis.call('HSET', KEYS[1], 'updated_at', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
end
return removed
`;

/** ARGV: lease ms, ids…. Extends the leases still open (XX: a folded one is not brought back). Returns how many. */
export const renewScript = `${prelude}
local renewed = 0
for i = 2, #ARGV do
  renewed = renewed + redis.call('ZADD', KEYS[2], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i])
end
return renewed
`;

/** Returns {cap, used, reserved, updated_at} after folding, or {-1} with no ledger. */
export const snapshotScript = `${prelude}
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
fold()
return state()
`;

/** ARGV: cap ('' = keep). Used 0; expired leases dropped (not counted), live ones kept. Returns state, or {-1}. */
export const resetScript = `${prelude}
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('HSET', KEYS[1], 'used', 0, 'lost_in_flight', 0, 'updated_at', now)
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'cap', ARGV[1]) end
return state()
`;
