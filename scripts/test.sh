#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through ctest:
# first the core-only configuration (proves the core needs no GUI package),
# then the full one, then the core and service tests under ASan + UBSan and
# the fuzz targets. GUI tests use the offscreen platform.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Hits across checkouts in other directories (CI clones, worktrees).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
export QT_QPA_PLATFORM=offscreen
# Chromium refuses to run its sandbox as root; only then is it turned off.
# A user's studio loads arbitrary product URLs and keeps the sandbox.
if [[ $(id -u) -eq 0 ]]; then
    export QTWEBENGINE_DISABLE_SANDBOX=1
fi
jobs=$(nproc)

for preset in core-only dev; do
    if [[ "$preset" != core-only ]]; then
        # The browser end-to-end test serves the real posthog-js, pinned in its lock file.
        command -v npm >/dev/null || { echo "npm (Node.js 18 or newer) is needed for tests/e2e" >&2; exit 1; }
        echo "== $preset: npm ci in tests/e2e"
        (cd tests/e2e && npm ci --ignore-scripts --no-audit --no-fund)
    fi
    echo "== $preset: configure and build"
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" -j "$jobs"
    echo "== $preset: ctest"
    ctest --preset "$preset" -j "$jobs"
done

# The core and the HTTP service again under AddressSanitizer + UBSan, in a
# Debug build of their tests only (tests_core, tests_service targets).
echo "== asan: configure and build the core and service tests"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs" --target tests_core tests_service
echo "== asan: ctest (labels core and service)"
ctest --preset asan -j "$jobs"

# The parsers of untrusted input under libFuzzer (clang, ASan + UBSan, core
# libraries only): every regression input, then 10 s of fuzzing per target
# from a fixed seed (see scripts/fuzz.sh).
echo "== fuzz: regressions and 10 s per target"
FUZZ_SEED=1 scripts/fuzz.sh 10
