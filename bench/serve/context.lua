-- wrk script: the tutorial's poll, GET /context/{product}/{session}
-- ?conversation_id=proactive:{session}, rotating over the seeded sessions
-- PREFIX-000000 … PREFIX-(SESSIONS-1). Each thread starts at a different
-- offset. The requests are built once in init, so wrk spends its time on I/O.
--
--   wrk … -s context.lua http://127.0.0.1:PORT -- PRODUCT SESSIONS PREFIX

local threads = 0

function setup(thread)
    thread:set("thread_index", threads)
    threads = threads + 1
end

function init(args)
    local product = args[1] or "bench"
    local sessions = tonumber(args[2] or "10000")
    local prefix = args[3] or "bench"
    requests = {}
    for i = 0, sessions - 1 do
        local session = string.format("%s-%06d", prefix, i)
        requests[i + 1] = wrk.format("GET",
            "/context/" .. product .. "/" .. session .. "?conversation_id=proactive%3A" .. session)
    end
    count = sessions
    -- Threads start far apart so they do not poll the same session at once.
    next_index = math.floor((thread_index or 0) * sessions / 7) % sessions
end

function request()
    next_index = next_index + 1
    if next_index > count then
        next_index = 1
    end
    return requests[next_index]
end
