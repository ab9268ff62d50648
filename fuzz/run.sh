#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS_PER_TARGET seconds on a copy of its seed corpus
# (fuzz/seeds/python for the Python readers, fuzz/corpus/<target> for the other formats).
#   fuzz/run.sh 60            (CI: every target, run NPROC at a time)
# Builds build-fuzz/ (clang, -DALEMBIC_GUARD_FUZZ=ON) when needed. Exits non-zero on any crash,
# sanitizer report, leak, timeout or out-of-memory, printing the reproducer's path.
# Environment: FUZZ_BUILD_DIR (default <repo>/build-fuzz), FUZZ_JOBS (targets at once,
# default nproc), FUZZ_TARGETS (space-separated subset), FUZZ_KEEP=1 keeps the work directory,
# FUZZ_WORK_DIR where to put it.
set -uo pipefail

secs=${1:-}
if [[ ! $secs =~ ^[0-9]+$ ]] || (( secs == 0 )); then
  echo "usage: $0 SECONDS_PER_TARGET" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
targets=${FUZZ_TARGETS:-"fuzz_python_module fuzz_migration fuzz_ini fuzz_environment fuzz_revision_graph fuzz_ref_lines fuzz_pre_push fuzz_pack_reader fuzz_loose_object fuzz_tree_object fuzz_verdict_paths"}
[[ -z ${FUZZ_TARGETS:-} && -f $root/lib/cache/result_cache.hpp ]] && targets+=" fuzz_result_cache"

# max_len per target: the Python reader must see files up to ~64 KiB.
declare -A max_len=(
  [fuzz_python_module]=65536 [fuzz_migration]=65600 [fuzz_ini]=16384 [fuzz_environment]=32768
  [fuzz_revision_graph]=2048 [fuzz_ref_lines]=4096 [fuzz_pre_push]=4096 [fuzz_result_cache]=16384 [fuzz_pack_reader]=8192 [fuzz_loose_object]=8192 [fuzz_tree_object]=8192 [fuzz_verdict_paths]=4096)
declare -A dict=(
  [fuzz_python_module]=python.dict [fuzz_migration]=python.dict [fuzz_ini]=ini.dict
  [fuzz_environment]=environment.dict [fuzz_ref_lines]=ref_lines.dict [fuzz_pre_push]=ref_lines.dict
  [fuzz_result_cache]=result_cache.dict [fuzz_verdict_paths]=python.dict)

if [[ -z ${CXX:-} ]]; then
  if command -v clang++-14 >/dev/null; then export CC=clang-14 CXX=clang++-14
  elif command -v clang++ >/dev/null; then export CC=clang CXX=clang++
  else echo "fuzz/run.sh: clang is missing (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; fi
fi
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$build" -DALEMBIC_GUARD_FUZZ=ON -DALEMBIC_GUARD_TESTS=OFF \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.configure.log" 2>&1 \
    || { cat "$build.configure.log" >&2; echo "fuzz/run.sh: configure failed" >&2; exit 2; }
fi
# shellcheck disable=SC2086
cmake --build "$build" -j "$jobs" --target $targets || { echo "fuzz/run.sh: build failed" >&2; exit 2; }

work=${FUZZ_WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/alembic-guard-fuzz.XXXXXX")}
mkdir -p "$work"
# Kept when something failed (the reproducers are in it) or FUZZ_KEEP=1; removed otherwise.
status=0
[[ ${FUZZ_KEEP:-0} == 1 ]] || trap '[[ $status == 0 ]] && rm -rf "$work"' EXIT

# One Python seed corpus (fuzz/seeds/python) for every target that reads a Python file:
# as it is for the reader, and behind the file name line that fuzz_migration and
# fuzz_result_cache read first (fuzz/seeds/migration_names.tsv, else 031_add_table.py).
# Seeds of a target's own format are in fuzz/corpus/<target>.
seed_corpus() {
  local t=$1 into=$2 f base name
  case $t in
    fuzz_python_module) cp "$here/seeds/python/"* "$into/" ;;
    fuzz_migration|fuzz_result_cache)
      for f in "$here/seeds/python/"*; do
        base=$(basename "$f")
        name=$(awk -F'\t' -v k="$base" '$1 == k { print $2 }' "$here/seeds/migration_names.tsv")
        { printf '%s\n' "${name:-031_add_table.py}"; cat "$f"; } >"$into/py_$base"
      done ;;
  esac
  [[ -d $here/corpus/$t ]] && cp -r "$here/corpus/$t/." "$into/"
  return 0
}

run_one() {
  local t=$1 exe
  exe=$(find "$build" -type f -name "$t" -perm -u+x | head -n1)
  [[ -n $exe ]] || { echo "fuzz/run.sh: $t was not built" >"$work/$t.log"; echo 2 >"$work/$t.rc"; return; }
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  seed_corpus "$t" "$work/$t/corpus"
  # Inputs that once failed (fuzz/regressions/<target>-*) are also seeds: each run replays them.
  for r in "$here/regressions/$t"-*; do [[ -f $r ]] && cp "$r" "$work/$t/corpus/"; done
  local args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2560 -max_len="${max_len[$t]:-4096}"
              -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/")
  [[ -n ${dict[$t]:-} ]] && args+=(-dict="$here/dict/${dict[$t]}")
  # Let the Python reader's mutations reach whole files at once (large seeds are not cut).
  [[ $t == fuzz_python_module ]] && args+=(-len_control=0)
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$exe" "${args[@]}" "$work/$t/corpus" >"$work/$t.log" 2>&1
  echo $? >"$work/$t.rc"
}

started=$(date +%s)
running=0
for t in $targets; do
  run_one "$t" &
  (( ++running >= jobs )) && { wait -n; (( running-- )); }
done
wait

printf '%-22s %8s %12s %8s  %s\n' target seconds executions exec/s result
for t in $targets; do
  rc=$(cat "$work/$t.rc" 2>/dev/null || echo 2)
  runs=$(grep -E 'stat::number_of_executed_units:' "$work/$t.log" | awk '{print $2}')
  rate=$(grep -E 'stat::average_exec_per_sec:' "$work/$t.log" | awk '{print $2}')
  if [[ $rc == 0 ]]; then result=ok; else result="FAILED (exit $rc)"; status=1; fi
  printf '%-22s %8s %12s %8s  %s\n' "$t" "$secs" "${runs:-?}" "${rate:-?}" "$result"
done
for t in $targets; do
  rc=$(cat "$work/$t.rc" 2>/dev/null || echo 2)
  [[ $rc == 0 ]] && continue
  echo "=== $t: last lines of its log ($work/$t.log)"
  grep -n -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error:|invariant failed|deadly signal|timeout' "$work/$t.log"
  tail -n 40 "$work/$t.log"
  for a in "$work/$t/artifacts/"*; do
    [[ -e $a ]] || continue
    echo "reproducer: $a"
    echo "  rerun:    $(find "$build" -type f -name "$t" -perm -u+x | head -n1) $a"
    echo "  bytes:    $(head -c 512 "$a" | od -An -c | tr -s ' ' | tr -d '\n' | cut -c1-600)"
  done
done
echo "fuzz/run.sh: $(( $(date +%s) - started )) s in total"
(( status == 0 )) || echo "fuzz/run.sh: FAILED; logs and reproducers are kept in $work (add a fixed reproducer to fuzz/regressions/<target>-<what>)"
exit $status
