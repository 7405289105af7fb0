/**
 * Lua scripts behind ChatTurnStore. Each runs atomically in Redis, so any number of sequencer and
 * dispatcher replicas can share one chat's state. The rules are ReorderBuffer's (reorder-buffer.ts,
 * checked side by side by reorder-agreement.int-spec.ts); order keys are fixed-width strings, so Lua's
 * byte-wise `<` is the same order as (message_id, date).
 *
 * KEYS (all for one chat except DUE): 1 PENDING zset(dueAtMs → key), 2 ITEMS hash(key → job json),
 * 3 OUTBOX zset(0 → key, released in order, awaiting the dispatcher), 4 LAST (last released key),
 * 5 RELEASED zset(insertion number → key: recently released or late keys, for duplicates; the
 * lowest number is forgotten first, as ReorderBuffer forgets its oldest), 6 DUE zset(chat → when to look again),
 * 7 INFLIGHT (the key the dispatcher is working on), 8 INCOMING zset(update id → ms): updates
 * ingress acknowledged for this chat that the sequencer has not accepted yet. While one is there
 * (and not stale), nothing is released: a sequencer killed mid-job returns that job only after its
 * lock expires, and releasing later messages meanwhile would let them overtake it.
 */

// Released keys are remembered this long, covering Telegram's 24 h redelivery window.
const MEMORY_MS = 25 * 60 * 60 * 1000;
// Same bound as ReorderBuffer's RELEASED_KEYS_REMEMBERED.
const RELEASED_MEMORY_COUNT = 1024;

/**
 * Remembers `key` as released (or late), numbered after every key remembered before (NX: a key
 * already remembered keeps its place, like a Set), then forgets the oldest beyond the bound.
 * Older versions scored every key 0; such keys sort first and so are forgotten first, which is right.
 */
const REMEMBER = `
local function remember(releasedKey, key)
  local top = redis.call('ZRANGE', releasedKey, -1, -1, 'WITHSCORES')[2]
  redis.call('ZADD', releasedKey, 'NX', (tonumber(top) or 0) + 1, key)
  local remembered = redis.call('ZCARD', releasedKey)
  if remembered > ${RELEASED_MEMORY_COUNT} then redis.call('ZREMRANGEBYRANK', releasedKey, 0, remembered - ${RELEASED_MEMORY_COUNT + 1}) end
end
`;

/** ARGV: key, itemJson, nowMs, windowMs, chatRef, updateId ('' if none) → 'held' | 'late' | 'duplicate'. */
export const ACCEPT_SCRIPT = `${REMEMBER}
local key = ARGV[1]
if ARGV[6] ~= '' then redis.call('ZREM', KEYS[8], ARGV[6]) end
if redis.call('HEXISTS', KEYS[2], key) == 1 or redis.call('ZSCORE', KEYS[5], key) then return 'duplicate' end
local now = tonumber(ARGV[3])
local last = redis.call('GET', KEYS[4])
if last == key then return 'duplicate' end
redis.call('HSET', KEYS[2], key, ARGV[2])
if last and key < last then
  redis.call('ZADD', KEYS[3], 0, key)
  remember(KEYS[5], key)
  redis.call('PEXPIRE', KEYS[5], ${MEMORY_MS})
  redis.call('ZADD', KEYS[6], 'LT', now, ARGV[5])
  return 'late'
end
local dueAt = now + tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], dueAt, key)
redis.call('ZADD', KEYS[6], 'LT', dueAt, ARGV[5])
return 'held'
`;

/**
 * ARGV: nowMs, chatRef, inflightRecheckMs, incomingStaleMs. Unless an acknowledged update of the
 * chat is still on its way in (INCOMING), releases every pending key up to the highest one whose
 * window has passed; then hands the outbox head to the dispatcher when nothing is in flight.
 * Returns false, or {key, itemJson, isNewTurn (1/0)} for the chat's in-flight item.
 */
export const ADVANCE_SCRIPT = `${REMEMBER}
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', now - tonumber(ARGV[4]))
local gated = redis.call('ZCARD', KEYS[8]) > 0
local due = {}
if not gated then due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now) end
if #due > 0 then
  local maxKey = due[1]
  for i = 2, #due do if due[i] > maxKey then maxKey = due[i] end end
  local keys = redis.call('ZRANGE', KEYS[1], 0, -1)
  table.sort(keys)
  for _, key in ipairs(keys) do
    if key <= maxKey then
      redis.call('ZREM', KEYS[1], key)
      redis.call('ZADD', KEYS[3], 0, key)
      remember(KEYS[5], key)
    end
  end
  local last = redis.call('GET', KEYS[4])
  if (not last) or maxKey > last then redis.call('SET', KEYS[4], maxKey) end
  redis.call('PEXPIRE', KEYS[4], ${MEMORY_MS})
  redis.call('PEXPIRE', KEYS[5], ${MEMORY_MS})
end
local result = false
local inflight = redis.call('GET', KEYS[7])
if inflight then
  result = {inflight, redis.call('HGET', KEYS[2], inflight) or '', 0}
else
  local head = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
  if head then
    redis.call('SET', KEYS[7], head)
    inflight = head
    result = {head, redis.call('HGET', KEYS[2], head) or '', 1}
  end
end
local nextDue = false
if inflight then nextDue = now + tonumber(ARGV[3]) end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if first[2] then
  local firstDue = tonumber(first[2])
  if gated and firstDue < now + 50 then firstDue = now + 50 end
  if (not nextDue) or firstDue < nextDue then nextDue = firstDue end
end
if nextDue then redis.call('ZADD', KEYS[6], nextDue, ARGV[2]) else redis.call('ZREM', KEYS[6], ARGV[2]) end
return result
`;

/** ARGV: updateId, nowMs, dedupeKey → 1 when the update was already accepted by ingress before (a replay), else marks it incoming and returns 0. */
export const MARK_INCOMING_SCRIPT = `
if redis.call('EXISTS', ARGV[3]) == 1 then return 1 end
redis.call('ZADD', KEYS[8], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[8], ${MEMORY_MS})
return 0
`;

/**
 * ARGV: key, itemJson, nowMs, chatRef, holdMs → {'turn', stored itemJson} when `key` is the chat's
 * turn in flight; otherwise puts the item back into the chat's reorder buffer for `holdMs` (so the
 * rest of a replay batch can join it and all leave in key order, after what is in flight) and
 * returns {'queued'}. For a job that runs without its chat's turn: a dead letter an operator replayed.
 */
export const REQUEUE_SCRIPT = `
if redis.call('GET', KEYS[7]) == ARGV[1] then return {'turn', redis.call('HGET', KEYS[2], ARGV[1]) or ''} end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if not redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  local dueAt = tonumber(ARGV[3]) + tonumber(ARGV[5])
  redis.call('ZADD', KEYS[1], dueAt, ARGV[1])
  redis.call('ZADD', KEYS[6], 'LT', dueAt, ARGV[4])
end
return {'queued'}
`;

/** ARGV: key, nowMs, chatRef → 1 when that key was the chat's turn and is now finished, else 0. */
export const FINISH_SCRIPT = `
if redis.call('GET', KEYS[7]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[7])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[6], ARGV[2], ARGV[3])
return 1
`;
