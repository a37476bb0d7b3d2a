#!/usr/bin/env bash
# Scale-out benchmark (issue 17): wrk through nginx to
#   A. 1 `serve` instance on SQLite,
#   B. 1 instance on Redis,
#   C. 2 instances on Redis,
# each with the same SESSIONS seeded sessions, polling GET /context over all
# of them (the common case: no trigger fires). Prints requests/s, p50/p99,
# the ratios, and where the time goes: CPU seconds each process (instances,
# Redis, nginx) used during the run. Then runs bench_redisstore (round
# trips and latency per call) against the same Redis.
# Builds nothing and installs nothing. Needs wrk, nginx, redis-server, python3.
#
# Usage: bench/bench_scaleout.sh path/to/proactive-studio [path/to/bench_redisstore]
# Settings: DURATION=10s CONNECTIONS=32 THREADS=1 SESSIONS=10000
set -euo pipefail

studio=${1:?usage: bench/bench_scaleout.sh path/to/proactive-studio [path/to/bench_redisstore]}
redisbench=${2:-}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
threads=${THREADS:-1}
sessions=${SESSIONS:-10000}
here=$(cd "$(dirname "$0")" && pwd)
nginx=$(command -v nginx || echo /usr/sbin/nginx)
for tool in wrk redis-server python3 "$nginx"; do
    command -v "$tool" >/dev/null || { echo "bench_scaleout.sh needs $tool (apt-get install wrk redis-server nginx-light python3)" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# CPU seconds of a process and its children (nginx's master does no work, its worker does).
cpu_seconds() {
    local total=0 pid
    for pid in "$1" $(ps -o pid= --ppid "$1"); do
        total=$(awk -v t="$total" '{ printf "%.2f", t + ($14 + $15) / 100 }' "/proc/$pid/stat" 2>/dev/null || echo "$total")
    done
    echo "$total"
}
token=phc_bench
mkdir -p "$work/workspace"
sed "s/@TOKEN@/$token/" "$here/serve/products.json.in" > "$work/workspace/products.json"

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save "" --appendonly yes --appendfsync everysec \
    --logfile "$work/redis.log" &
redis_pid=$!
pids+=("$redis_pid")
for _ in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $redis_port))" 2>/dev/null && break; sleep 0.1; done

start_instance() { # store → sets instance_pid, instance_port
    local out="$work/out.$RANDOM"
    "$studio" serve --workspace "$work/workspace" --listen 127.0.0.1:0 --store "$1" --quiet > "$out" 2> "$out.err" &
    instance_pid=$!
    pids+=("$instance_pid")
    for _ in $(seq 100); do grep -q '^listening on ' "$out" && break; sleep 0.1; done
    instance_port=$(sed -n 's/^listening on http:\/\/127.0.0.1://p' "$out")
    [[ -n "$instance_port" ]] || { cat "$out.err" >&2; exit 1; }
}

start_nginx() { # upstream ports... → sets nginx_pid, nginx_port
    nginx_port=$(free_port)
    local conf="$work/nginx.$nginx_port"
    mkdir -p "$conf"
    {
        [[ $(id -u) -eq 0 ]] && echo "user root;"
        echo "worker_processes 1; pid $conf/nginx.pid; error_log $conf/error.log warn;"
        echo "events { worker_connections 1024; }"
        echo "http { access_log off; client_body_temp_path $conf/body; proxy_temp_path $conf/proxy;"
        echo "  fastcgi_temp_path $conf/f; uwsgi_temp_path $conf/u; scgi_temp_path $conf/s;"
        echo "  upstream proactive {"
        for port in "$@"; do echo "    server 127.0.0.1:$port;"; done
        echo "    keepalive 64; }"
        echo "  server { listen 127.0.0.1:$nginx_port; client_max_body_size 20m;"
        echo "    location / { proxy_pass http://proactive; proxy_http_version 1.1; proxy_set_header Connection \"\"; } } }"
    } > "$conf/nginx.conf"
    "$nginx" -p "$conf" -c "$conf/nginx.conf" -g 'daemon off;' &
    nginx_pid=$!
    pids+=("$nginx_pid")
    sleep 0.5
}

# run NAME STORE INSTANCES: seeds, then wrk through nginx; prints one summary line.
declare -A rps
run() {
    local name=$1 store=$2 count=$3 ports=() instance_pids=()
    for _ in $(seq "$count"); do
        start_instance "$store"
        ports+=("$instance_port") instance_pids+=("$instance_pid")
    done
    start_nginx "${ports[@]}"
    python3 "$here/serve/seed_sessions.py" --url "http://127.0.0.1:$nginx_port" --token "$token" \
        --sessions "$sessions" --prefix bench > /dev/null
    local watched=("${instance_pids[@]}" "$nginx_pid")
    [[ "$store" == redis://* ]] && watched+=("$redis_pid")
    declare -A before
    for pid in "${watched[@]}"; do before[$pid]=$(cpu_seconds "$pid"); done
    wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$here/serve/context.lua" \
        "http://127.0.0.1:$nginx_port" -- bench "$sessions" bench > "$work/$name.txt"
    rps[$name]=$(awk '/^Requests\/sec:/ { print $2 }' "$work/$name.txt")
    local p50 p99 cpu=""
    p50=$(awk '$1 == "50%" { print $2 }' "$work/$name.txt")
    p99=$(awk '$1 == "99%" { print $2 }' "$work/$name.txt")
    for pid in "${instance_pids[@]}"; do cpu+="serve $(awk -v a="$(cpu_seconds "$pid")" -v b="${before[$pid]}" 'BEGIN { printf "%.1f", a - b }')s  "; done
    [[ "$store" == redis://* ]] && cpu+="redis $(awk -v a="$(cpu_seconds "$redis_pid")" -v b="${before[$redis_pid]}" 'BEGIN { printf "%.1f", a - b }')s  "
    cpu+="nginx $(awk -v a="$(cpu_seconds "$nginx_pid")" -v b="${before[$nginx_pid]}" 'BEGIN { printf "%.1f", a - b }')s"
    printf "  %-26s %9s req/s  p50 %8s  p99 %8s  CPU during the run: %s\n" "$name" "${rps[$name]}" "$p50" "$p99" "$cpu"
    for pid in "${instance_pids[@]}" "$nginx_pid"; do kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; done
}

echo "== machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$threads -c$connections -d$duration, $sessions sessions"
run "1 instance, SQLite" "sqlite:$work/connector.db" 1
run "1 instance, Redis" "redis://127.0.0.1:$redis_port/0?prefix=one" 1
run "2 instances, Redis" "redis://127.0.0.1:$redis_port/0?prefix=two" 2
echo "== ratios: Redis 1/SQLite $(awk -v a="${rps["1 instance, Redis"]}" -v b="${rps["1 instance, SQLite"]}" 'BEGIN { printf "%.2f", a / b }'), Redis 2/1 $(awk -v a="${rps["2 instances, Redis"]}" -v b="${rps["1 instance, Redis"]}" 'BEGIN { printf "%.2f", a / b }')"

if [[ -n "$redisbench" ]]; then
    echo "== $redisbench: round trips and latency per call"
    "$redisbench" "redis://127.0.0.1:$redis_port/0" 2000
fi
