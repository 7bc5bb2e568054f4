#!/usr/bin/env bash
# Builds the library, its tools, examples, tests and API docs, then runs the whole test suite.
#   bash scripts/test.sh                (from the repository root; installs its Debian packages first)
#   bash scripts/test.sh --sanitizers   (then also the ASan+UBSan, TSan, valgrind and fuzzing jobs:
#                                        scripts/sanitizers.sh, see docs/reliability.md)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=${KAREO_BUILD_DIR:-build}
jobs=$(nproc)
start=$(date +%s)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$jobs"
echo "-- build finished in $(( $(date +%s) - start )) s"
cmake --build "$build" --target docs
ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 900
if [ "${1:-}" = "--sanitizers" ]; then
  KAREO_BUILD_DIR="$build" bash scripts/sanitizers.sh
fi
