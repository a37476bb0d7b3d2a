#!/usr/bin/env python3
"""Seeds sessions into a running `proactive-studio serve` the way posthog-js
does: POST /batch/ with {api_key, batch, sent_at}, one keep-alive connection.

Each session gets five recent events (pageview, autocapture click, pageview,
click, pageview over three pages) shaped like posthog-js's, about 1.2 KB
each. They match none of the bench workspace's triggers, so every /context
poll on them runs all six gates and evaluates every trigger.

Session ids are PREFIX-000000, PREFIX-000001, … (what context.lua polls).
"""

import argparse
import datetime
import http.client
import json
import sys
import time
import urllib.parse

PAGES = [
    ("/projects", "button", "Add Project", 'button.btn.btn-primary:text="Add Project"nth-child="2"nth-of-type="1"attr__data-tour-id="add-project-btn"attr__class="btn btn-primary";div.toolbar:nth-child="1"nth-of-type="1"attr__class="toolbar";main:nth-child="2"nth-of-type="1";body:nth-child="2"nth-of-type="1"'),
    ("/projects/{slug}", "a", "Settings", 'a.nav-link:text="Settings"nth-child="3"nth-of-type="3"href="/projects/{slug}/settings"attr__href="/projects/{slug}/settings"attr__class="nav-link";nav.sidebar:nth-child="1"nth-of-type="1"attr__class="sidebar";body:nth-child="2"nth-of-type="1"'),
    ("/projects/{slug}/settings", None, None, None),
]


def iso(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def session_events(token, session, index, now):
    slug = "project-%d" % (index % 997)
    distinct = "user-%d" % index
    events = []
    steps = []
    for path, tag, text, chain in PAGES:
        steps.append(("$pageview", path, None, None, None))
        if tag:
            steps.append(("$autocapture", path, tag, text, chain))
    for n, (event, path, tag, text, chain) in enumerate(steps):
        path = path.format(slug=slug)
        url = "https://app.example.com" + path
        at = now - (len(steps) - n) * 2
        properties = {
            "token": token,
            "$session_id": session,
            "$window_id": session + "-w",
            "distinct_id": distinct,
            "$device_id": distinct + "-device",
            "$current_url": url,
            "$host": "app.example.com",
            "$pathname": path,
            "$os": "Linux",
            "$browser": "Chrome",
            "$browser_version": 128,
            "$device_type": "Desktop",
            "$raw_user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
            "$screen_height": 1080,
            "$screen_width": 1920,
            "$viewport_height": 960,
            "$viewport_width": 1920,
            "$lib": "web",
            "$lib_version": "1.449.2",
            "$referrer": "$direct",
            "$referring_domain": "$direct",
            "$time": at,
        }
        if chain:
            properties["$event_type"] = "click"
            properties["$elements_chain"] = chain.format(slug=slug)
            properties["$el_text"] = text
        events.append({
            "uuid": "%08x-0000-7000-8000-%012x" % (index, n),
            "event": event,
            "properties": properties,
            "timestamp": iso(at),
        })
    return events


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the service, e.g. http://127.0.0.1:8787")
    parser.add_argument("--token", required=True, help="the product's posthog_token")
    parser.add_argument("--sessions", type=int, default=10000)
    parser.add_argument("--prefix", default="bench")
    parser.add_argument("--batch", type=int, default=50, help="events per request")
    args = parser.parse_args()

    target = urllib.parse.urlsplit(args.url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    headers = {"Content-Type": "application/json"}
    now = time.time()
    pending = []
    sent = 0
    started = time.monotonic()

    def flush():
        nonlocal pending, sent
        body = json.dumps({"api_key": args.token, "batch": pending, "sent_at": iso(time.time())})
        connection.request("POST", "/batch/", body, headers)
        response = connection.getresponse()
        answer = response.read()
        if response.status != 200:
            sys.exit("POST /batch/ answered %d: %s" % (response.status, answer[:200]))
        sent += len(pending)
        pending = []

    for index in range(args.sessions):
        pending.extend(session_events(args.token, "%s-%06d" % (args.prefix, index), index, now))
        if len(pending) >= args.batch:
            flush()
    if pending:
        flush()
    elapsed = time.monotonic() - started
    print("seeded %d sessions, %d events in %.1f s" % (args.sessions, sent, elapsed))


if __name__ == "__main__":
    main()
