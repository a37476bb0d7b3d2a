#!/usr/bin/env bash
# Installs a package built by scripts/package.sh into a fresh, minimal
# Debian 12 (debootstrap --variant=minbase, in a chroot) with apt, and runs
# it there as a user would: --version, validate and serve on the installed
# demo, and the studio (offscreen, with Chromium's sandbox) for 20 s as a
# normal user. Proves that the package's dependencies are complete.
# Needs root and the Debian mirror; downloads about 300 MB; not part of CI.
# Usage: scripts/check-fresh-install.sh [path/to/proactive-studio_*.deb]
set -euo pipefail
cd "$(dirname "$0")/.."

deb=$(realpath "${1:-$(ls build/package/deb/proactive-studio_*.deb | head -1)}")
[[ $(id -u) -eq 0 ]] || { echo "run as root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap

root=$(mktemp -d /tmp/proactive-fresh.XXXXXX)
chmod 755 "$root" # the chroot's / (mktemp makes it 0700)
cleanup() {
    for m in dev/shm dev proc; do umount "$root/$m" 2>/dev/null || true; done
    rm -rf --one-file-system "$root"
}
trap cleanup EXIT

echo "== debootstrap bookworm (minbase) into $root"
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
mount --bind /proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/shm "$root/dev/shm"
cp "$deb" "$root/tmp/"

echo "== apt install ./$(basename "$deb")"
chroot "$root" bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/$(basename "$deb") >/dev/null 2>&1"

echo "== the installed binary"
chroot "$root" proactive-studio --version
chroot "$root" proactive-studio validate /usr/share/proactive-studio/demo-workspace | tail -1
chroot "$root" bash -c '
    proactive-studio serve --workspace /usr/share/proactive-studio/demo-workspace --memory \
        --listen 127.0.0.1:18787 --quiet >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/18787) 2>/dev/null && break; sleep 0.1; done
    exec 3<>/dev/tcp/127.0.0.1/18787
    printf "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" >&3
    status=$(head -1 <&3)
    kill $pid
    echo "serve /healthz: $status"
    [[ $status == *" 200 "* ]]'

echo "== the studio as a normal user, 20 s offscreen"
chroot "$root" useradd -m tester
set +e
chroot "$root" su tester -c 'cd && QT_QPA_PLATFORM=offscreen timeout 20 proactive-studio >/dev/null 2>&1'
status=$?
set -e
[[ $status -eq 124 ]] || { echo "the studio exited with $status before 20 s" >&2; exit 1; }
chroot "$root" su tester -c 'test -f ~/.local/share/proactive-studio/demo-workspace/products.json'
echo "OK: installed on a fresh Debian 12; the studio ran on its copy of the demo workspace"
