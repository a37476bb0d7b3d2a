#!/usr/bin/env python3
# Writes the intake fixtures of this folder (run it here to regenerate them):
# a posthog-js 1.16x /e/ batch as the browser sends it (and its gzip form),
# an older posthog-js array with `offset` and `$elements`, the tutorial's flat
# webhook body, PostHog's default webhook payload, and a JSON lines file that
# mixes them with broken lines. Property sets follow posthog-js's wire format.
import json, gzip, io
SESSION = "0191a7e2-6c1d-7b3e-9f4a-2d5c8e1b0a93"
WINDOW = "0191a7e2-6c1e-7c10-8a55-93d1f0e2b7c4"
DEVICE = "0191a7e1-ff02-7d3a-b1c2-6e4f8a9b0c1d"
TOKEN = "phc_Q7xk2Vb9LmN4pR8sT1uW6yZ3aC5dF0gH2jK4lM6nP8"
DISTINCT = "user_8812"
def base(url, pathname, t_ms, insert_id, pageview_id):
    return {
        "$os": "Mac OS X", "$os_version": "14.5.0", "$browser": "Chrome", "$device_type": "Desktop",
        "$current_url": url, "$host": "app.example.com", "$pathname": pathname,
        "$raw_user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
        "$browser_version": 128, "$browser_language": "en-US", "$browser_language_prefix": "en",
        "$screen_height": 1117, "$screen_width": 1728, "$viewport_height": 1001, "$viewport_width": 1728,
        "$lib": "web", "$lib_version": "1.161.3", "$insert_id": insert_id, "$time": t_ms / 1000,
        "distinct_id": DISTINCT, "$device_id": DEVICE, "$user_id": DISTINCT, "$is_identified": True,
        "$process_person_profile": True, "$referrer": "$direct", "$referring_domain": "$direct",
        "$session_id": SESSION, "$window_id": WINDOW, "$pageview_id": pageview_id,
        "$session_entry_url": "https://app.example.com/projects?tab=all", "$session_entry_host": "app.example.com",
        "$session_entry_pathname": "/projects", "$lib_rate_limit_remaining_tokens": 98.7,
        "$configured_session_timeout_ms": 1800000, "$sdk_debug_retry_queue_size": 0,
        "$timezone": "Europe/Madrid", "$timezone_offset": -120,
        "token": TOKEN,
    }
T0 = 1725358500000  # 2024-09-03T10:15:00Z
def iso(ms):
    import datetime
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)
chain_new = ('button.btn.btn-primary:attr__class="btn btn-primary"attr__data-tour-id="new-project"attr__type="button"'
             'nth-child="2"nth-of-type="1"text="New project";div.page-header__actions:attr__class="page-header__actions"'
             'nth-child="2"nth-of-type="2";header.page-header:attr__class="page-header"nth-child="1"nth-of-type="1";'
             'main:nth-child="2"nth-of-type="1";body:nth-child="2"nth-of-type="1"')
chain_input = ('input.form-control:attr__class="form-control"attr__id="project-name"attr__name="project-name"'
               'attr__placeholder="e.g. \\"Acme launch\\""attr__type="text"attr_id="project-name"nth-child="2"nth-of-type="1";'
               'div.field:attr__class="field"nth-child="1"nth-of-type="1";form:attr__id="create-project"'
               'attr_id="create-project"nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1"')
chain_form = ('form:attr__id="create-project"attr__name="create-project"attr_id="create-project"nth-child="1"nth-of-type="1";'
              'div.modal-body:attr__class="modal-body"nth-child="2"nth-of-type="2";body:nth-child="2"nth-of-type="1"')
chain_save = ('button.btn.btn-success.hover:bg-green-600:attr__aria-label="Save settings"attr__class="btn btn-success hover:bg-green-600"'
              'nth-child="1"nth-of-type="1"text="Save; and continue";div.actions:attr__class="actions"nth-child="4"nth-of-type="3"')
P = "https://App.Example.com"
events = []
def ev(name, offset_ms, url, path, extra, uuid_suffix, pv):
    t = T0 + offset_ms
    props = base(url, path, t, "ins%04d" % uuid_suffix, pv)
    props.update(extra)
    events.append({"uuid": "0191a7e2-%04x-7000-8000-00000000%04d" % (uuid_suffix, uuid_suffix), "event": name,
                   "properties": props, "timestamp": iso(t)})
pv1 = "0191a7e2-7000-7000-8000-0000000000a1"
pv2 = "0191a7e2-7000-7000-8000-0000000000a2"
ev("$pageview", 0, P + "/projects?tab=all", "/projects", {"title": "Projects · Acme", "$set": {"email": "ana@example.com", "name": "Ana"}}, 1, pv1)
ev("$autocapture", 4200, P + "/projects?tab=all", "/projects", {"$event_type": "click", "$ce_version": 1, "$elements_chain": chain_new}, 2, pv1)
ev("$autocapture", 9800, P + "/projects/new", "/projects/new", {"$event_type": "change", "$ce_version": 1, "$elements_chain": chain_input}, 3, pv1)
ev("$autocapture", 12050, P + "/projects/new", "/projects/new", {"$event_type": "submit", "$ce_version": 1, "$elements_chain": chain_form}, 4, pv1)
ev("$pageview", 12900, P + "/projects/8f14e45f-ceea-467f-a0e6-3f7a2b9c1d20/settings/#general", "/projects/8f14e45f-ceea-467f-a0e6-3f7a2b9c1d20/settings/", {"title": "Settings · Acme"}, 5, pv2)
ev("$rageclick", 31000, P + "/projects/8f14e45f-ceea-467f-a0e6-3f7a2b9c1d20/settings/#general", "/projects/8f14e45f-ceea-467f-a0e6-3f7a2b9c1d20/settings/", {"$elements_chain": chain_save}, 6, pv2)
ev("project_created", 12200, P + "/projects/new", "/projects/new", {"plan": "pro", "seats": 5, "trial": True, "discount": None, "meta": {"source": "modal"}, "tags": ["a", "b"], "price": 12.50}, 7, pv1)
ev("$pageleave", 45000, P + "/projects/8f14e45f-ceea-467f-a0e6-3f7a2b9c1d20/settings/#general", "/projects/8f14e45f-ceea-467f-a0e6-3f7a2b9c1d20/settings/", {"$prev_pageview_duration": 32.1}, 8, pv2)
batch = {"api_key": TOKEN, "batch": events, "sent_at": iso(T0 + 45300)}
text = json.dumps(batch, indent=2, ensure_ascii=False) + "\n"
open("posthog-js-batch.json", "w").write(text)
buf = io.BytesIO()
with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
    g.write(text.encode())
open("posthog-js-batch.json.gz", "wb").write(buf.getvalue())

# Older posthog-js: an array of events with `offset` instead of `timestamp`, `$elements` instead of the chain.
legacy = []
p = base(P + "/docs/getting-started", "/docs/getting-started", T0, "ins0101", pv1); p.pop("$time")
legacy.append({"event": "$pageview", "properties": p, "offset": 5400})
p = base(P + "/docs/getting-started", "/docs/getting-started", T0, "ins0102", pv1); p.pop("$time")
p.update({"$event_type": "click", "$ce_version": 1, "$el_text": "API reference", "$elements": [
    {"tag_name": "a", "$el_text": "API reference", "attr__href": "/docs/api", "attr__class": "nav-link active",
     "attr__id": "nav-api", "nth_child": 3, "nth_of_type": 3, "classes": ["nav-link", "active"]},
    {"tag_name": "nav", "attr__class": "side-nav", "nth_child": 1, "nth_of_type": 1, "classes": ["side-nav"]},
]})
legacy.append({"event": "$autocapture", "properties": p, "offset": 1250})
open("posthog-js-legacy-array.json", "w").write(json.dumps(legacy, indent=2) + "\n")

flat = {"event": "$autocapture", "timestamp": "2024-09-03T10:16:02.512Z", "session_id": SESSION, "distinct_id": DISTINCT,
        "current_url": "https://app.example.com/projects/42/settings?tab=members",
        "referrer": "https://app.example.com/projects/42", "email": "ana@example.com", "event_type": "click",
        "elements_chain": 'button.btn:attr__data-tour-id="invite-member"attr__type="button"nth-child="3"nth-of-type="1"text="Invite member";div.card-actions:attr__class="card-actions"nth-child="2"nth-of-type="2"',
        "element_id": "", "input_field_name": "", "link_destination": "", "button_or_link_text": "Invite member"}
open("webhook-flat.json", "w").write(json.dumps(flat, indent=2) + "\n")

props = base("https://app.example.com/billing", "/billing", T0 + 90000, "ins0201", pv2); props["$set"] = {"email": "ana+billing@example.com"}
default = {"event": {"uuid": "0191a7e4-1f00-7000-8000-000000000201", "event": "$pageview", "distinct_id": DISTINCT,
                     "properties": props, "elements_chain": "", "timestamp": "2024-09-03T10:16:30.000Z",
                     "url": "https://app.example.com/billing"},
           "person": {"id": "0191a7e1-0000-7000-8000-00000000beef", "name": "Ana", "url": "https://eu.posthog.com/project/1/person/user_8812",
                      "properties": {"email": "ana@example.com", "plan": "pro"}},
           "groups": {}, "project": {"id": 1, "name": "Acme", "url": "https://eu.posthog.com/project/1"},
           "source": {"name": "Proactive connector", "url": "https://eu.posthog.com/project/1/pipeline/destinations/hog-1"}}
open("webhook-default.json", "w").write(json.dumps(default, indent=2) + "\n")

# JSON lines as `eval` reads them: one document per line, any shape.
lines = [
    json.dumps(events[0]),
    "",
    json.dumps(flat),
    json.dumps({"event": "$autocapture", "timestamp": "2024-09-03T10:16:05.000Z", "session_id": SESSION, "distinct_id": DISTINCT,
                "current_url": "https://app.example.com/docs", "event_type": "click", "elements_chain": "",
                "element_id": "", "input_field_name": "", "link_destination": "https://docs.example.com/start", "button_or_link_text": "Read the guide"}),
    '{"event": "$pageview", "timestamp": "2024-09-03T10:16:09.000Z", "properties": {"$current_url": "https://app.example.com/x"',
    json.dumps(default),
    "   ",
    json.dumps({"event": "$pageview", "timestamp": "2024-09-03T10:16:20.000Z", "properties": {"$current_url": "https://app.example.com/y", "distinct_id": DISTINCT}}),
    json.dumps({"api_key": TOKEN, "batch": [events[1], {"event": "$pageview", "properties": "oops"}], "sent_at": iso(T0 + 45300)}),
]
open("events.jsonl", "w").write("\n".join(lines) + "\n")
