#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang, ASan + UBSan, core
# libraries only), replays every input under fuzz/regressions/<target>/, then
# fuzzes each target for SECONDS (default 60) from its seed corpus.
# Exits 1 on any crash, leak, timeout or sanitizer report, naming the input
# that reproduces it. Usage: scripts/fuzz.sh [SECONDS]
#
# Inputs named pending-* are known findings in code this project has not
# fixed yet: they are listed, not replayed.
#
# FUZZ_SEED sets libFuzzer's seed (default 0: a random one). scripts/test.sh
# (CI) sets it, so that a landing fails for a finding its own change put in
# reach, found again by every run on the same code, not for one a random
# walk happened upon; longer runs with random seeds look further.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
seed="${FUZZ_SEED:-0}"
[[ "$seed" =~ ^[0-9]+$ ]] || { echo "FUZZ_SEED must be a whole number" >&2; exit 2; }
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2; }

# clang and its runtimes (libFuzzer, the sanitizers), only when missing;
# the rest of the core's dependencies as for the core-only build.
missing=()
for p in clang libclang-rt-14-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "Installing missing packages: ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
scripts/install-deps.sh --core-only

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
echo "== fuzz: configure and build"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

build=build/fuzz
# A UBSan report is a crash; leaks are reported by ASan when the run ends.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1

failures=0
report() { # target, log, reproducer
    echo "FAIL $1: see $2"
    grep -a -E -m 5 "ERROR: |runtime error|fuzz property violated|SUMMARY" "$2" | cut -c 1-300 | sed 's/^/    /' || true
    echo "    reproduce: $build/fuzz/fuzz_$1 $3"
    failures=$((failures + 1))
}

while IFS=$'\t' read -r -a fields; do
    name="${fields[0]}"
    binary="${fields[1]}"
    seeds=("${fields[@]:2}")
    regressions="fuzz/regressions/$name"
    corpus="$build/corpus/$name"
    artifacts="$build/artifacts/$name"
    logs="$build/logs"
    mkdir -p "$corpus" "$artifacts" "$logs"

    # Regressions: each input once, as a plain input.
    inputs=()
    if [[ -d "$regressions" ]]; then
        while IFS= read -r -d '' file; do
            if [[ "$(basename "$file")" == pending-* ]]; then
                echo "pending $name: $file (a known finding, not replayed)"
            else
                inputs+=("$file")
            fi
        done < <(find "$regressions" -type f -print0 | sort -z)
    fi
    if [[ ${#inputs[@]} -gt 0 ]]; then
        log="$logs/$name-regressions.log"
        if "$binary" "${inputs[@]}" </dev/null >"$log" 2>&1; then
            echo "ok   $name: ${#inputs[@]} regression inputs"
        else
            failed=$(grep -a -o "Running: .*" "$log" | tail -1 | sed 's/^Running: //' || true)
            report "$name" "$log" "${failed:-$regressions}"
            continue
        fi
        cp "${inputs[@]}" "$corpus/"
    fi

    [[ "$seconds" -gt 0 ]] || continue
    # New inputs go to the scratch corpus (first folder); the seeds are read only.
    existing_seeds=()
    for dir in "${seeds[@]}"; do
        [[ -d "$dir" ]] && existing_seeds+=("$dir")
    done
    dict=()
    [[ -f "fuzz/dicts/$name.dict" ]] && dict=(-dict="fuzz/dicts/$name.dict")
    log="$logs/$name.log"
    if "$binary" "${dict[@]}" -max_total_time="$seconds" -seed="$seed" -timeout=10 -artifact_prefix="$artifacts/" \
        -print_final_stats=1 "$corpus" "${existing_seeds[@]}" </dev/null >"$log" 2>&1; then
        runs=$(grep -a -o -m 1 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
        echo "ok   $name: $runs runs in ${seconds}s"
    else
        reproducer=$(grep -a -o "Test unit written to .*" "$log" | tail -1 | sed 's/^Test unit written to //' || true)
        report "$name" "$log" "${reproducer:-(see the log)}"
    fi
done <"$build/fuzz/fuzzers.txt"

if [[ $failures -gt 0 ]]; then
    echo "== fuzz: $failures target(s) failed; move a reproducer into fuzz/regressions/<target>/ once fixed"
    exit 1
fi
echo "== fuzz: every target passed"
