#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through ctest:
# first the core-only configuration (proves the core needs no GUI package),
# then the full one. GUI tests use the offscreen platform.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Hits across checkouts in other directories (CI clones, worktrees).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
export QT_QPA_PLATFORM=offscreen
export QTWEBENGINE_DISABLE_SANDBOX=1
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
