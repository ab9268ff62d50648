#!/usr/bin/env bash
# The sanitizer stage: a clang ASan + UBSan build of everything in build-asan/, then the
# ctest suite without the scale cases. Any sanitizer report fails the test that hit it.
#   fuzz/sanitize.sh [extra ctest arguments...]
# Environment: ASAN_BUILD_DIR (default <repo>/build-asan), ASAN_JOBS (default nproc).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${ASAN_BUILD_DIR:-$root/build-asan}
jobs=${ASAN_JOBS:-$(nproc 2>/dev/null || echo 2)}

if [[ -z ${CXX:-} ]]; then
  if command -v clang++-14 >/dev/null; then export CC=clang-14 CXX=clang++-14
  elif command -v clang++ >/dev/null; then export CC=clang CXX=clang++
  else echo "fuzz/sanitize.sh: clang is missing (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; fi
fi
flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DALEMBIC_GUARD_TESTS=ON \
      -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
      -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined"
cmake --build "$build" -j "$jobs"

# Every process the tests start (the hook under git, the CLI) inherits these: a report
# aborts it with a non-zero exit, so the test sees a failure, and the report is on stderr.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86:check_initialization_order=1:detect_stack_use_after_return=1}
# Leaks inside libgit2 itself (see lsan.supp); full stacks through uninstrumented libraries.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp:fast_unwind_on_malloc=0:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}
# Every object the guard's own readers return is hashed by libgit2 and must be the object asked
# for (lib/git/pack_reader.hpp): a reader bug stops the process that met it.
export AG_VERIFY_OBJECTS=1
ctest --test-dir "$build" --output-on-failure -LE scale "$@"
