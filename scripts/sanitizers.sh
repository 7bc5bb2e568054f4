#!/usr/bin/env bash
# The sanitizer, valgrind and fuzzing jobs (see docs/reliability.md):
#   asan      the whole suite built with -fsanitize=address,undefined (-O1) and run with leak checking
#   tsan      the tests labelled `concurrency` built with -fsanitize=thread
#   valgrind  the tests labelled `wire` or `integration` of the plain build under memcheck
#   fuzz      each libFuzzer harness for a bounded time, then its corpus replayed
#   bash scripts/sanitizers.sh [asan] [tsan] [valgrind] [fuzz]      (no argument: all four)
# The asan and fuzz jobs share one clang build (the harnesses need clang, and clang compiles the instrumented
# suite in a third of the time GCC takes); the sanitizer builds carry line tables only (-g1), which is what their
# reports print.
# Environment: KAREO_BUILD_DIR (the plain build used by valgrind; default build), KAREO_ASAN_BUILD_DIR (the asan
# and fuzz build), KAREO_TSAN_BUILD_DIR (defaults build-asan, build-tsan), KAREO_FUZZ_SECONDS (per fuzzer, default
# 25). Each job prints a summary line; the script fails when any job fails.
set -euo pipefail
# Each job is called in a condition, where `set -e` does not apply: its steps return on failure themselves.
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc)
plain=${KAREO_BUILD_DIR:-build}
asan=${KAREO_ASAN_BUILD_DIR:-build-asan}
tsan=${KAREO_TSAN_BUILD_DIR:-build-tsan}
fuzz_seconds=${KAREO_FUZZ_SECONDS:-25}
supp=$root/tests/reliability/sanitizers
# Sanitizer builds with clang at -O1: fast enough to run, quick enough to compile.
o1=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1"
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1")
need_clang() {
  command -v clang++ >/dev/null && return 0
  echo "$1: clang++ not found (scripts/install-deps.sh installs it)"
  return 1
}
# The asan build, which the fuzz job shares; configured once.
configure_asan() {
  need_clang "$1" || return 1
  CC=clang CXX=clang++ cmake -S . -B "$asan" "${o1[@]}" -DKAREO_SANITIZE=address,undefined -DKAREO_FUZZ=ON >/dev/null
}
selected=("$@")
((${#selected[@]})) || selected=(asan tsan valgrind fuzz)
failed=()
results=$root/${plain}/reliability
mkdir -p "$results"

stamp() { echo "== $(date +%T) $*"; }

run_asan() {
  stamp "asan: configure and build $asan"
  configure_asan asan || return 1
  cmake --build "$asan" -j "$jobs" || return 1
  stamp "asan: the whole suite"
  # The consumer test builds an uninstrumented program against the instrumented library: not meaningful here.
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1" \
  LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  KAREO_SOAK_CALLS=4000 \
    ctest --test-dir "$asan" --output-on-failure -j "$jobs" --timeout 900 -E '^(consumer|contract)\.' | tee "$results/asan.log"
}

run_tsan() {
  stamp "tsan: configure $tsan"
  need_clang tsan || return 1
  CC=clang CXX=clang++ cmake -S . -B "$tsan" "${o1[@]}" -DKAREO_SANITIZE=thread -DKAREO_BUILD_EXAMPLES=OFF -DKAREO_BUILD_TOOLS=OFF >/dev/null || return 1
  # Only the executables of the tests labelled `concurrency` (found in the folders' CMakeLists.txt).
  mapfile -t targets < <(python3 - "$root/tests" <<'EOF'
import pathlib, re, sys
for f in sorted(pathlib.Path(sys.argv[1]).rglob("CMakeLists.txt")):
    text = f.read_text()
    for m in re.finditer(r"kareo_add_gtest\(\s*(\w+)(.*?)\)", text, re.S):
        labels = re.search(r"LABELS([^)]*)", m.group(2))
        if labels and "concurrency" in labels.group(1).split():
            print(m.group(1))
    for m in re.finditer(r"add_test\(NAME\s+\S+\s+COMMAND\s+(\w+)", text):
        tail = text[m.end():m.end() + 600]
        if "concurrency" in tail.split("add_test")[0] and m.group(1) not in ("${CMAKE_COMMAND}",):
            print(m.group(1))
EOF
  )
  mapfile -t targets < <(printf '%s\n' "${targets[@]}" | sort -u)
  stamp "tsan: build ${targets[*]}"
  cmake --build "$tsan" -j "$jobs" --target "${targets[@]}" || return 1
  stamp "tsan: the concurrency tests"
  TSAN_OPTIONS="suppressions=$supp/tsan.supp:halt_on_error=1:second_deadlock_stack=1:report_signal_unsafe=0" \
    ctest --test-dir "$tsan" --output-on-failure -j "$jobs" --timeout 900 -L concurrency | tee "$results/tsan.log"
}

run_valgrind() {
  stamp "valgrind: the wire and integration tests of $plain"
  if [ ! -f "$plain/CMakeCache.txt" ]; then
    cmake -S . -B "$plain" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || return 1
  fi
  cmake --build "$plain" -j "$jobs" || return 1
  # The tests run outside ctest here, so the fixture they require (the throwaway PostgreSQL server) is started
  # and stopped around them as ctest would.
  ctest --test-dir "$plain" -R '^postgres\.start$' --output-on-failure >/dev/null || {
    echo "valgrind: the PostgreSQL fixture did not start"
    return 1
  }
  local rc=0
  # One valgrind run per executable, over all of its tests with those labels.
  python3 - "$plain" "$supp/valgrind.supp" "$results/valgrind.log" <<'EOF' || rc=1
import collections, concurrent.futures, json, os, subprocess, sys
build, supp, log = sys.argv[1:4]
info = json.loads(subprocess.run(["ctest", "--test-dir", build, "--show-only=json-v1", "-L", "wire|integration"],
                                 check=True, capture_output=True, text=True).stdout)
runs = collections.OrderedDict()
for t in info["tests"]:
    cmd = t.get("command") or []
    if not cmd:
        continue
    filters = [a.split("=", 1)[1] for a in cmd[1:] if a.startswith("--gtest_filter=")]
    if not filters:
        continue  # not a GoogleTest case
    env = {}
    for p in t.get("properties", []):
        if p["name"] == "ENVIRONMENT":
            env.update(v.split("=", 1) for v in p["value"])
    runs.setdefault((cmd[0], tuple(sorted(env.items()))), []).extend(filters)
def run(item):
    (exe, env), filters = item
    args = ["valgrind", "--tool=memcheck", "--error-exitcode=1", "--leak-check=full", "--show-leak-kinds=definite,indirect,possible",
            "--errors-for-leak-kinds=definite,indirect,possible", "--track-origins=no", "--num-callers=30",
            "--suppressions=" + supp, exe, "--gtest_filter=" + ":".join(filters)]
    environment = dict(os.environ, **dict(env))
    environment["KAREO_VALGRIND"] = "1"
    r = subprocess.run(args, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return exe, len(filters), r

# One executable at a time: the PostgreSQL cluster tests start and stop servers of their own, which disturbs the
# shared fixture's server when they run beside the tests that use it.
failed = 0
with open(log, "w") as out, concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
    for exe, count, r in pool.map(run, runs.items()):
        out.write(r.stdout)
        print("valgrind", exe, count, "tests", flush=True)
        summary = [l for l in r.stdout.splitlines() if "ERROR SUMMARY" in l or "definitely lost" in l or "PASSED" in l or "FAILED" in l]
        print("\n".join(summary[-4:]), flush=True)
        if r.returncode != 0:
            failed += 1
            print(r.stdout[-20000:])
            print("valgrind: FAILED (exit code %d): %s" % (r.returncode, exe), flush=True)
print("valgrind:", len(runs), "executables,", failed, "failed")
sys.exit(1 if failed else 0)
EOF
  ctest --test-dir "$plain" -R '^postgres\.stop$' >/dev/null || true
  return $rc
}

run_fuzz() {
  stamp "fuzz: configure and build the harnesses in $asan"
  configure_asan fuzz || return 1
  cmake --build "$asan" -j "$jobs" --target kareo_fuzz_response kareo_fuzz_transport || return 1
  : >"$results/fuzz.log"
  for harness in fuzz_response fuzz_transport; do
    stamp "fuzz: $harness for ${fuzz_seconds}s"
    work=$asan/fuzz-work/$harness
    rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
    # New inputs go to the scratch corpus (first directory); the committed seeds and regressions are read only.
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
      "$asan/tests/fuzz/kareo_$harness" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -max_len=65536 \
      -timeout=15 -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" \
      "$root/tests/fuzz/corpus" "$root/tests/fuzz/regressions" 2>"$work/log.txt" || {
      tail -60 "$work/log.txt"
      echo "fuzz: $harness found a problem; the input is in $work/artifacts (add it to tests/fuzz/regressions)"
      return 1
    }
    { echo "[$harness]"; grep -E "^(#[0-9]+.*DONE|stat::)" "$work/log.txt"; } | tee -a "$results/fuzz.log"
  done
  stamp "fuzz: replay of the seeds and regressions"
  ASAN_OPTIONS="detect_leaks=1" ctest --test-dir "$asan" --output-on-failure -L fuzz
}

for job in "${selected[@]}"; do
  start=$(date +%s)
  if "run_$job"; then
    echo "== $job: passed in $(($(date +%s) - start)) s"
  else
    echo "== $job: FAILED after $(($(date +%s) - start)) s"
    failed+=("$job")
  fi
done
if ((${#failed[@]})); then
  echo "sanitizers.sh: failed: ${failed[*]}"
  exit 1
fi
echo "sanitizers.sh: all passed (${selected[*]})"
