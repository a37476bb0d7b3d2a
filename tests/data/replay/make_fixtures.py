#!/usr/bin/env python3
# Writes the replay import fixtures into exports/ next to this script (run it
# to regenerate them). Every PostHog export format the importer reads, in its real layout:
#  - events API pages ({next, results}) as GET /api/projects/:id/events returns
#    them (newest first, `id` for the uuid, `person`, `elements`), one page,
#    two pretty-printed pages one after the other, an array of pages, and a
#    folder of pages;
#  - the HogQL query API answer ({columns, results:[[...]], types});
#  - the events table CSV export in both layouts PostHog writes: the
#    EventsQuery one ("event,*.uuid,*.event,*.properties.$current_url,...",
#    CRLF, flattened properties) and the events API one ("id,distinct_id,
#    properties,event,timestamp,person,elements_chain", properties as JSON);
#  - captured webhook bodies, the tutorial's flat shape and PostHog's default
#    {event, person} shape, as JSON lines and as a JSON array.
# Most files also carry malformed rows at known lines for the diagnostics tests.
import csv, io, json, os

os.makedirs(os.path.join(os.path.dirname(os.path.abspath(__file__)), "exports"), exist_ok=True)
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "exports"))

ACME = "phc_replay_acme"
BETA = "phc_replay_beta"
HOST = "https://app.acme.test"


def iso(second, fraction="000"):
    m, s = divmod(second, 60)
    return "2024-09-03T10:%02d:%02d.%sZ" % (m, s, fraction)


def api_event(uuid, name, session, second, path, distinct="user-1", extra=None, chain=""):
    props = {"$session_id": session, "$current_url": HOST + path, "$host": "app.acme.test", "$pathname": path,
             "$browser": "Firefox", "$lib": "web"}
    props.update(extra or {})
    return {"id": uuid, "distinct_id": distinct, "properties": props, "event": name,
            "timestamp": iso(second).replace("Z", "+00:00"), "person": None, "elements": [],
            "elements_chain": chain}


CHAIN_OPEN = 'button.btn:attr__class="btn"attr__data-tour-id="open-project"nth-child="1"nth-of-type="1"text="Open"'

# One events API page, newest first, for session s-api-1 (a ping-pong), with
# an event missing its session id and one with a timestamp that is not ISO 8601.
s1 = "s-api-1"
page = [
    api_event("0191a7e2-0000-7000-8000-000000000105", "$autocapture", s1, 20, "/projects",
              extra={"$event_type": "click"}, chain=CHAIN_OPEN),
    api_event("0191a7e2-0000-7000-8000-000000000104", "$pageview", s1, 16, "/projects"),
    api_event("0191a7e2-0000-7000-8000-000000000199", "$pageview", "", 12, "/nowhere"),
    api_event("0191a7e2-0000-7000-8000-000000000103", "$pageview", s1, 8, "/projects/apollo"),
    api_event("0191a7e2-0000-7000-8000-000000000198", "$pageview", s1, 6, "/projects"),
    api_event("0191a7e2-0000-7000-8000-000000000102", "$identify", s1, 1, "/projects"),
    api_event("0191a7e2-0000-7000-8000-000000000101", "$pageview", s1, 0, "/projects", extra={"$set": {"email": "ana@acme.test"}}),
]
del page[2]["properties"]["$session_id"]
page[4]["timestamp"] = "yesterday"
open("events-api-page.json", "w").write(json.dumps({"next": None, "results": page}, indent=2) + "\n")

# Two pages of session s-api-2, pretty-printed one after the other, the
# second repeating the last event of the first (pagination overlap).
s2 = "s-api-2"
first = [api_event("0191a7e2-0000-7000-8000-0000000002%02d" % i, "$pageview", s2, 100 - 10 * i,
                   ["/settings/account", "/projects"][i % 2], distinct="user-2") for i in range(3)]
second = [first[-1]] + [api_event("0191a7e2-0000-7000-8000-0000000002%02d" % i, "$pageview", s2, 100 - 10 * i,
                                  "/projects/zephyr", distinct="user-2") for i in range(3, 5)]
text = json.dumps({"next": "https://eu.posthog.com/api/projects/1/events?before=x", "results": first}, indent=2)
text += "\n" + json.dumps({"next": None, "results": second}, indent=2) + "\n"
open("events-api-pages.json", "w").write(text)

# The same two pages as an array of pages, and as a folder of page files.
open("events-api-page-array.json", "w").write(json.dumps([{"next": "…", "results": first},
                                                           {"next": None, "results": second}]) + "\n")
os.makedirs("events-api-pages", exist_ok=True)
open("events-api-pages/page-001.json", "w").write(json.dumps({"next": "…", "results": first}, indent=1) + "\n")
open("events-api-pages/page-002.json", "w").write(json.dumps({"next": None, "results": second}, indent=1) + "\n")
open("events-api-pages/notes.txt", "w").write("not an export: the importer skips files that are not .json/.jsonl/.csv\n")

# The HogQL query API (POST /api/projects/:id/query, EventsQuery select *): rows of columns.
columns = ["*", "event", "person", "timestamp"]
rows = []
for i, path in enumerate(["/projects", "/projects/apollo", "/projects"]):
    star = {"uuid": "0191a7e2-0000-7000-8000-0000000003%02d" % i, "event": "$pageview", "distinct_id": "user-3",
            "properties": {"$session_id": "s-query-1", "$current_url": HOST + path}, "timestamp": iso(30 * i),
            "elements_chain": ""}
    rows.append([star, "$pageview", {"id": "p3", "distinct_id": "user-3", "properties": {"email": "cy@acme.test"}},
                 iso(30 * i)])
rows.append(["not an event", "$pageview", None, iso(99)])
open("hogql-query.json", "w").write(json.dumps({"columns": columns, "types": ["Tuple", "String", "Tuple", "DateTime"],
                                                "results": rows, "hasMore": False}, indent=2) + "\n")

# The events table CSV export, EventsQuery layout (what "Export → CSV" of the
# activity table writes): CRLF, RFC 4180 quoting, flattened columns.
header = ["event", "*.uuid", "*.event", "*.properties.$current_url", "*.properties.$session_id",
          "*.properties.$el_text", "*.properties.$event_type", "*.timestamp", "*.distinct_id", "*.elements_chain",
          "person.properties.email"]
s3 = "s-csv-1"
chain_save = 'button.btn.btn-primary:attr__class="btn btn-primary"nth-child="2"nth-of-type="1"text="Save, and continue"'
good = [
    ["$pageview", "0191a7e2-0000-7000-8000-000000000401", "$pageview", HOST + "/settings/account", s3, "", "",
     "2024-09-03 10:00:00.000000", "user-4", "", "bo@acme.test"],
    ["$autocapture", "0191a7e2-0000-7000-8000-000000000402", "$autocapture", HOST + "/settings/account", s3,
     "Save, and continue", "click", "2024-09-03T10:00:04.500000+00:00", "user-4", chain_save, "bo@acme.test"],
    ["$autocapture", "0191a7e2-0000-7000-8000-000000000403", "$autocapture", HOST + "/settings/account", s3,
     "Line one\nLine two \"quoted\"", "click", "2024-09-03 10:00:06.000000", "user-4",
     'a:text="Line one Line two"nth-child="1"', "bo@acme.test"],
    ["$identify", "0191a7e2-0000-7000-8000-000000000404", "$identify", HOST + "/settings/account", s3, "", "",
     "2024-09-03 10:00:07.000000", "user-4", "", "bo@acme.test"],
    ["$pageview", "0191a7e2-0000-7000-8000-000000000405", "$pageview", HOST + "/settings/account?tab=email", s3, "",
     "", "not-a-time", "user-4", "", "bo@acme.test"],
]
buffer = io.StringIO()
writer = csv.writer(buffer, lineterminator="\r\n")
writer.writerow(header)
for row in good:
    writer.writerow(row)
lines = buffer.getvalue()
# Malformed rows, each on a known line: a stray quote in an unquoted field,
# too few fields, text after a closing quote; then one more good row.
lines += '$pageview,0191a7e2-0000-7000-8000-000000000406,$pageview,' + HOST + '/settings/acc"ount,' + s3 + ',,,2024-09-03 10:00:08.000000,user-4,,\r\n'
lines += '$pageview,0191a7e2-0000-7000-8000-000000000407,$pageview\r\n'
lines += '$pageview,0191a7e2-0000-7000-8000-000000000408,"$pageview"x,' + HOST + '/settings/account,' + s3 + ',,,2024-09-03 10:00:09.000000,user-4,,\r\n'
buffer = io.StringIO()
csv.writer(buffer, lineterminator="\r\n").writerow(
    ["$pageview", "0191a7e2-0000-7000-8000-000000000409", "$pageview", HOST + "/settings/account", s3, "", "",
     "2024-09-03 10:00:10.000000", "user-4", "", "bo@acme.test"])
lines += buffer.getvalue()
open("events.csv", "w", newline="").write(lines)

# The events API layout of the CSV export: properties as one JSON column.
s4 = "s-csv-2"
buffer = io.StringIO()
writer = csv.writer(buffer, lineterminator="\r\n")
writer.writerow(["id", "distinct_id", "properties", "event", "timestamp", "person", "elements_chain"])
for i, path in enumerate(["/projects", "/projects/apollo", "/projects", "/projects/zephyr"]):
    props = {"$session_id": s4, "$current_url": HOST + path, "$browser": "Safari", "plan": "pro, annual"}
    writer.writerow(["0191a7e2-0000-7000-8000-0000000005%02d" % i, "user-5", json.dumps(props), "$pageview",
                     iso(5 * i).replace("Z", "+00:00"), "", ""])
writer.writerow(["0191a7e2-0000-7000-8000-000000000599", "user-5", "{not json", "$pageview", iso(40), "", ""])
open("events-legacy.csv", "w", newline="").write(buffer.getvalue())

# Captured webhook bodies as JSON lines: the tutorial's flat shape (no token),
# PostHog's default shape (with the beta product's token), and broken lines.
s5 = "s-hook-1"
flat = lambda second, path, kind="$pageview", text="": {
    "event": kind, "timestamp": iso(second), "session_id": s5, "distinct_id": "user-6",
    "current_url": HOST + path, "referrer": "", "email": "dee@acme.test",
    "event_type": "click" if kind == "$autocapture" else "", "elements_chain": "", "element_id": "",
    "input_field_name": "", "link_destination": "", "button_or_link_text": text}
default = lambda second, path, uuid: {
    "event": {"uuid": uuid, "event": "$pageview", "distinct_id": "user-7",
              "properties": {"$session_id": "s-hook-2", "$current_url": HOST + path, "token": BETA},
              "timestamp": iso(second), "url": "https://eu.posthog.com/project/2/events/" + uuid,
              "elements_chain": ""},
    "person": {"id": "p7", "properties": {"email": "eve@beta.test"}, "name": "eve@beta.test",
               "url": "https://eu.posthog.com/project/2/person/user-7"}}
hooks = [json.dumps(flat(0, "/projects")), json.dumps(flat(7, "/projects/apollo")),
         json.dumps(default(0, "/dashboard", "0191a7e2-0000-7000-8000-000000000701")),
         '{"event": "$pageview", "timestamp": ',
         json.dumps(flat(15, "/projects")), "",
         json.dumps(default(9, "/dashboard", "0191a7e2-0000-7000-8000-000000000702")),
         "[42]",
         json.dumps(flat(22, "/projects/apollo", "$autocapture", "Open"))]
open("webhooks.jsonl", "w").write("\n".join(hooks) + "\n")

# The same default-shape bodies as a pretty-printed JSON array, for the acme product.
bodies = []
for i, path in enumerate(["/projects", "/settings/account"]):
    body = default(10 * i, path, "0191a7e2-0000-7000-8000-0000000008%02d" % i)
    body["event"]["properties"]["token"] = ACME
    body["event"]["properties"]["$session_id"] = "s-hook-3"
    bodies.append(body)
open("webhooks.json", "w").write(json.dumps(bodies, indent=2) + "\n")

# The JSON lines capture again, gzipped as exports are often downloaded
# (mtime 0: reproducible bytes); in its own folder, so that reading exports/
# does not read the same events twice.
import gzip
os.makedirs("../compressed", exist_ok=True)
with open("webhooks.jsonl", "rb") as source, gzip.GzipFile("../compressed/webhooks.jsonl.gz", "wb", mtime=0) as target:
    target.write(source.read())
