-- The most recently seen session listed under an index (a user's, an
-- email's): latest lastSeen, then latest firstSeen, then greatest id, as
-- MemoryStore ranks them. ARGV: prefix, product, index kind, index id,
-- "any" or "email" (only sessions that have an email).
local product, kind, id, mode = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local listed = redis.call('ZREVRANGE', key(product, kind, id), 0, -1, 'WITHSCORES')
local best, bestLast, bestFirst
for i = 1, #listed, 2 do
    local session, last = listed[i], tonumber(listed[i + 1])
    if best and last < bestLast then
        break
    end
    local fields = redis.call('HMGET', key(product, 's', session), 'f', 'e')
    -- A session whose record expired by TTL is still listed until a sweep.
    if fields[1] and (mode ~= 'email' or (fields[2] and fields[2] ~= '')) then
        local first = tonumber(fields[1])
        if not best or last > bestLast or first > bestFirst or (first == bestFirst and session > best) then
            best, bestLast, bestFirst = session, last, first
        end
    end
end
return best
