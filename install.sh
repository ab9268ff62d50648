#!/usr/bin/env bash
# Installs alembic-guard on Debian: build dependencies (apt, only what is missing), a build
# in build/, and the binary in /usr/local/bin (root or sudo) or ~/.local/bin.
#   ./install.sh          what the product needs, build, install
#   ./install.sh --dev    also what the tests need (python3-alembic, git servers, ...)
# Environment: ALEMBIC_GUARD_WERROR=ON builds with -Werror (CI does).
set -euo pipefail
cd "$(dirname "$0")"

dev=0
for arg in "$@"; do
  case "$arg" in
    --dev) dev=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

product_pkgs=(g++ make cmake pkg-config git libgit2-dev libfmt-dev nlohmann-json3-dev libcli11-dev
              libtomlplusplus-dev doctest-dev)
dev_pkgs=(python3 python3-alembic python3-yaml lighttpd pre-commit)

can_root=1
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=sudo; else can_root=0; fi
fi

missing=()
wanted=("${product_pkgs[@]}")
[ "$dev" = 1 ] && wanted+=("${dev_pkgs[@]}")
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
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DALEMBIC_GUARD_WERROR="${ALEMBIC_GUARD_WERROR:-OFF}" >/dev/null
cmake --build build -j "$jobs"

if [ "$can_root" = 1 ]; then
  dest=/usr/local/bin
  $sudo install -m 0755 build/alembic-guard "$dest/alembic-guard"
else
  dest="$HOME/.local/bin"
  mkdir -p "$dest"
  install -m 0755 build/alembic-guard "$dest/alembic-guard"
  case ":$PATH:" in
    *":$dest:"*) ;;
    *) echo "install.sh: $dest is not on your PATH; add this line to ~/.profile:"
       echo "  export PATH=\"\$HOME/.local/bin:\$PATH\"" ;;
  esac
fi
echo "install.sh: installed $dest/alembic-guard ($("$dest/alembic-guard" --version))"
