#!/usr/bin/env bash
# Installs alembic-guard on Debian: build dependencies (apt, only what is missing), a build
# in build/, and the binary in /usr/local/bin (root or sudo) or ~/.local/bin.
#   ./install.sh          what the product needs, build, install
#   ./install.sh --dev    also what the tests need (python3-alembic, git servers, ...)
#   ./install.sh --static one static binary instead (build-static/; Debian's static libraries)
# Environment: ALEMBIC_GUARD_WERROR=ON builds with -Werror (CI does).
set -euo pipefail
cd "$(dirname "$0")"

dev=0
static=0
for arg in "$@"; do
  case "$arg" in
    --dev) dev=1 ;;
    --static) static=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

product_pkgs=(g++ make cmake pkg-config git libgit2-dev libdeflate-dev zlib1g-dev libfmt-dev nlohmann-json3-dev libcli11-dev
              libtomlplusplus-dev doctest-dev python3)
dev_pkgs=(python3 python3-alembic python3-yaml lighttpd pre-commit gitolite3 openssh-server openssh-client busybox-static
          clang-14 libclang-rt-14-dev libpython3.11-testsuite)
# The Python 3.12 compile() oracle (pyodide, from npm) runs under Node.js >= 18.
if [ "$dev" = 1 ] && ! command -v node >/dev/null 2>&1; then dev_pkgs+=(nodejs npm); fi
# The static link: libssh2.a (via libgit2-dev) also needs OpenSSL's and libgcrypt's archives.
static_pkgs=(libssl-dev libgcrypt20-dev libgpg-error-dev file)

can_root=1
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=sudo; else can_root=0; fi
fi

missing=()
wanted=("${product_pkgs[@]}")
[ "$dev" = 1 ] && wanted+=("${dev_pkgs[@]}")
[ "$static" = 1 ] && wanted+=("${static_pkgs[@]}")
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$can_root" = 1 ]; then
    echo "install.sh: installing ${missing[*]}"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "install.sh: these Debian packages are missing and I cannot install them without root or sudo:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

jobs=$(nproc 2>/dev/null || echo 2)
if [ "$static" = 1 ]; then
  builddir=build-static
  cmake -S . -B build-static -DCMAKE_BUILD_TYPE=RelWithDebInfo -DALEMBIC_GUARD_STATIC=ON -DALEMBIC_GUARD_TESTS=OFF \
        -DALEMBIC_GUARD_WERROR="${ALEMBIC_GUARD_WERROR:-OFF}" >/dev/null
  cmake --build build-static -j "$jobs"
  file build-static/alembic-guard | grep -q 'statically linked' || {
    echo "install.sh: build-static/alembic-guard is not statically linked" >&2; exit 1; }
else
  builddir=build
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DALEMBIC_GUARD_WERROR="${ALEMBIC_GUARD_WERROR:-OFF}" >/dev/null
  cmake --build build -j "$jobs"
fi

if [ "$dev" = 1 ]; then
  # Real CPython 3.12 and 3.13 compile() for the tests (installs nothing on the system; exit 77
  # when a source is unreachable: the tests then skip, except under CI=true).
  oracle_rc=0; bash tests/python_compile/oracles/setup.sh build/oracles || oracle_rc=$?
  if [ "$oracle_rc" != 0 ] && { [ "$oracle_rc" != 77 ] || [ "${CI:-}" = true ]; }; then exit "$oracle_rc"; fi
  oracle_rc=0; bash tests/differential/alembic_oracles.sh build/oracles || oracle_rc=$?   # Alembic 1.13.2, 1.18.4
  if [ "$oracle_rc" != 0 ] && { [ "$oracle_rc" != 77 ] || [ "${CI:-}" = true ]; }; then exit "$oracle_rc"; fi
fi

if [ "$can_root" = 1 ]; then
  dest=/usr/local/bin
  $sudo install -m 0755 "$builddir/alembic-guard" "$dest/alembic-guard"
else
  dest="$HOME/.local/bin"
  mkdir -p "$dest"
  install -m 0755 "$builddir/alembic-guard" "$dest/alembic-guard"
  case ":$PATH:" in
    *":$dest:"*) ;;
    *) echo "install.sh: $dest is not on your PATH; add this line to ~/.profile:"
       echo "  export PATH=\"\$HOME/.local/bin:\$PATH\"" ;;
  esac
fi
echo "install.sh: installed $dest/alembic-guard ($("$dest/alembic-guard" --version))"
