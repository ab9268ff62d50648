#!/usr/bin/env bash
# How much of the Python reader (lib/python) the generated differential suites reach: builds
# the guard with clang's source-based coverage in a directory of its own, runs each suite once
# against real CPython (3.11, and 3.12/3.13 when ./install.sh --dev prepared their oracles) and
# real Alembic, and prints llvm-cov's line and branch figures per file.
#
#   tools/reader_coverage.sh [BUILD_DIR]     (default: build-coverage; about 30 minutes on 2 cores)
#   tools/reader_coverage.sh --report [BUILD_DIR]   (the figures of the last run again, and every
#                                                     branch direction not taken, file:line)
#
# Branches are the source's own: each if, loop, case, ?: and each operand of && and ||, both
# directions (gcov's branches also count the ones inside inlined library code and exception
# edges, which no test can steer). Regions marked "coverage: unreachable" in the source are
# reported apart: they are the defensive arms the parser never reaches (docs/reader-coverage.md).
# Needs clang-14 (./install.sh --dev) and llvm-14 (apt-get install -y llvm-14). Not part of CI: the figures are
# for people (docs/reader-coverage.md says what is still unreached and why).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
report_only=0
if [[ ${1:-} == --report ]]; then report_only=1; shift; fi
build=${1:-$root/build-coverage}
llvm=/usr/lib/llvm-14/bin
[[ -x $llvm/llvm-cov ]] || { echo "tools/reader_coverage.sh: llvm-14 is missing (apt-get install -y clang-14 llvm-14)" >&2; exit 2; }
prof=$build/profiles
if (( !report_only )); then
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS="-fprofile-instr-generate -fcoverage-mapping -O1" \
    -DCMAKE_EXE_LINKER_FLAGS="-fprofile-instr-generate" >/dev/null
  cmake --build "$build" -j "$(nproc)" --target alembic-guard pyscan codec_probe >/dev/null
  rm -rf "$prof"; mkdir -p "$prof"
  # %4m: four files per binary, merged as processes end (the suites start thousands of them).
  export LLVM_PROFILE_FILE="$prof/%4m.profraw"
  py=/usr/bin/python3
  bin=$build/alembic-guard
  pyscan=$build/tests/python_compile/pyscan
  oracles=$root/build/oracles
  cd "$root"
  run() { local what=$1; shift; if "$@" >"$build/coverage-$what.log" 2>&1; then echo "$what: passed"; else echo "$what: FAILED ($build/coverage-$what.log)"; fi; }
  run adversarial $py tests/adversarial/run_adversarial.py --binary "$bin" --count 1000 --seed 5 --jobs 2 --push-every 10 -q
  run generated $py tests/python_compile/compare.py --pyscan "$pyscan" --count 3000 --seed 1 --no-minimize
  run corpus $py tests/python_compile/compare.py --pyscan "$pyscan" --corpus --count 12000 --seed 1 --no-minimize
  run fixed $py tests/python_compile/compare.py --pyscan "$pyscan" --fixed --no-minimize
  for v in 3.11 3.12 3.13; do
    run "versions-$v" $py tests/python_compile/compare_versions.py --pyscan "$pyscan" --python $v --count 1000 --seed 3 --oracles "$oracles"
    run "versions-corpus-$v" $py tests/python_compile/compare_versions.py --pyscan "$pyscan" --python $v --corpus --count 2000 --seed 3 --oracles "$oracles"
    run "versions-fixed-$v" $py tests/python_compile/compare_versions.py --pyscan "$pyscan" --python $v --fixed --oracles "$oracles"
  done
  run codecs $py tests/python_compile/check_multibyte_codecs.py --probe "$build/tests/python_compile/codec_probe" --pyscan "$pyscan" --files 3000 --seed 1
  unset LLVM_PROFILE_FILE
fi
"$llvm/llvm-profdata" merge -sparse "$prof"/*.profraw -o "$build/reader.profdata"
objects=(-object "$build/tests/python_compile/pyscan" -object "$build/tests/python_compile/codec_probe")
sources=("$root"/lib/python/*.cpp)
echo "== lines and branches of lib/python"
"$llvm/llvm-cov" report "$build/alembic-guard" "${objects[@]}" -instr-profile "$build/reader.profdata" \
  -show-branch-summary "${sources[@]}" | sed "s|$root/||"
echo "== branch directions not taken (file:line: condition [true count, false count])"
"$llvm/llvm-cov" show "$build/alembic-guard" "${objects[@]}" -instr-profile "$build/reader.profdata" \
  -show-branches=count -show-line-counts=false -use-color=false "${sources[@]}" \
  | awk -v root="$root/" '
      /^\/.*:$/ { file = substr($0, 1, length($0) - 1); sub(root, "", file); next }
      /^ *[0-9]+\|/ { split($0, a, "|"); line = a[1] + 0; text = a[2]; next }
      /Branch \(/ && (/True: 0,/ || /False: 0\]/) { gsub(/^ *\| *\|? */, ""); print file ":" line ": " $0 }'
