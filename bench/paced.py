"""The paced two-year pulls: `kareo patients` and `kareo appointments` over the two years of a fake server with
its rate limits on, as a user runs them against Tebra. Calls, not CPU, set the time of such a pull: the figures
are the calls each took (from the server's own call log), the wall time, and the ratio of the wall time to
(calls x the published interval of the operation), which pacing alone would take.

Used by runner.py (the pseudo-stack "paced") and report.py (the section "Paced two-year pulls").
"""
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENDPOINT_PATH = "/services/soap/2.1/KareoServices.svc"

# profile -> (patients, appointments) of the fake server.
SIZES = {"full": (20000, 6000), "quick": (20000, 6000), "smoke": (300, 300)}

PULLS = [
    # (operation, command and its date arguments given the start and end dates)
    ("GetPatients", lambda a, b: ["patients", "--practice-id", "1", "--modified-from", a, "--modified-to", b]),
    ("GetAppointments", lambda a, b: ["appointments", "--from", a, "--to", b]),
]


def published_interval_ms(operation):
    """The operation's interval_ms in src/operations/operations.toml (the one place it is written)."""
    text = open(os.path.join(ROOT, "src", "operations", "operations.toml")).read()
    for block in text.split("[[operation]]")[1:]:
        if re.search(r'^name = "%s"$' % re.escape(operation), block, re.M):
            m = re.search(r"^interval_ms = (\d+)$", block, re.M)
            return int(m.group(1)) if m else 1000
    raise KeyError(operation)


def _control(url, what):
    with urllib.request.urlopen(url + what, timeout=30) as r:
        return json.loads(r.read().decode())


def median_run(runs):
    """The run of median wall time (the lower middle one of an even number)."""
    ordered = sorted(runs, key=lambda r: r["wall"])
    return ordered[(len(ordered) - 1) // 2]


def run(bins, profile, run_measured, log, timeout=600, repeats=3):
    """Runs both pulls, each `repeats` times; returns one dict per pull (median runs)."""
    if not bins.get("cli") or not bins.get("server"):
        log("paced pulls: the kareo CLI or the fake server is missing: skipped")
        return []
    patients, appointments = SIZES.get(profile, SIZES["quick"])
    today = datetime.date.today()
    args = [bins["server"], "--port", "0", "--practices", "1", "--patients", str(patients), "--appointments",
            str(appointments), "--throttle", "on", "--today", today.isoformat()]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    pacing_dir = tempfile.mkdtemp(prefix="kareo-bench-pacing-")
    out = []
    try:
        line = proc.stdout.readline().decode()
        m = re.search(r"listening on (https?://[^\s]+)", line)
        if not m:
            raise RuntimeError("kareo-fake-server did not start: " + line)
        url = m.group(1).rstrip("/")
        env = dict(os.environ)
        env.update({"KAREO_ENDPOINT": url + ENDPOINT_PATH, "KAREO_CUSTOMER_KEY": "test-customer-key",
                    "KAREO_USER": "test-user@example.test", "KAREO_PASSWORD": "test-password"})
        # The generated records lie in the two years before today.
        start = (today - datetime.timedelta(days=731)).isoformat()
        end = (today + datetime.timedelta(days=1)).isoformat()
        for operation, command in PULLS:
            # Each pull runs `repeats` times, paced and unpaced in turn, each paced run from a fresh schedule and
            # a reset server; the median wall time of each is reported (a single run on a shared machine can be
            # a quarter slower, most often the first after a pause).
            paced_runs, unpaced_runs, calls = [], [], []
            for i in range(repeats):
                run_dir = os.path.join(pacing_dir, "%s-%d" % (operation, i))
                os.mkdir(run_dir)
                _control(url, "/_fake/calls?clear")
                _control(url, "/_fake/throttle?reset")
                cmd = [bins["cli"], "--format", "json", "--max-response-mb", "4096", "--pacing-dir", run_dir]
                cmd += command(start, end)
                m = run_measured(cmd, timeout, env=env)
                records = 0
                with open(m["stdout"], "rb") as f:
                    for _ in f:
                        records += 1
                os.unlink(m["stdout"])
                m["records"] = records
                paced_runs.append(m)
                calls = [c for c in _control(url, "/_fake/calls") if c["operation"] == operation]
                m["calls"] = calls
                # The same pull unpaced, against the server with its limits off: the time of the transfers alone.
                _control(url, "/_fake/throttle?off")
                try:
                    u = run_measured([bins["cli"], "--format", "json", "--max-response-mb", "4096", "--no-pacing"] +
                                     command(start, end), timeout, env=env)
                    os.unlink(u["stdout"])
                    unpaced_runs.append(u)
                finally:
                    _control(url, "/_fake/throttle?on")
                if m["exit"] != 0 or m["timed_out"]:
                    break
            failed = [r for r in paced_runs if r["exit"] != 0 or r["timed_out"]]
            m = failed[0] if failed else median_run(paced_runs)
            records, calls = m["records"], m["calls"]
            good = [r for r in unpaced_runs if r["exit"] == 0 and not r["timed_out"]]
            u = median_run(good) if len(good) == len(unpaced_runs) and good else {"exit": 1, "timed_out": False}
            interval = published_interval_ms(operation) / 1000.0
            r = {"operation": operation, "command": " ".join(["kareo"] + command(start, end)),
                 "records": records, "calls": len(calls),
                 "throttled": sum(1 for c in calls if c["outcome"] == "throttled"),
                 "seconds": m["wall"], "interval_s": interval, "repeats": len(paced_runs),
                 "unpaced_s": u["wall"] if u["exit"] == 0 and not u["timed_out"] else None,
                 "ok": m["exit"] == 0 and not m["timed_out"],
                 "max_rss_kb": m["max_rss_kb"]}
            # What a pull cannot beat: pacing alone (calls x interval), or the transfers alone when they take longer
            # (one call that returns 20,000 patients).
            r["ideal_s"] = max(r["calls"] * interval, r["unpaced_s"] or 0.0) if r["calls"] else None
            r["ratio"] = r["seconds"] / r["ideal_s"] if r["ideal_s"] else None
            if not r["ok"]:
                r["error"] = (m["stderr"].strip().splitlines() or ["exit %d" % m["exit"]])[-1][:300]
            log("paced %-15s %d records in %d calls, %.2f s (unpaced %.2f s), %.2f x max(calls x %.2f s, unpaced), "
                "medians of %d%s" % (
                operation, records, r["calls"], r["seconds"], r["unpaced_s"] or 0, r["ratio"] or 0, interval,
                len(paced_runs),
                "" if r["ok"] else " FAILED: " + r["error"]))
            out.append(r)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(pacing_dir, ignore_errors=True)
    return out


def times(n):
    return {1: "once", 2: "twice"}.get(n, "%d times" % n)


def report(L, paced):
    """The section of docs/performance.md."""
    if not paced:
        return
    L.append("## Paced two-year pulls (rate limits on)")
    L.append("")
    L.append("`kareo --format json` against a fake server with its rate limits on (one practice; the records lie "
             "in the two years before today), as a user runs it against Tebra: every call paced to the "
             "operation's published interval. Calls are counted by the server. *unpaced s* is the same pull with "
             "pacing off against the server with its limits off: the transfers alone. *ideal s* is what no client "
             "can beat: the larger of (calls x published interval) and the unpaced time (a single call returning "
             "20,000 patients takes longer to transfer than its interval). *ratio* is the wall time over the ideal. "
             "Each pull runs paced and unpaced in turn, %s (each paced run from a fresh pacing schedule and a reset "
             "server); the figures are the median runs. "
             "Targets: at most 3 GetPatients calls and 13 GetAppointments calls, a ratio within 10%% of 1." %
             times(max(p.get("repeats", 1) for p in paced)))
    L.append("")
    L.append("| pull | records | calls | wall s | unpaced s | interval s | ideal s | ratio | throttled | peak RSS MiB | target |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    limits = {"GetPatients": 3, "GetAppointments": 13}
    for r in paced:
        met = (r["ok"] and r.get("ratio") is not None and r["ratio"] <= 1.1 and
               r["calls"] <= limits.get(r["operation"], r["calls"]))
        L.append("| `%s` | %s | %d | %.2f | %s | %.2f | %s | %s | %d | %s | %s |" % (
            r["command"], "{:,}".format(r["records"]), r["calls"], r["seconds"],
            "%.2f" % r["unpaced_s"] if r.get("unpaced_s") is not None else "n/a", r["interval_s"],
            "%.2f" % r["ideal_s"] if r.get("ideal_s") else "n/a",
            "%.2f" % r["ratio"] if r.get("ratio") else "n/a", r["throttled"],
            "%.0f" % (r["max_rss_kb"] / 1024.0) if r.get("max_rss_kb") else "?",
            "met" if met else "**missed**") +
            ("" if r["ok"] else " (failed: %s)" % r.get("error", "")))
    L.append("")
