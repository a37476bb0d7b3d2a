-- wrk script: the tutorial's poll, GET /context/{product}/{session}
-- ?conversation_id=proactive:{session}, rotating over the seeded sessions
-- PREFIX-000000 … PREFIX-(SESSIONS-1). Each thread starts at a different
-- offset. Each request is made when it is sent: wrk runs a thread's init
-- before that thread's clock starts, and threads that made a million
-- requests up front started seconds apart, the first ones polling while the
-- others were still in init and outside the time wrk divides by (a
-- /context rate above anything the server can do).
--
--   wrk … -s context.lua http://127.0.0.1:PORT -- PRODUCT SESSIONS PREFIX

local threads = 0

function setup(thread)
    thread:set("thread_index", threads)
    threads = threads + 1
end

function init(args)
    product = args[1] or "bench"
    count = tonumber(args[2] or "10000")
    prefix = args[3] or "bench"
    -- Threads start far apart so they do not poll the same session at once.
    next_index = math.floor((thread_index or 0) * count / 7) % count
end

function request()
    local session = string.format("%s-%06d", prefix, next_index)
    next_index = (next_index + 1) % count
    return wrk.format("GET", "/context/" .. product .. "/" .. session .. "?conversation_id=proactive%3A" .. session)
end
