#!/usr/bin/env bash
# ThreadSanitizer build of the unit tests and the binary, for the one place that runs threads:
# reading migrations (lib/alembic/migration_reader and lib/git/pack_reader: every thread reads blobs from the
# packs and parses them; what the packs decline is read through libgit2 one thread at a time). Runs
# the reader's unit tests and `check` of a generated 3,000-revision history (enough files for
# the threads to start), cold and warm, and a one-commit push through pre-receive.
#
#   fuzz/tsan.sh            (build-tsan/ next to build/)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang++-14 >/dev/null || { echo "tsan.sh: needs clang-14 (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 1; }
dir=build-tsan
CC=clang-14 CXX=clang++-14 cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
  -DALEMBIC_GUARD_WERROR=OFF >/dev/null
cmake --build "$dir" -j "${TSAN_JOBS:-2}" --target thread_unit_tests alembic-guard
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
"$dir/tests/unit/thread_unit_tests" -tc="*thread*,*files cannot be read*,*few files*"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work" <<'PY'
import sys
sys.path.insert(0, "bench")
import bench
root = sys.argv[1]
env = bench.env_for(root)
new = bench.make_history(root + "/h", 3000, env)
open(root + "/new", "w").write(new)
PY
bin="$PWD/$dir/alembic-guard"
export HOME="$work/home" XDG_CACHE_HOME="$work/cache" GIT_CONFIG_NOSYSTEM=1
cd "$work/h"
git config alembicGuard.cacheDir none
"$bin" check >/dev/null
git config --unset alembicGuard.cacheDir
"$bin" check >/dev/null
"$bin" check >/dev/null
echo "$(git rev-parse main) $(cat "$work/new") refs/heads/main" | GIT_DIR=.git "$bin" pre-receive
echo "tsan.sh: no data race reported"
