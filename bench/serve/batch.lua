-- wrk script: posthog-js intake, POST /batch/ with {api_key, batch, sent_at}.
-- Every request carries EVENTS new autocapture clicks (unique uuids, so no
-- de-duplication shortcut) for one of SESSIONS sessions, rotating.
--
--   wrk … -s batch.lua http://127.0.0.1:PORT -- TOKEN EVENTS SESSIONS PREFIX

local threads = 0

function setup(thread)
    thread:set("thread_index", threads)
    threads = threads + 1
end

local function iso_now()
    return os.date("!%Y-%m-%dT%H:%M:%S.000Z")
end

function init(args)
    token = args[1] or "phc_bench"
    events = tonumber(args[2] or "10")
    sessions = tonumber(args[3] or "10000")
    prefix = args[4] or "intake"
    serial = 0
    session_index = 0
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    -- One posthog-js autocapture click, split where the per-event values go.
    event_head = '{"uuid":"'
    event_mid = '","event":"$autocapture","timestamp":"'
    event_props = '","properties":{"token":"' .. token .. '","$session_id":"'
    event_tail = '","distinct_id":"intake-user","$current_url":"https://app.example.com/projects/acme/settings?tab=members",'
        .. '"$host":"app.example.com","$pathname":"/projects/acme/settings","$os":"Linux","$browser":"Chrome",'
        .. '"$browser_version":128,"$device_type":"Desktop","$lib":"web","$lib_version":"1.449.2",'
        .. '"$raw_user_agent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",'
        .. '"$screen_height":1080,"$screen_width":1920,"$viewport_height":960,"$viewport_width":1920,'
        .. '"$referrer":"$direct","$referring_domain":"$direct","$event_type":"click","$el_text":"Invite member",'
        .. '"$elements_chain":"button.btn.btn-primary:text=\\"Invite member\\"nth-child=\\"2\\"nth-of-type=\\"1\\"attr__data-tour-id=\\"invite-btn\\"attr__class=\\"btn btn-primary\\";div.toolbar:nth-child=\\"1\\"nth-of-type=\\"1\\"attr__class=\\"toolbar\\";main:nth-child=\\"2\\"nth-of-type=\\"1\\";body:nth-child=\\"2\\"nth-of-type=\\"1\\""'
        .. '}}'
end

function request()
    session_index = (session_index + 1) % sessions
    local session = string.format("%s-%d-%06d", prefix, thread_index or 0, session_index)
    local now = iso_now()
    local parts = {}
    for i = 1, events do
        serial = serial + 1
        local uuid = string.format("%08x-0000-7000-8000-%012x", thread_index or 0, serial)
        parts[i] = event_head .. uuid .. event_mid .. now .. event_props .. session .. event_tail
    end
    local body = '{"api_key":"' .. token .. '","sent_at":"' .. now .. '","batch":[' .. table.concat(parts, ",") .. ']}'
    return wrk.format(nil, "/batch/", nil, body)
end
