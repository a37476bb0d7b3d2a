#!/usr/bin/env bash
# Installs what is missing, builds, and starts Proactive Studio on the bundled
# demo workspace. Extra arguments go to proactive-studio.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Hits across checkouts in other directories (CI clones, worktrees).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
# Chromium refuses to run its sandbox as root; only then is it turned off.
# A user's studio loads arbitrary product URLs and keeps the sandbox.
if [[ $(id -u) -eq 0 ]]; then
    export QTWEBENGINE_DISABLE_SANDBOX=1
fi
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$(nproc)"

studio=build/dev/app/proactive-studio
# Without a display (ssh, containers) the studio runs under a virtual one.
if [[ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]] && command -v xvfb-run >/dev/null; then
    echo "No display: starting the studio under Xvfb (xvfb-run)." >&2
    exec xvfb-run -a -s "-screen 0 1600x1000x24" "$studio" "$@"
fi
exec "$studio" "$@"
