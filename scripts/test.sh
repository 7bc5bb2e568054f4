#!/usr/bin/env bash
# Builds the library, its tools, tests and API docs, then runs the whole test suite.
#   bash scripts/test.sh            (from the repository root; installs its Debian packages first)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=${KAREO_BUILD_DIR:-build}
jobs=$(nproc)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$jobs"
cmake --build "$build" --target docs
ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 900
