#!/usr/bin/env bash
# Builds the release preset with Debian's hardening flags and packs it into
# a .deb with CPack (packaging/CMakeLists.txt), then checks it with lintian.
# Prints the package's path; install it with: sudo apt install ./<path>
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
export QT_QPA_PLATFORM=offscreen # the build runs the binary's --help for the man pages

# The compiler and linker flags Debian builds its packages with (hardening:
# fortify, stack protector, relro, bind now, PIE).
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
cxxflags="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CXXFLAGS)"
ldflags="$(dpkg-buildflags --get LDFLAGS)"

echo "== package: configure and build (release)"
cmake --preset package -DCMAKE_CXX_FLAGS="$cxxflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" >/dev/null
cmake --build --preset package -j "$(nproc)"

echo "== package: cpack"
rm -rf build/package/deb
cpack --config build/package/CPackConfig.cmake -B build/package/deb
rm -rf build/package/deb/_CPack_Packages
deb=$(echo build/package/deb/*.deb)

echo "== package: lintian"
lintian --fail-on error "$deb"
echo "Built $deb"
echo "Install it with: sudo apt install ./$deb"
