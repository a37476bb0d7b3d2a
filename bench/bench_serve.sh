#!/usr/bin/env bash
# Loopback HTTP benchmark of `proactive-studio serve` (issue 4):
#   1. /context poll throughput and latency percentiles (wrk --latency) with
#      SESSIONS sessions seeded through /batch/, rotating over all of them,
#      against /healthz in PAIRS pairs of alternate runs, with the server's
#      CPU time per request;
#   2. posthog-js intake: /batch/ events per second;
#   3. server memory (VmRSS, VmHWM) with MEMORY_SESSIONS sessions seeded.
# Builds nothing and installs nothing. Needs: wrk (Debian package `wrk`),
# python3, and taskset (util-linux) for pinning.
#
# Usage: bench/bench_serve.sh path/to/proactive-studio
#   (a Release build: cmake --preset release && cmake --build --preset release
#    --target proactive-studio, then build/release/app/proactive-studio)
# Settings, as environment variables:
#   DURATION=10s CONNECTIONS=32 THREADS=1       the wrk runs
#   SESSIONS=10000 MEMORY_SESSIONS=100000       seeded sessions (5 events each)
#   BATCH_EVENTS=10                             events per /batch/ request in step 2
#   PAIRS=3                                     alternate /healthz and /context runs
#   PIN=1                                       server on CPU 0, wrk on CPU 1 (PIN=0: no pinning)
set -euo pipefail

studio=${1:?usage: bench/bench_serve.sh path/to/proactive-studio}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
threads=${THREADS:-1}
sessions=${SESSIONS:-10000}
memory_sessions=${MEMORY_SESSIONS:-100000}
batch_events=${BATCH_EVENTS:-10}
pin=${PIN:-1}

here=$(cd "$(dirname "$0")" && pwd)
[[ -x "$studio" ]] || { echo "not an executable: $studio" >&2; exit 2; }
for tool in wrk python3; do
    command -v "$tool" >/dev/null || { echo "bench_serve.sh needs $tool (apt-get install wrk python3)" >&2; exit 2; }
done
server_cpu=() wrk_cpu=()
if [[ "$pin" == 1 ]] && command -v taskset >/dev/null && (( $(nproc) >= 2 )); then
    server_cpu=(taskset -c 0) wrk_cpu=(taskset -c 1)
fi

work=$(mktemp -d)
server_pid=
stop_server() {
    if [[ -n "$server_pid" ]]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
}
trap 'stop_server; rm -rf "$work"' EXIT

# The demo's kinds of triggers: a custom count condition over the elements
# chain, and the three built-ins. lookback_s is an hour so the seeded
# activity stays in the evaluation window for the whole run; the dwell
# threshold is beyond the run, so no poll fires and every poll evaluates
# every trigger (the most expensive common case). Seeding opens sessions as
# fast as the server takes them: no bound on new sessions a second.
token=phc_bench
mkdir -p "$work/workspace"
sed "s/@TOKEN@/$token/" "$here/serve/products.json.in" > "$work/workspace/products.json"

start_server() {
    : > "$work/out"
    "${server_cpu[@]}" "$studio" serve --workspace "$work/workspace" --listen 127.0.0.1:0 --memory --quiet \
        > "$work/out" 2> "$work/err" &
    server_pid=$!
    for _ in $(seq 100); do
        grep -q '^listening on ' "$work/out" && break
        kill -0 "$server_pid" 2>/dev/null || { cat "$work/err" >&2; exit 1; }
        sleep 0.1
    done
    url=$(sed -n 's/^listening on //p' "$work/out")
    [[ -n "$url" ]] || { echo "the server did not start" >&2; cat "$work/err" >&2; exit 1; }
}
memory() { awk '/^(VmRSS|VmHWM):/ { printf "%s %.1f MiB  ", $1, $2 / 1024 }' "/proc/$server_pid/status"; echo; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status"; }
requests_per_second() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }

echo "== machine: $(nproc) CPUs, $(awk '/^model name/ { $1 = $2 = $3 = ""; print; exit }' /proc/cpuinfo | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== server: $studio${server_cpu:+ (pinned to CPU 0, wrk to CPU 1)}"

start_server
echo "== seeding $sessions sessions through /batch/"
python3 "$here/serve/seed_sessions.py" --url "$url" --token "$token" --sessions "$sessions" --prefix bench
echo "   server memory: $(memory)"

# /context against /healthz in alternate runs, each pair in the other order
# than the last (the machine's other load moves from second to second), with
# the server's CPU time per request, which that load moves less than req/s.
server_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
wrk_endpoint() { # endpoint output-file
    if [[ "$1" == healthz ]]; then
        "${wrk_cpu[@]}" wrk -t"$threads" -c"$connections" -d"$duration" --latency "$url/healthz" > "$2"
    else
        "${wrk_cpu[@]}" wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$here/serve/context.lua" \
            "$url" -- bench "$sessions" bench > "$2"
    fi
}
echo "== GET /context over $sessions sessions against GET /healthz, ${PAIRS:-3} alternate pairs:" \
    "wrk -t$threads -c$connections -d$duration --latency"
ticks_per_second=$(getconf CLK_TCK)
for pair in $(seq "${PAIRS:-3}"); do
    order=(healthz context)
    (( pair % 2 == 0 )) && order=(context healthz)
    for endpoint in "${order[@]}"; do
        before_ticks=$(server_cpu_ticks)
        wrk_endpoint "$endpoint" "$work/run.txt"
        ticks=$(( $(server_cpu_ticks) - before_ticks ))
        requests=$(awk '/ requests in / { print $1 }' "$work/run.txt")
        rate=$(requests_per_second "$work/run.txt")
        echo "$pair $endpoint $rate" >> "$work/rates.txt"
        [[ "$endpoint" == context ]] && cp "$work/run.txt" "$work/context.txt"
        printf '   %-8s %10s req/s  p99 %-8s server CPU %5.1f µs a request%s\n' "/$endpoint" "$rate" \
            "$(awk '$1 == "99%" { print $2 }' "$work/run.txt")" \
            "$(awk -v t="$ticks" -v r="$requests" -v h="$ticks_per_second" 'BEGIN { print t * 1e6 / h / r }')" \
            "$(grep -q '^  Non-2xx' "$work/run.txt" && echo '  (some answers not 2xx)')"
    done
done
context_ratio=$(awk '{ rate[$2] += $3 } END { printf "%.2f", rate["context"] / rate["healthz"] }' "$work/rates.txt")
echo "   /context = $context_ratio × /healthz (req/s, all runs)"

echo "== POST /batch/ with $batch_events events per request: wrk -t$threads -c$connections -d$duration --latency"
"${wrk_cpu[@]}" wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$here/serve/batch.lua" "$url" \
    -- "$token" "$batch_events" "$sessions" intake | tee "$work/batch.txt"
rps=$(requests_per_second "$work/batch.txt")
echo "   intake: $(awk -v r="$rps" -v e="$batch_events" 'BEGIN { printf "%.0f", r * e }') events/s"
echo "   server memory: $(memory)"
stop_server

start_server
before=$(rss_kib)
echo "== memory: $memory_sessions sessions seeded into a fresh server (RSS at start $(( before / 1024 )) MiB)"
python3 "$here/serve/seed_sessions.py" --url "$url" --token "$token" --sessions "$memory_sessions" --prefix mem
after=$(rss_kib)
echo "   server memory: $(memory)"
echo "   per session: $(awk -v a="$after" -v b="$before" -v n="$memory_sessions" 'BEGIN { printf "%.1f KiB", (a - b) / n }') (5 actions each)"
stop_server

echo "== summary"
echo "   /context: $(requests_per_second "$work/context.txt") req/s, p50 $(awk '$1 == "50%" { print $2 }' "$work/context.txt"), p99 $(awk '$1 == "99%" { print $2 }' "$work/context.txt") (target ≥ 20000 req/s, p99 ≤ 5 ms); $context_ratio × /healthz (target ≥ 0.9)"
echo "   /batch/: $(awk -v r="$rps" -v e="$batch_events" 'BEGIN { printf "%.0f", r * e }') events/s ($batch_events per request)"
echo "   memory with $memory_sessions sessions: $(( after / 1024 )) MiB RSS"
