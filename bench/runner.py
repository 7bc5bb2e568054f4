#!/usr/bin/python3
"""Runs the end-to-end benchmarks side by side and writes docs/performance.md and docs/performance.png.

Started by bench/run (which installs the other stacks and builds the programs first); see bench/README.md.
Every workload runs against kareo-fake-server on loopback (throttling off), one process per run, and each
process prints one JSON line (see bench/e2e/harness.hpp). This script adds what the process cannot see
itself: its peak resident memory and CPU time from wait4(), the bytes that crossed loopback and the TCP
connections opened (from the network namespace's counters: bench/run gives the run a namespace of its own,
so nothing else is counted).

  runner.py --build-dir DIR [--profile full|quick|smoke] [--out DIR] [--docs DIR] [--stacks a,b,...]
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WSDL = os.path.join(ROOT, "wsdl", "KareoServices.wsdl")
ENDPOINT_PATH = "/services/soap/2.1/KareoServices.svc"

# name -> (label shown in the report, kind). "ours" runs are the reference of every ratio.
STACKS = {
    "kareo": ("kareo::Client (this library)", "ours"),
    "gsoap": ("generated gSOAP proxy alone", "cpp"),
    "floor-expat": ("floor: expat SAX pass", "floor"),
    "floor-reader": ("floor: libxml2 xmlTextReader pass", "floor"),
    "floor-libxml2": ("floor: libxml2 SAX2 push pass", "floor"),
    "sax-owned": ("prototype: libxml2 SAX2 building owned strings", "floor"),
    "zeep": ("Python zeep", "other"),
    "node-soap": ("Node soap", "other"),
    "php-soapclient": ("PHP SoapClient", "other"),
    "kareo-cli": ("kareo CLI, JSON lines to a file (written back to disk before it exits)", "cli"),
    "kareo-cli-pipe": ("kareo CLI, JSON lines to a pipe", "cli"),
    "paced": ("kareo CLI, paced two-year pulls (rate limits on; bench/paced.py)", "paced"),
}
OTHERS = ["zeep", "node-soap", "php-soapclient"]

PROFILES = {
    # dataset name -> fake-server sizes; cases refer to datasets by name.
    "full": {
        "datasets": {"10k": 10000, "30k": 30000, "100k": 100000},
        # The C++ cases run 5 times and report the median run: on a shared machine a run of one second can be
        # slowed by a third by work outside it. Those at 30k and 100k patients (several seconds each) and the
        # paced pulls (which take their time by design) run 3 times.
        "practices_calls": 1000, "pages_total": 50000, "batch": 1000, "repeats": 5, "large_repeats": 3,
        "paced_repeats": 3,
        "slow_timeout": 420, "timeout": 600,
    },
    "quick": {
        "datasets": {"10k": 2000, "30k": 6000, "100k": 20000},
        "practices_calls": 200, "pages_total": 10000, "batch": 1000, "repeats": 1,
        "slow_timeout": 120, "timeout": 300,
    },
    "smoke": {
        "datasets": {"10k": 30, "30k": 60, "100k": 120},
        "practices_calls": 10, "pages_total": 100, "batch": 25, "repeats": 1,
        "slow_timeout": 60, "timeout": 60,
    },
}


def log(*args):
    print("[bench]", *args, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------------------
# Counters of the network namespace: bytes that crossed (loopback counts each byte once as sent) and TCP
# connections opened.

def net_counters():
    counters = {}
    for path in ("/proc/net/netstat", "/proc/net/snmp"):
        try:
            lines = open(path).read().splitlines()
        except OSError:
            continue
        for names, values in zip(lines[::2], lines[1::2]):
            group, names = names.split(":", 1)
            _, values = values.split(":", 1)
            for n, v in zip(names.split(), values.split()):
                counters[group + "." + n] = int(v)
    return {"bytes": counters.get("IpExt.OutOctets", 0), "connects": counters.get("Tcp.ActiveOpens", 0)}


# ------------------------------------------------------------------------------------------------------------
# Processes

# The interpreters' address space is capped so that a stack that would need more memory than the machine can
# spare fails on its own (reported as not finished) instead of pushing the machine into swap or the OOM killer.
# Node is not capped: V8 reserves far more address space than it uses, and fails at its string limit first.
MEMORY_CAP = 16 << 30


def limit_memory():
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def count_lines(stream, into):
    """Reads a pipe to its end as a consumer of the CLI's output would, counting its lines and bytes."""
    lines = size = 0
    while True:
        block = stream.read(1 << 20)
        if not block:
            break
        lines += block.count(b"\n")
        size += len(block)
    into.update({"lines": lines, "bytes": size})


def run_measured(cmd, timeout, env=None, cap=False, pipe=False):
    """Runs cmd with stdout and stderr in files. Returns a dict: exit, stdout (path), stderr (text), wall,
    cpu and max_rss_kb of this process alone (from wait4), timed_out. pipe: stdout is a pipe read (and its
    lines counted) as it comes; the dict has lines and bytes instead of stdout."""
    out = subprocess.PIPE if pipe else tempfile.NamedTemporaryFile(prefix="kareo-bench-out-", delete=False)
    err = tempfile.TemporaryFile()
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT, start_new_session=True,
                            preexec_fn=limit_memory if cap else None)
    counted = {}
    reader = None
    if pipe:
        reader = threading.Thread(target=count_lines, args=(proc.stdout, counted))
        reader.start()
    timed_out = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - start > timeout:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.01)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if reader:
        reader.join()
        proc.stdout.close()
    else:
        out.close()
    err.seek(0)
    stderr = err.read().decode(errors="replace")
    err.close()
    m = {"exit": proc.returncode, "stderr": stderr, "wall": wall, "timed_out": timed_out,
         "cpu": usage.ru_utime + usage.ru_stime, "max_rss_kb": usage.ru_maxrss}
    if pipe:
        m.update(counted)
    else:
        m["stdout"] = out.name
    return m


class Server:
    """kareo-fake-server in the background; url is known once it printed its listening line."""

    def __init__(self, binary, patients, tls=None, seed=1):
        args = [binary, "--port", "0", "--seed", str(seed), "--practices", "1", "--patients", str(patients),
                "--throttle", "off"]
        if tls:
            args += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        self.args = args
        self.log = tempfile.TemporaryFile()
        started = time.monotonic()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, start_new_session=True)
        line = self.proc.stdout.readline().decode()
        m = re.search(r"listening on (https?://[^\s]+)", line)
        if not m:
            self.stop()
            self.log.seek(0)
            raise RuntimeError("kareo-fake-server did not start: %s %s" % (line, self.log.read().decode()[-2000:]))
        self.url = m.group(1).rstrip("/")
        self.endpoint = self.url + ENDPOINT_PATH
        self.startup_seconds = time.monotonic() - started

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ------------------------------------------------------------------------------------------------------------
# The commands of each stack

def stack_command(stack, bins, endpoint, ca_file, scenario, args):
    common = ["--endpoint", endpoint, "--scenario", scenario] + args
    if ca_file:
        common += ["--ca-file", ca_file]
    if stack == "kareo":
        return [bins["client"]] + common
    if stack == "gsoap":
        return [bins["wire"]] + common
    if stack.startswith("floor-"):
        return [bins["floor"], "--parser", stack.split("-", 1)[1]] + common
    if stack == "sax-owned":
        return [bins["floor"], "--parser", "owned"] + common
    if stack == "zeep":
        return ["/usr/bin/python3", os.path.join(ROOT, "bench", "python", "zeep_bench.py"), "--wsdl", WSDL] + common
    if stack == "node-soap":
        return ["node", os.path.join(ROOT, "bench", "node", "soap_bench.js"), "--wsdl", WSDL] + common
    if stack == "php-soapclient":
        return ["php", "-d", "memory_limit=-1", os.path.join(ROOT, "bench", "php", "soapclient_bench.php"),
                "--wsdl", WSDL] + common
    raise ValueError(stack)


def run_case(case, bins, server, ca_file, timeout, results):
    """One process run of one stack on one workload; appends a result dict."""
    stack, scenario = case["stack"], case["scenario"]
    r = dict(case)
    r.update({"transport": "https" if ca_file else "http"})
    cli = stack.startswith("kareo-cli")
    if cli:
        cmd, env = cli_command(bins, server.endpoint, ca_file, case)
    else:
        cmd = stack_command(stack, bins, server.endpoint, ca_file, scenario, case["args"])
        env = None
    net_before = net_counters()
    # The CLI's output goes to a file on disk or, for kareo-cli-pipe, to a pipe read by this script as it comes
    # (as a program reading it would).
    m = run_measured(cmd, timeout, env=env, cap=stack in ("zeep", "php-soapclient"),
                     pipe=stack == "kareo-cli-pipe")
    net_after = net_counters()
    rc, stderr, timed_out = m["exit"], m["stderr"], m["timed_out"]
    r.update({"exit": rc, "process_seconds": m["wall"], "process_cpu_seconds": m["cpu"], "timed_out": timed_out,
              "max_rss_kb": m["max_rss_kb"], "wire_bytes": net_after["bytes"] - net_before["bytes"],
              "connects": net_after["connects"] - net_before["connects"]})
    if cli:
        if "stdout" in m:
            lines = 0
            with open(m["stdout"], "rb") as f:
                for _ in f:
                    lines += 1
            size = os.path.getsize(m["stdout"])
        else:
            lines, size = m.get("lines", 0), m.get("bytes", 0)
        r.update({"records": lines, "calls": 1, "seconds": m["wall"], "cpu_seconds": m["cpu"], "output_bytes": size})
        ok = rc == 0 and (case["expect"] < 0 or lines == case["expect"])
    else:
        with open(m["stdout"], errors="replace") as f:
            line = next((l for l in f.read().splitlines() if l.startswith("{")), None)
        if line:
            own = json.loads(line)
            own["self_max_rss_kb"] = own.pop("max_rss_kb", None)
            r.update(own)
        ok = rc == 0 and line is not None
    if "stdout" in m:
        os.unlink(m["stdout"])
    r["ok"] = ok and not timed_out
    if not r["ok"] and re.search(r"MemoryError|Allowed memory size|Out of memory|bad_alloc", m["stderr"]):
        r["error"] = "ran out of memory (address space capped at %d GiB)" % (MEMORY_CAP >> 30)
    elif not r["ok"]:
        said = [l for l in stderr.strip().splitlines() if l.strip() and not l.startswith("hint:")]
        r["error"] = ("timed out after %d s" % timeout) if timed_out else (said or ["exit %d" % rc])[-1][:300]
    results.append(r)
    log("%-15s %-11s %-5s %-5s %s" % (stack, scenario, case["dataset"], r["transport"],
                                      ("%d records in %.3f s, %s MB peak, %.1f MB on the wire, %d connects" % (
                                          r.get("records", 0), r.get("seconds", 0), mb(r.get("max_rss_kb")),
                                          r["wire_bytes"] / 1e6, r["connects"])) if r["ok"] else "FAILED: " + r["error"]))
    return r


def cli_command(bins, endpoint, ca_file, case):
    env = dict(os.environ)
    env.update({"KAREO_ENDPOINT": endpoint, "KAREO_CUSTOMER_KEY": "test-customer-key",
                "KAREO_USER": "test-user@example.test", "KAREO_PASSWORD": "test-password"})
    # The 100,000-patient response (1.6 GB) is over the client's default limit of 512 MiB. Pacing is off, as for
    # every other stack: the CLI otherwise keeps to the published interval (one GetPatients per second) across
    # processes, and each run would wait for the one before it.
    cmd = [bins["cli"], "--endpoint", endpoint, "--format", "json", "--max-response-mb", "4096", "--no-pacing"]
    if ca_file:
        cmd += ["--ca-file", ca_file]
    cmd += ["patients", "--practice-id", "1"]
    return cmd, env


def mb(kb):
    return "%.0f" % (kb / 1024.0) if kb else "?"


# ------------------------------------------------------------------------------------------------------------
# Machine and versions

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        return ""


def machine_info(bins):
    cpu = sh("lscpu | sed -n 's/^Model name: *//p' | head -1")
    mem = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    dpkg = lambda p: sh("dpkg-query -W -f='${Version}' %s 2>/dev/null" % p)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu, "cores": os.cpu_count(), "memory": mem, "kernel": platform.release(),
        "os": sh(". /etc/os-release && echo $PRETTY_NAME"),
        "compiler": sh("c++ --version | head -1"),
        "gsoap": dpkg("libgsoap-dev"), "openssl": sh("openssl version"),
        "expat": dpkg("libexpat1"), "libxml2": dpkg("libxml2"),
        "python": sh("/usr/bin/python3 --version"), "zeep": dpkg("python3-zeep"), "lxml": dpkg("python3-lxml"),
        "node": sh("node --version"),
        "node_soap": sh("node -p \"require('%s/bench/node/node_modules/soap/package.json').version\"" % ROOT),
        "php": sh("php -r 'echo PHP_VERSION;'"), "php_soap": dpkg("php8.2-soap") or dpkg("php-soap"),
        "load": sh("cat /proc/loadavg"),
    }


# ------------------------------------------------------------------------------------------------------------
# Plan

def plan(profile, stacks):
    p = PROFILES[profile]
    n10, n30, n100 = p["datasets"]["10k"], p["datasets"]["30k"], p["datasets"]["100k"]
    cpp = [s for s in ("kareo", "gsoap", "floor-expat", "floor-reader", "floor-libxml2", "sax-owned") if s in stacks]
    others = [s for s in OTHERS if s in stacks]
    cases = []

    def add(dataset, stack, scenario, args, expect, transports=("http",), repeats=1, slow=False):
        for t in transports:
            cases.append({"dataset": dataset, "stack": stack, "scenario": scenario, "args": args, "expect": expect,
                          "tls": t == "https", "repeats": repeats, "slow": slow})

    large = p.get("large_repeats", 1)
    calls = ["--calls", str(p["practices_calls"])]
    pages = ["--batch-size", str(p["batch"]), "--total", str(p["pages_total"])]
    for s in cpp:
        add("10k", s, "patients", ["--expect", str(n10)], n10, ("http", "https"), p["repeats"])
        add("10k", s, "practices", calls, -1, ("http", "https"), p["repeats"])
    for s in others:
        add("10k", s, "patients", ["--expect", str(n10)], n10, ("http", "https"), slow=True)
        add("10k", s, "practices", calls, -1, ("http", "https"), slow=True)
    if "kareo-cli" in stacks:
        add("10k", "kareo-cli", "patients", [], n10, ("http",), p["repeats"])
        add("10k", "kareo-cli-pipe", "patients", [], n10, ("http",), p["repeats"])
        # The CLI's peak resident memory at 10k/30k/100k: rows are written as they arrive, so it stays flat.
        add("30k", "kareo-cli", "patients", [], n30, ("http",), large)
        add("100k", "kareo-cli", "patients", [], n100, ("http",), large)
    for s in cpp:
        add("100k", s, "patients", ["--expect", str(n100)], n100, ("http",) if s != "kareo" else ("http", "https"),
            large)
        add("100k", s, "allpatients", pages + ["--expect", str(p["pages_total"])], p["pages_total"],
            ("http", "https") if s in ("kareo", "floor-reader") else ("http",), p["repeats"])
    for s in others:
        add("100k", s, "allpatients", pages + ["--expect", str(p["pages_total"])], p["pages_total"], ("http",),
            slow=True)
        add("100k", s, "patients", ["--expect", str(n100)], n100, ("http",), slow=True)
    return cases


def aggregate(runs):
    """One row per case from its repeats: the median run by wall time."""
    ok = [r for r in runs if r["ok"]]
    if not ok:
        return runs[-1]
    ok.sort(key=lambda r: r["seconds"])
    best = dict(ok[len(ok) // 2])
    best["repeats_done"] = len(ok)
    best["seconds_all"] = [round(r["seconds"], 4) for r in ok]
    return best


# ------------------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--profile", default="full", choices=sorted(PROFILES))
    ap.add_argument("--stacks", default=",".join(STACKS))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out"))
    ap.add_argument("--docs", default="", help="write performance.md and performance.png here")
    ap.add_argument("--micro", default="", help="Google Benchmark JSON of kareo_bench_micro to include")
    a = ap.parse_args()
    p = PROFILES[a.profile]
    os.makedirs(a.out, exist_ok=True)
    stacks = [s for s in a.stacks.split(",") if s]

    bins = find_binaries(a.build_dir)
    missing = [k for k in ("client", "wire", "floor", "server") if not bins.get(k)]
    if missing:
        log("missing programs: %s (build them first)" % ", ".join(missing))
        return 2
    if "kareo-cli" in stacks and not bins.get("cli"):
        log("the kareo CLI is not built: its case is skipped")
        stacks.remove("kareo-cli")
    for s in list(stacks):
        tool = {"zeep": "/usr/bin/python3", "node-soap": "node", "php-soapclient": "php"}.get(s)
        if tool and not shutil.which(tool):
            log("%s is not installed: skipped" % tool)
            stacks.remove(s)

    tls_dir = tempfile.mkdtemp(prefix="kareo-bench-tls-")
    cert, key = os.path.join(tls_dir, "cert.pem"), os.path.join(tls_dir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)

    info = machine_info(bins)
    info["netns"] = os.environ.get("KAREO_BENCH_NETNS") == "1"
    info["load_before"] = info.pop("load")
    info["profile"] = a.profile
    cases = plan(a.profile, stacks)
    results, servers_info = [], {}
    started = time.monotonic()
    try:
        for dataset in ("10k", "30k", "100k"):
            todo = [c for c in cases if c["dataset"] == dataset]
            if not todo:
                continue
            n = p["datasets"][dataset]
            servers = {}
            try:
                for tls in (False, True):
                    if any(c["tls"] == tls for c in todo):
                        servers[tls] = Server(bins["server"], n, (cert, key) if tls else None)
                        log("fake server with %d patients (%s) ready in %.1f s" % (
                            n, "https" if tls else "http", servers[tls].startup_seconds))
                        servers_info["%s-%s" % (dataset, "https" if tls else "http")] = servers[tls].startup_seconds
                for case in todo:
                    runs = []
                    for _ in range(case["repeats"]):
                        runs.append(run_case(case, bins, servers[case["tls"]], cert if case["tls"] else "",
                                             p["slow_timeout"] if case["slow"] else p["timeout"], []))
                        if not runs[-1]["ok"]:
                            break
                    results.append(aggregate(runs))
            finally:
                for s in servers.values():
                    s.stop()
    finally:
        shutil.rmtree(tls_dir, ignore_errors=True)
    paced = []
    if "paced" in stacks:
        import paced as paced_pulls
        paced = paced_pulls.run(bins, a.profile, run_measured, log, p["timeout"], p.get("paced_repeats", p["repeats"]))
    info["bench_seconds"] = round(time.monotonic() - started, 1)
    info["load_after"] = sh("cat /proc/loadavg")
    micro = []
    if a.micro and os.path.exists(a.micro):
        micro = json.load(open(a.micro)).get("benchmarks", [])
    doc = {"machine": info, "profile": p, "results": results, "micro": micro, "servers": servers_info,
           "paced": paced}
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
    log("results in %s" % os.path.join(a.out, "results.json"))
    failed = [r for r in results if not r["ok"] and r["stack"] not in OTHERS]
    failed += [dict(r, stack="paced", scenario=r["operation"], dataset="2y", transport="http") for r in paced
               if not r["ok"]]
    if a.docs:
        import report
        report.write(doc, a.docs)
        log("wrote %s/performance.md and performance.png" % a.docs)
    for r in failed:
        log("FAILED: %s %s %s %s: %s" % (r["stack"], r["scenario"], r["dataset"], r["transport"], r.get("error")))
    return 1 if failed else 0


def find_binaries(build_dir):
    def find(name):
        for dirpath, _, files in os.walk(build_dir):
            if name in files and os.access(os.path.join(dirpath, name), os.X_OK):
                return os.path.join(dirpath, name)
        return None
    return {"client": find("kareo_bench_client"), "wire": find("kareo_bench_wire"), "floor": find("kareo_bench_floor"),
"server": find("kareo-fake-server"), "cli": find("kareo")}


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
