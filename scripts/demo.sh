#!/usr/bin/env bash
# The library at work in two minutes, without a Tebra account: builds the kareo tool and kareo-fake-server
# (a local stand-in for Tebra with synthetic data), then diagnoses the connection, lists a practice's
# appointments, syncs its patients incrementally, and mirrors the practice into an SQLite database (docs/mirror.md)
# whose tables it queries.
#
#   bash scripts/demo.sh        (from a fresh Debian bookworm, as root or with sudo; installs the packages)
#
# The same commands work against Tebra itself: set KAREO_CUSTOMER_KEY, KAREO_USER and KAREO_PASSWORD and
# leave out --endpoint (KAREO_ENDPOINT).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
show() {
  printf '$'
  printf ' %q' "$@"
  printf '\n'
  "$@"
}

step "Installing the build dependencies (scripts/install-deps.sh)"
bash scripts/install-deps.sh

step "Configuring and building the kareo tool and kareo-fake-server (build dir: ${KAREO_BUILD_DIR:-build})"
build=${KAREO_BUILD_DIR:-build}
if [ -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" >/dev/null
else
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target kareo_cli kareo_fake_server
kareo="$build/tools/kareo/kareo"
fake_server="$build/tools/kareo-fake-server/kareo-fake-server"

step "Starting kareo-fake-server with synthetic data (rate limits on, like Tebra)"
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
"$fake_server" --port 0 --seed 42 --patients 120 --appointments 2000 >"$work/server.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^listening on //p' "$work/server.log")
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; echo "kareo-fake-server did not start" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "kareo-fake-server did not report its URL" >&2; exit 1; }
echo "kareo-fake-server is listening on $url"

# The fake server's test account; against Tebra these are your API credentials.
export KAREO_ENDPOINT="$url/services/soap/2.1/KareoServices.svc"
export KAREO_CUSTOMER_KEY=test-customer-key KAREO_USER=test-user@example.test KAREO_PASSWORD=test-password
# A pacing schedule of the demo's own, so earlier runs against other servers do not slow it down.
export TMPDIR="$work"

step "Diagnosing the connection"
show "$kareo" doctor

practice="Testpractice Alpha"
from=$(date -d '-14 days' +%F)
to=$(date +%F)
step "Appointments of $practice from $from to $to"
show "$kareo" --format table appointments --practice "$practice" --from "$from" --to "$to"

state="$work/patients.checkpoint"
since=$(date -d '-90 days' +%F)
step "Syncing the patients of $practice changed since $since (first run: everything since then)"
show "$kareo" --format table sync patients --practice "$practice" --state "$state" --once --since "$since"

step "Syncing again: only what changed since the checkpoint (nothing, unless the data changed)"
show "$kareo" --format table sync patients --practice "$practice" --state "$state" --once

db="$work/mirror.db"
step "Mirroring $practice into the SQLite database $db (patients, appointments, charges, payments, transactions)"
show "$kareo" mirror --db "sqlite:$db" --practice "$practice" --since "$since" --once

step "Querying the mirror: balances by patient (docs/mirror.md)"
balances="SELECT p.id, p.last_name, p.first_name, p.patient_balance, p.insurance_balance, p.total_balance
FROM patients p WHERE p.total_balance > 0 ORDER BY p.total_balance DESC, p.id LIMIT 10;"
echo "$balances"
sqlite3 -header -column "$db" "$balances"

step "Done"
echo "Try: $kareo --help, $kareo describe create-patient, or the example programs in $build/examples/."
