#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through ctest:
# first the core-only configuration (proves the core needs no GUI package),
# then the full one. GUI tests use the offscreen platform.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-2G}"
export QT_QPA_PLATFORM=offscreen
export QTWEBENGINE_DISABLE_SANDBOX=1
jobs=$(nproc)

for preset in core-only dev; do
    echo "== $preset: configure and build"
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" -j "$jobs"
    echo "== $preset: ctest"
    ctest --preset "$preset" -j "$jobs"
done
