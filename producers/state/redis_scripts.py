"""The Lua scripts of the Redis crawl state: the operations that must not race.

Frontier dedup, claiming due sites and unlocking run inside Redis, so they are atomic across
processes and hosts.
"""

# KEYS: seen, frontier; ARGV: url1, item1, url2, item2, ... -> 1-based indexes of items added
PUSH = """
local added = {}
for i = 1, #ARGV, 2 do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
    redis.call('RPUSH', KEYS[2], ARGV[i + 1])
    added[#added + 1] = (i + 1) / 2
  end
end
return added
"""

# KEYS: seen, frontier, inflight; ARGV: url/item pairs -> 1 if resumed, else 0.
# Resumed: items left in flight (their visitor died) go back to the head of the frontier, in
# the order they were popped; or the frontier is non-empty.
BEGIN = """
local stranded = redis.call('LLEN', KEYS[3])
for i = 1, stranded do
  redis.call('RPOPLPUSH', KEYS[3], KEYS[2])
end
if stranded > 0 or redis.call('LLEN', KEYS[2]) > 0 then
  return 1
end
redis.call('DEL', KEYS[1])
for i = 1, #ARGV, 2 do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
    redis.call('RPUSH', KEYS[2], ARGV[i + 1])
  end
end
return 0
"""

# KEYS: frontier, inflight -> the item moved from the frontier's head to in-flight, or nil
POP = """
local raw = redis.call('LPOP', KEYS[1])
if raw then
  redis.call('RPUSH', KEYS[2], raw)
end
return raw
"""

# Removes from KEYS[1] (in-flight) the first item that is ARGV[2] exactly or whose url is ARGV[1].
DROP_INFLIGHT = """
for _, raw in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local match = raw == ARGV[2]
  if not match then
    local ok, item = pcall(cjson.decode, raw)
    match = ok and type(item) == 'table' and item['url'] == ARGV[1]
  end
  if match then
    redis.call('LREM', KEYS[1], 1, raw)
    break
  end
end
"""

# KEYS: inflight; ARGV: url, item
DONE = DROP_INFLIGHT

# KEYS: inflight, frontier; ARGV: url, item
REQUEUE = DROP_INFLIGHT + "redis.call('LPUSH', KEYS[2], ARGV[2])\n"

# KEYS: due zset; ARGV: now, site1, next1, site2, next2, ... -> sites claimed
CLAIM = """
local now = tonumber(ARGV[1])
local claimed = {}
for i = 2, #ARGV, 2 do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if (not score) or tonumber(score) <= now then
    redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
    claimed[#claimed + 1] = ARGV[i]
  end
end
return claimed
"""

# KEYS: lock; ARGV: token -> 1 if deleted
UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS: lock; ARGV: token, ttl in ms -> 1 if extended
EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
