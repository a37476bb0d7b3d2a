-- Applies one StoreWrite (RedisStore::commit), in MemoryStore's order:
-- expired sessions, erased conversations, conversations, transitions,
-- firings (and restored last firings and offers), circuits, sessions,
-- actions, user history. Run inside
-- MULTI/EXEC, so that the keys the decision read and WATCHed make it fail
-- whole when another instance changed them. ARGV: prefix, the write as JSON
-- (RedisStore::encodeWrite), whose times are epoch milliseconds in strings.
local w = cjson.decode(ARGV[2])
local ttl, historyTtl = tonumber(w.ttl), tonumber(w.history_ttl)
local windowMs, windowTtl = tonumber(w.window_ms), tonumber(w.window_ttl)
local maxActions, maxTransitions, firingHistory =
    tonumber(w.max_actions), tonumber(w.max_transitions), tonumber(w.firing_history)
local products = prefix .. ':products'

local function readSession(product, session)
    local flat = redis.call('HGETALL', key(product, 's', session))
    if #flat == 0 then
        return nil
    end
    local record = {}
    for i = 1, #flat, 2 do
        record[flat[i]] = flat[i + 1]
    end
    return record
end

-- The indexes a session is listed in: its product's by lastSeen, its
-- distinct id's and linked id's, its email's (ASCII case folded).
local function indexesOf(product, record)
    local indexes = { key(product, 'seen') }
    if record.d ~= '' then
        table.insert(indexes, key(product, 'du', record.d))
    end
    if record.k ~= '' and record.k ~= record.d then
        table.insert(indexes, key(product, 'du', record.k))
    end
    if record.e ~= '' then
        table.insert(indexes, key(product, 'em', string.lower(record.e)))
    end
    return indexes
end

-- Keeps the later of the stored time and `at` (a hash field, or the key's
-- value when field is nil).
local function keepLatest(k, field, at)
    local current
    if field then
        current = redis.call('HGET', k, field)
    else
        current = redis.call('GET', k)
    end
    if current and tonumber(current) >= tonumber(at) then
        return
    end
    if field then
        redis.call('HSET', k, field, at)
    else
        redis.call('SET', k, at)
    end
end

for _, e in ipairs(w.expired) do
    local product, session = e[1], e[2]
    local record = readSession(product, session)
    if record then
        for _, index in ipairs(indexesOf(product, record)) do
            redis.call('ZREM', index, session)
        end
    end
    redis.call('DEL', key(product, 's', session), key(product, 'a', session), key(product, 'aq', session),
        key(product, 'u', session))
end

for _, e in ipairs(w.erased) do
    redis.call('DEL', key(e[1], 'c', e[2]))
end

for _, e in ipairs(w.conversations) do
    redis.call('SET', key(e[1], 'c', e[2]), e[3], 'EX', ttl)
end

for _, e in ipairs(w.transitions) do
    local log = key(e[1], 't', e[2])
    redis.call('RPUSH', log, e[3])
    redis.call('LTRIM', log, -maxTransitions, -1)
    redis.call('EXPIRE', log, ttl)
end

for _, f in ipairs(w.firings) do
    local product, session, conversation, distinct, trigger, at, text = f[1], f[2], f[3], f[4], f[5], f[6], f[7]
    local seq = string.format('%016d', redis.call('INCR', key(product, 'fq')))
    local history = key(product, 'fh')
    redis.call('ZADD', history, at, seq .. text)
    redis.call('ZREMRANGEBYRANK', history, 0, -firingHistory - 1)
    -- The count windows keep what is at most windowMs older than the
    -- product's newest firing.
    local window = key(product, 'fw')
    redis.call('ZADD', window, at, seq)
    local newest = tonumber(redis.call('ZREVRANGE', window, 0, 0, 'WITHSCORES')[2])
    local cutoff = '(' .. string.format('%d', newest - windowMs)
    redis.call('ZREMRANGEBYSCORE', window, '-inf', cutoff)
    local sessionWindow = key(product, 'fs', session)
    redis.call('ZADD', sessionWindow, at, seq .. '|' .. distinct)
    redis.call('ZREMRANGEBYSCORE', sessionWindow, '-inf', cutoff)
    redis.call('EXPIRE', sessionWindow, windowTtl)
    local userWindow = key(product, 'fu', distinct)
    redis.call('ZADD', userWindow, at, seq)
    redis.call('ZREMRANGEBYSCORE', userWindow, '-inf', cutoff)
    redis.call('EXPIRE', userWindow, windowTtl)
    local lastFirings = key(product, 'lf', conversation)
    keepLatest(lastFirings, trigger, at)
    redis.call('EXPIRE', lastFirings, ttl)
    local lastOffer = key(product, 'lo', session)
    keepLatest(lastOffer, nil, at)
    redis.call('EXPIRE', lastOffer, math.max(ttl, windowTtl))
    redis.call('SADD', products, product)
end

-- Restored as they are (store copy).
for _, e in ipairs(w.last_firings) do
    local lastFirings = key(e[1], 'lf', e[2])
    keepLatest(lastFirings, e[3], e[4])
    redis.call('EXPIRE', lastFirings, ttl)
end
for _, e in ipairs(w.last_offers) do
    local lastOffer = key(e[1], 'lo', e[2])
    keepLatest(lastOffer, nil, e[3])
    redis.call('EXPIRE', lastOffer, math.max(ttl, windowTtl))
end

for _, e in ipairs(w.circuits) do
    redis.call('SET', key(e[1], 'ci'), e[2])
    redis.call('SADD', products, e[1])
end

for _, e in ipairs(w.sessions) do
    local product, session = e[1], e[2]
    local record = { d = e[3], e = e[4], f = e[5], l = e[6], n = e[7], p = e[8], k = e[9] }
    local old = readSession(product, session)
    if old then
        for _, index in ipairs(indexesOf(product, old)) do
            redis.call('ZREM', index, session)
        end
    end
    local k = key(product, 's', session)
    redis.call('HSET', k, 'd', record.d, 'e', record.e, 'f', record.f, 'l', record.l, 'n', record.n, 'p', record.p,
        'k', record.k)
    redis.call('EXPIRE', k, ttl)
    for _, index in ipairs(indexesOf(product, record)) do
        redis.call('ZADD', index, record.l, session)
        if index ~= key(product, 'seen') then
            redis.call('EXPIRE', index, ttl)
        end
    end
    redis.call('SADD', products, product)
end

for _, e in ipairs(w.actions) do
    local product, session, start, uuid, text = e[1], e[2], e[3], e[4], e[5]
    local uuids = key(product, 'u', session)
    if uuid == '' or redis.call('SISMEMBER', uuids, uuid) == 0 then
        -- Ties on the start keep arrival order: members sort by their
        -- arrival number within a score.
        local arrivals = key(product, 'aq', session)
        local actions = key(product, 'a', session)
        redis.call('ZADD', actions, start, string.format('%016d', redis.call('INCR', arrivals)) .. text)
        if uuid ~= '' then
            redis.call('SADD', uuids, uuid)
        end
        local over = redis.call('ZCARD', actions) - maxActions
        if over > 0 then
            for _, member in ipairs(redis.call('ZRANGE', actions, 0, over - 1)) do
                local dropped = cjson.decode(string.sub(member, 17)).u
                if dropped and dropped ~= '' then
                    redis.call('SREM', uuids, dropped)
                end
            end
            redis.call('ZREMRANGEBYRANK', actions, 0, over - 1)
        end
        redis.call('EXPIRE', actions, ttl)
        redis.call('EXPIRE', arrivals, ttl)
        redis.call('EXPIRE', uuids, ttl)
    end
end

-- A history entry: [group, offers, [recent offer times, oldest first],
-- interactions] (recordcodec::encodeHistory), at most w.recent_offers times.
for _, e in ipairs(w.history) do
    local product, user, trigger, group, kind, at = e[1], e[2], e[3], e[4], e[5], tonumber(e[6])
    local k = key(product, 'h', user)
    local current = redis.call('HGET', k, trigger)
    local entry = current and cjson.decode(current) or { '', 0, {}, 0 }
    local times = entry[3]
    if kind == 'interaction' then
        entry[4] = entry[4] + 1
    else
        entry[2] = entry[2] + 1
        entry[1] = group
        local at_index = #times + 1
        while at_index > 1 and times[at_index - 1] > at do
            at_index = at_index - 1
        end
        table.insert(times, at_index, at)
        while #times > tonumber(w.recent_offers) do
            table.remove(times, 1)
        end
    end
    local formatted = {}
    for i, t in ipairs(times) do
        formatted[i] = string.format('%d', t)
    end
    redis.call('HSET', k, trigger, '[' .. cjson.encode(entry[1]) .. ',' .. string.format('%d', entry[2]) .. ',['
        .. table.concat(formatted, ',') .. '],' .. string.format('%d', entry[4]) .. ']')
    redis.call('EXPIRE', k, historyTtl)
end

return 'OK'
