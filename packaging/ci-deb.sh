#!/usr/bin/env bash
# CI stage "deb": the .deb built by CPack from build/ installs with apt and works.
#   packaging/ci-deb.sh [--keep]     (root; after ./install.sh has built build/)
# Builds build/alembic-guard_<version>-1_<arch>.deb, installs it with
# `apt-get install -y ./build/<name>.deb`, checks /usr/bin/alembic-guard, the man page, the bash
# completion, README and copyright, runs `/usr/bin/alembic-guard demo`, then removes the package
# again (unless --keep).
set -euo pipefail
cd "$(dirname "$0")/.."
keep=0
[ "${1:-}" = --keep ] && keep=1

cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
rm -f build/alembic-guard_*.deb
(cd build && cpack -G DEB --config CPackConfig.cmake)
deb=$(ls build/alembic-guard_*.deb)
echo "ci-deb: $deb"
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
dpkg-deb --field "$deb" Depends | grep -q '\bgit\b' || { echo "ci-deb: Depends lacks git" >&2; exit 1; }
dpkg-deb --field "$deb" Depends | grep -q 'libgit2' || { echo "ci-deb: Depends lacks what dpkg-shlibdeps finds (libgit2)" >&2; exit 1; }

DEBIAN_FRONTEND=noninteractive apt-get install -y -q "./$deb"
trap '[ "$keep" = 1 ] || DEBIAN_FRONTEND=noninteractive apt-get remove -y -q alembic-guard >/dev/null' EXIT

test -x /usr/bin/alembic-guard
/usr/bin/alembic-guard --version
man -w alembic-guard | grep -q '/usr/share/man/man1/alembic-guard.1.gz'
MANPAGER=cat MANWIDTH=100 man alembic-guard | grep -q 'install-hook'
test -f /usr/share/bash-completion/completions/alembic-guard
bash -n /usr/share/bash-completion/completions/alembic-guard
test -f /usr/share/doc/alembic-guard/README.md
test -f /usr/share/doc/alembic-guard/copyright

demo_home=$(mktemp -d)
HOME=$demo_home XDG_CACHE_HOME=$demo_home/.cache /usr/bin/alembic-guard demo
rm -rf "$demo_home"
echo "ci-deb: OK"
