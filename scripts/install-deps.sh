#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the tests and the studio need,
# only those that are missing. Usage: scripts/install-deps.sh [--core-only]
set -euo pipefail

core_packages=(
    build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev qt6-httpserver-dev
    nlohmann-json3-dev libsqlite3-dev libre2-dev zlib1g-dev libhiredis-dev
    libbenchmark-dev
    # The Redis store's tests start their own redis-server.
    redis-server
)
gui_packages=(
    qt6-webengine-dev qt6-webchannel-dev qt6-websockets-dev qt6-charts-dev qt6-svg-dev
    qtkeychain-qt6-dev libgl-dev xvfb xauth
    # The scale-out test puts nginx in front of two `serve` instances.
    nginx-light
)
# The Debian package (scripts/package.sh) and its test: CPack's dependency
# list (dpkg-shlibdeps, file), and the checkers the test runs.
package_packages=(
    dpkg-dev file lintian desktop-file-utils appstream man-db systemd
)

packages=("${core_packages[@]}")
if [[ "${1:-}" != "--core-only" ]]; then
    packages+=("${gui_packages[@]}" "${package_packages[@]}")
    # The browser test installs the real posthog-js with npm, and the GUI build
    # rrweb (ui/recording/web/package-lock.json). Any Node.js ≥ 18
    # will do; only when there is none, take Debian's (a NodeSource nodejs
    # already ships npm and conflicts with Debian's npm package).
    command -v npm >/dev/null || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "Installing missing packages: ${missing[*]}"
sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
