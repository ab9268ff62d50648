#!/usr/bin/env bash
# How much of the Python reader (lib/python) the generated differential suites reach: builds
# the guard with --coverage in a directory of its own, runs each suite once against real
# CPython (3.11, and 3.12/3.13 when ./install.sh --dev prepared their oracles) and real
# Alembic, and prints gcovr's line and branch figures per file.
#
#   tools/reader_coverage.sh [BUILD_DIR]     (default: build-coverage; about 25 minutes on 2 cores)
#
# Needs gcovr (apt-get install -y gcovr). Not part of CI: the figures are for people
# (docs/reader-coverage.md says what the lines still unreached are and why).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build-coverage}
command -v gcovr >/dev/null || { echo "tools/reader_coverage.sh: gcovr is missing (apt-get install -y gcovr)" >&2; exit 2; }
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="--coverage -O1" >/dev/null
cmake --build "$build" -j "$(nproc)" --target alembic-guard pyscan codec_probe >/dev/null
find "$build" -name '*.gcda' -delete
py=/usr/bin/python3
bin=$build/alembic-guard
pyscan=$build/tests/python_compile/pyscan
oracles=$root/build/oracles
cd "$root"
run() { local what=$1; shift; if "$@" >"$build/coverage-$what.log" 2>&1; then echo "$what: passed"; else echo "$what: FAILED ($build/coverage-$what.log)"; fi; }
run adversarial $py tests/adversarial/run_adversarial.py --binary "$bin" --count 1000 --seed 5 --jobs 2 --push-every 10 -q
run generated $py tests/python_compile/compare.py --pyscan "$pyscan" --count 3000 --seed 1 --no-minimize
run corpus $py tests/python_compile/compare.py --pyscan "$pyscan" --corpus --count 12000 --seed 1 --no-minimize
for v in 3.11 3.12 3.13; do
  run "versions-$v" $py tests/python_compile/compare_versions.py --pyscan "$pyscan" --python $v --count 1000 --seed 3 --oracles "$oracles"
  run "versions-corpus-$v" $py tests/python_compile/compare_versions.py --pyscan "$pyscan" --python $v --corpus --count 2000 --seed 3 --oracles "$oracles"
done
run codecs $py tests/python_compile/check_multibyte_codecs.py --probe "$build/tests/python_compile/codec_probe" --pyscan "$pyscan" --files 3000 --seed 1
echo "== lines"
gcovr --root "$root" --object-directory "$build" --filter "$root/lib/python/" 2>/dev/null | sed -n '/^File/,$p'
echo "== branches"
gcovr --root "$root" --object-directory "$build" --filter "$root/lib/python/" --branches 2>/dev/null | grep -E '^TOTAL'
