#!/usr/bin/env bash
# Builds the library, its tools, examples, tests and API docs, runs the whole test suite, then the sanitizer,
# valgrind and fuzzing jobs (scripts/sanitizers.sh, see docs/reliability.md). This is what CI runs.
#   bash scripts/test.sh                   (from the repository root; installs its Debian packages first)
#   bash scripts/test.sh --no-sanitizers   (the plain build and suite only: the quick local check)
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=1
for arg in "$@"; do
  case "$arg" in
    --no-sanitizers) sanitizers=0 ;;
    --sanitizers) sanitizers=1 ;;  # the default; kept for scripts that still pass it
    *) echo "usage: bash scripts/test.sh [--no-sanitizers]" >&2; exit 2 ;;
  esac
done
bash scripts/install-deps.sh
build=${KAREO_BUILD_DIR:-build}
jobs=$(nproc)
start=$(date +%s)
# Optimised as a release is, with line tables only (-g1): enough for backtraces and valgrind's reports, and the
# suite's builds compile in two thirds of the time full debug information takes.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
cmake --build "$build" -j "$jobs"
echo "-- build finished in $(( $(date +%s) - start )) s"
cmake --build "$build" --target docs
ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 900
echo "-- build and suite finished in $(( $(date +%s) - start )) s"
if [ "$sanitizers" = 1 ]; then
  KAREO_BUILD_DIR="$build" bash scripts/sanitizers.sh
  echo "-- everything finished in $(( $(date +%s) - start )) s"
fi
