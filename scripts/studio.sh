#!/usr/bin/env bash
# Installs what is missing, builds, and starts Proactive Studio on the bundled
# demo workspace. Extra arguments go to proactive-studio.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export QTWEBENGINE_DISABLE_SANDBOX=1
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$(nproc)"

studio=build/dev/app/proactive-studio
workspace=resources/demo-workspace
if [[ $# -gt 0 ]]; then
    exec "$studio" "$@"
fi
# The GUI studio is not built yet (issue 5): show the CLI on the demo workspace.
"$studio" validate "$workspace"
exec "$studio" eval "$workspace" --product demo --events "$workspace/sessions/ping-pong.jsonl"
