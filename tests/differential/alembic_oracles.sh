#!/usr/bin/env bash
# Prepares the Alembic 1.13.2 and 1.18.4 oracles of the differential tests (1.8.1 is the system's
# python3-alembic, run by /usr/bin/python3).
#   tests/differential/alembic_oracles.sh [DIR]      (default: <repo>/build/oracles)
# Idempotent: a ready oracle is checked and kept. Exit 0 when both are ready, 77 when one cannot
# be had here (the line starting "SKIP:" says which and why), 1 on anything unexpected.
#
# Both are Debian's own python3-alembic (1.13.2 from Debian 13 trixie, 1.18.4 from sid), fetched
# with a private apt state (nothing is installed on the system) and unpacked with dpkg-deb into
# DIR/alembic-<version>/. They are pure Python and run on the system's python3 with its
# SQLAlchemy and Mako:
#   PYTHONPATH=DIR/alembic-1.18.4/usr/lib/python3/dist-packages /usr/bin/python3 -m alembic heads
# Both import typing_extensions (>= 4.12 for 1.18), which bookworm's python3-alembic does not
# pull in and bookworm ships as 4.4: trixie's python3-typing-extensions (pure Python) is unpacked
# beside each, so the oracle does not depend on what the machine happens to have.
# Environment: ALEMBIC_ORACLES="1.13.2 1.18.4" limits what is prepared.
set -euo pipefail

# The exact Debian versions (apt-cache policy against the suites below, 2026-12). A suite that
# moves on drops the old .deb from its index: bump the version here after checking it again.
declare -A DEBIAN_VERSION=([1.13.2]=1.13.2-4 [1.18.4]=1.18.4-2)
declare -A DEBIAN_SUITE=([1.13.2]=trixie [1.18.4]=sid)
TYPING_EXTENSIONS=4.13.2-1          # python3-typing-extensions of trixie

root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$root/build/oracles}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
want=${ALEMBIC_ORACLES:-1.13.2 1.18.4}
python=/usr/bin/python3
start_all=$(date +%s.%N)
trap 'echo "alembic oracles: failed at line $LINENO (exit $?)" >&2; exit 1' ERR
log() { echo "alembic oracles: $*"; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }

check_one() {   # prints the version the unpacked Alembic reports, when it imports (from there)
  "$python" -I -B -c 'import sys
sys.path.insert(0, sys.argv[1])
import alembic, alembic.config, alembic.script, alembic.command, typing_extensions
assert alembic.__file__.startswith(sys.argv[1]), alembic.__file__
assert typing_extensions.__file__.startswith(sys.argv[1]), typing_extensions.__file__
print(alembic.__version__)' "$dir/alembic-$1/usr/lib/python3/dist-packages" 2>/dev/null
}

ready() {
  local v
  [ -f "$dir/alembic-$1/READY" ] && [ "$(cat "$dir/alembic-$1/READY")" = "${DEBIAN_VERSION[$1]} $TYPING_EXTENSIONS" ] &&
    v=$(check_one "$1") && [ "$v" = "$1" ]
}

todo=()
for v in $want; do
  [ -n "${DEBIAN_VERSION[$v]:-}" ] || { echo "alembic oracles: unknown version '$v' (known: ${!DEBIAN_VERSION[*]})" >&2; exit 1; }
  if ready "$v"; then log "$v: already ready (python3-alembic ${DEBIAN_VERSION[$v]})"; else todo+=("$v"); fi
done
[ "${#todo[@]}" = 0 ] && { log "ready in $dir ($want; 1.8.1 is the system's), $(elapsed "$start_all")"; exit 0; }

[ -x "$python" ] || { echo "SKIP: the Alembic oracles need $python"; exit 77; }
"$python" -c 'import sqlalchemy, mako' 2>/dev/null ||
  { echo "SKIP: the Alembic oracles need SQLAlchemy and Mako for $python (apt-get install python3-alembic)"; exit 77; }
# shellcheck source=SCRIPTDIR/../debian_download.sh
. "$root/tests/debian_download.sh"
why=$(debian_download_missing) || { echo "SKIP: the Alembic oracles: $why"; exit 77; }
suites=$( (echo trixie; for v in "${todo[@]}"; do echo "${DEBIAN_SUITE[$v]}"; done) | sort -u | tr '\n' ' ')
R=$dir/.apt-alembic
trap 'rm -rf "$R"' EXIT
pkgs=("python3-typing-extensions=$TYPING_EXTENSIONS")
for v in "${todo[@]}"; do pkgs+=("python3-alembic=${DEBIAN_VERSION[$v]}"); done
t0=$(date +%s.%N)
if ! out=$(debian_download "$R" "${suites% }" "${pkgs[@]}"); then
  echo "$out"
  echo "SKIP: the Alembic oracles could not be downloaded (bump DEBIAN_VERSION in $0 when a suite moved on)"; exit 77
fi
log "downloaded ${pkgs[*]} from $(debian_mirror), $(elapsed "$t0")"

rc=0
for v in "${todo[@]}"; do
  deb=$R/debs/python3-alembic_${DEBIAN_VERSION[$v]//:/%3a}_all.deb
  [ -f "$deb" ] || { echo "alembic oracles: python3-alembic ${DEBIAN_VERSION[$v]} was downloaded but is not in $R/debs" >&2; exit 1; }
  rm -rf "$dir/alembic-$v"
  mkdir -p "$dir/alembic-$v"
  dpkg-deb -x "$deb" "$dir/alembic-$v"
  dpkg-deb -x "$R"/debs/python3-typing-extensions_*_all.deb "$dir/alembic-$v"
  if ! got=$(check_one "$v") || [ "$got" != "$v" ]; then
    { PYTHONPATH="$dir/alembic-$v/usr/lib/python3/dist-packages" "$python" -c 'import alembic.command' 2>&1 || true; } |
      sed 's/^/  /' | tail -5
    echo "SKIP: Alembic oracle $v: the unpacked python3-alembic ${DEBIAN_VERSION[$v]} does not import under $python (reports '${got:-}')"
    rc=77; continue
  fi
  echo "${DEBIAN_VERSION[$v]} $TYPING_EXTENSIONS" > "$dir/alembic-$v/READY"
  log "$v: python3-alembic ${DEBIAN_VERSION[$v]} (Debian ${DEBIAN_SUITE[$v]}, python3-typing-extensions $TYPING_EXTENSIONS) in $dir/alembic-$v"
done
[ "$rc" = 0 ] || { log "not all Alembic oracles are available ($(elapsed "$start_all"))"; exit 77; }
log "ready in $dir ($want; 1.8.1 is the system's), $(elapsed "$start_all")"
