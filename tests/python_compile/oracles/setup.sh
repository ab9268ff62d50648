#!/usr/bin/env bash
# Prepares the CPython 3.12 and 3.13 compile() oracles (3.11 is the system's /usr/bin/python3).
#   tests/python_compile/oracles/setup.sh [DIR]      (default: <repo>/build/oracles)
# Idempotent: a ready oracle is checked and kept. Exit 0 when both are ready, 77 when one cannot
# be had here (the line starting "SKIP:" says which and why), 1 on anything unexpected.
#
# 3.13: Debian 13 (trixie)'s own python3.13-minimal + libpython3.13-minimal, fetched with a
#       private apt state (nothing is installed on the system) and unpacked with dpkg-deb. It needs
#       glibc >= 2.38, so trixie's libc6 (+ zlib1g, libexpat1) is unpacked beside it and the
#       interpreter is started through trixie's own ld.so: DIR/3.13/bin/python3.13 does that.
# 3.12: no Debian release still ships 3.12, so it is Pyodide 0.27.7 from npm (CPython 3.12.7
#       compiled to WebAssembly, run by the machine's Node.js >= 18); the npm tarball holds the
#       wasm and the whole stdlib, nothing else is downloaded. DIR/3.12/pyodide/.
# Environment: ORACLES="3.12 3.13" limits what is prepared.
set -euo pipefail

PYODIDE_VERSION=0.27.7              # CPython 3.12.7
PYODIDE_INTEGRITY=sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA==
DEBIAN_SUITE=trixie                 # python3.13 as Debian 13 ships it
DEBIAN_PKGS=(python3.13-minimal libpython3.13-minimal libc6 zlib1g libexpat1)

root=$(cd "$(dirname "$0")/../../.." && pwd)
dir=${1:-$root/build/oracles}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
want=${ORACLES:-3.12 3.13}
start_all=$(date +%s.%N)
log() { echo "oracles: $*"; }
# shellcheck source=SCRIPTDIR/../../debian_download.sh
. "$root/tests/debian_download.sh"
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }

# ---------------------------------------------------------------- 3.13 (Debian trixie, native)
check_313() {
  "$dir/3.13/bin/python3.13" -I -S -c \
    'import sys, json, warnings; assert sys.version_info[:2] == (3, 13); print(sys.version.split()[0])' 2>/dev/null
}

setup_313() {
  local t0 v
  t0=$(date +%s.%N)
  if [ -f "$dir/3.13/READY" ] && v=$(check_313); then
    log "3.13: already ready (CPython $v, $(cat "$dir/3.13/READY"))"; return 0
  fi
  local why
  why=$(debian_download_missing) || { echo "SKIP: oracle 3.13: $why"; return 77; }
  local arch; arch=$(dpkg --print-architecture)
  rm -rf "$dir/3.13"
  local R=$dir/.apt
  local pkgs=() p out
  for p in "${DEBIAN_PKGS[@]}"; do pkgs+=("$p/$DEBIAN_SUITE"); done
  if ! out=$(debian_download "$R" "$DEBIAN_SUITE" "${pkgs[@]}"); then
    echo "$out"
    echo "SKIP: oracle 3.13: could not download ${DEBIAN_PKGS[*]} from Debian $DEBIAN_SUITE"; return 77
  fi
  mkdir -p "$dir/3.13/root" "$dir/3.13/bin"
  local deb versions=""
  for deb in "$R"/debs/*.deb; do
    dpkg-deb -x "$deb" "$dir/3.13/root"
    versions+="${versions:+ }$(basename "$deb" .deb | sed 's/_[^_]*$//')"
  done
  local ldso libdir
  ldso=$(find "$dir/3.13/root/usr/lib" "$dir/3.13/root/lib" -maxdepth 2 -name 'ld-linux*.so.*' -type f 2>/dev/null | head -1)
  [ -n "$ldso" ] || { echo "SKIP: oracle 3.13: no ld.so in trixie's libc6 for $arch"; return 77; }
  libdir=$(dirname "$ldso")
  cat > "$dir/3.13/bin/python3.13" <<EOF
#!/bin/sh
# Debian trixie's python3.13, run with trixie's own glibc (bookworm's is too old) through its ld.so.
r=\$(dirname "\$(readlink -f "\$0")")/../root
exec "\$r${ldso#"$dir/3.13/root"}" --library-path "\$r${libdir#"$dir/3.13/root"}" "\$r/usr/bin/python3.13" "\$@"
EOF
  chmod +x "$dir/3.13/bin/python3.13"
  if ! v=$(check_313); then
    "$dir/3.13/bin/python3.13" -I -S -c 'import sys' 2>&1 | sed 's/^/  /' | tail -5
    echo "SKIP: oracle 3.13: the unpacked interpreter does not start (see above)"; return 77
  fi
  echo "$versions" > "$dir/3.13/READY"
  rm -rf "$R"
  log "3.13: CPython $v from Debian $DEBIAN_SUITE ($versions) in $dir/3.13, $(elapsed "$t0")"
}

# ---------------------------------------------------------------- 3.12 (Pyodide, WebAssembly)
check_312() {
  (cd "$dir/3.12" && node --input-type=module -e '
    const { loadPyodide } = await import(process.argv[1] + "/pyodide.mjs");
    const py = await loadPyodide({ indexURL: process.argv[1] + "/" });
    console.log(py.runPython("import sys; sys.version.split()[0]"));' "$dir/3.12/pyodide" 2>/dev/null)
}

setup_312() {
  local t0 v
  t0=$(date +%s.%N)
  # Verified by a start when it was unpacked; a re-run only checks the files (a start is 3-6 s).
  if [ -f "$dir/3.12/READY" ] && [ "$(cat "$dir/3.12/READY")" = "$PYODIDE_VERSION" ] && command -v node >/dev/null &&
     [ -s "$dir/3.12/pyodide/pyodide.asm.wasm" ] && [ -s "$dir/3.12/pyodide/python_stdlib.zip" ]; then
    log "3.12: already ready (pyodide $PYODIDE_VERSION)"; return 0
  fi
  command -v node >/dev/null || { echo "SKIP: oracle 3.12 needs Node.js >= 18 (Debian package nodejs)"; return 77; }
  command -v npm >/dev/null || { echo "SKIP: oracle 3.12 needs npm (Debian package npm)"; return 77; }
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 18 ] || { echo "SKIP: oracle 3.12 needs Node.js >= 18 for pyodide $PYODIDE_VERSION, found $(node --version)"; return 77; }
  rm -rf "$dir/3.12"
  mkdir -p "$dir/3.12/pyodide" "$dir/3.12/tmp"
  if ! npm pack --silent --pack-destination "$dir/3.12/tmp" "pyodide@$PYODIDE_VERSION" >"$dir/3.12/tmp/npm.log" 2>&1; then
    sed 's/^/  /' "$dir/3.12/tmp/npm.log" | tail -5
    echo "SKIP: oracle 3.12: npm pack pyodide@$PYODIDE_VERSION failed (see above)"; return 77
  fi
  local tgz="$dir/3.12/tmp/pyodide-$PYODIDE_VERSION.tgz" got
  got=$(node -e 'const c = require("crypto"), fs = require("fs");
    console.log("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$tgz")
  [ "$got" = "$PYODIDE_INTEGRITY" ] || { echo "oracles: pyodide-$PYODIDE_VERSION.tgz has integrity $got, expected $PYODIDE_INTEGRITY" >&2; return 1; }
  tar xzf "$tgz" -C "$dir/3.12/pyodide" --strip-components=1 \
    package/package.json package/pyodide.mjs package/pyodide.asm.js package/pyodide.asm.wasm \
    package/python_stdlib.zip package/pyodide-lock.json
  rm -rf "$dir/3.12/tmp"
  if ! v=$(check_312) || [[ $v != 3.12.* ]]; then
    echo "SKIP: oracle 3.12: pyodide $PYODIDE_VERSION does not start under Node.js $(node --version)"; return 77
  fi
  echo "$PYODIDE_VERSION" > "$dir/3.12/READY"
  log "3.12: CPython $v (pyodide $PYODIDE_VERSION, wasm) in $dir/3.12, $(elapsed "$t0")"
}

# Both at once: the npm download overlaps apt's index decompression.
rc312=0; rc313=0
out312=$(mktemp); trap 'rm -f "$out312"' EXIT
case " $want " in *" 3.12 "*) setup_312 >"$out312" 2>&1 & pid312=$! ;; *) pid312="" ;; esac
case " $want " in *" 3.13 "*) setup_313 || rc313=$? ;; esac
if [ -n "$pid312" ]; then wait "$pid312" || rc312=$?; cat "$out312"; fi
for rc in "$rc312" "$rc313"; do
  case "$rc" in 0|77) ;; *) echo "oracles: set-up failed (exit $rc)" >&2; exit 1 ;; esac
done
if [ "$rc312" = 77 ] || [ "$rc313" = 77 ]; then
  log "not all oracles are available ($(elapsed "$start_all"))"; exit 77
fi
log "ready in $dir ($want; 3.11 is /usr/bin/python3), $(elapsed "$start_all")"
