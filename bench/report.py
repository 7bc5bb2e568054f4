"""Writes docs/performance.md and docs/performance.png from the results of bench/runner.py."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

LABELS = {
    "kareo": "kareo::Client (this library)",
    "gsoap": "generated gSOAP proxy alone",
    "floor-expat": "floor: expat SAX pass",
    "floor-reader": "floor: libxml2 xmlTextReader pass",
    "floor-libxml2": "floor: libxml2 SAX2 push pass",
    "sax-owned": "prototype: libxml2 SAX2 building owned strings",
    "zeep": "Python zeep",
    "node-soap": "Node soap",
    "php-soapclient": "PHP SoapClient",
    "kareo-cli": "kareo CLI (JSON lines to a file, written back to disk)",
    "kareo-cli-pipe": "kareo CLI (JSON lines to a pipe)",
}
ORDER = list(LABELS)
OTHERS = ["zeep", "node-soap", "php-soapclient"]
TARGET_SPEEDUP = {"zeep": 12, "node-soap": 9, "php-soapclient": 6}


def find(results, stack, scenario, dataset, transport="http"):
    for r in results:
        if (r["stack"], r["scenario"], r["dataset"], r["transport"]) == (stack, scenario, dataset, transport):
            return r
    return None


def ok(r):
    return r is not None and r.get("ok")


def fmt(x, digits=2):
    if x is None:
        return "–"
    if isinstance(x, float):
        if x >= 100:
            return "{:,.0f}".format(x)
        return ("{:.%df}" % digits).format(x)
    return "{:,}".format(x)


def rate(r):
    return r["records"] / r["seconds"] if ok(r) and r["seconds"] > 0 else None


def mib(kb):
    return kb / 1024.0 if kb else None


def workload_title(scenario, dataset, n, profile):
    if scenario == "patients":
        return "GetPatients, one call returning %s patients with every column" % "{:,}".format(n)
    if scenario == "allpatients":
        return "GetAllPatients, batches of %s until %s patients" % (
            "{:,}".format(profile["batch"]), "{:,}".format(profile["pages_total"]))
    return "%s GetPractices calls in a row (per-call overhead)" % "{:,}".format(profile["practices_calls"])


def side_by_side(lines, results, scenario, dataset, transport, profile):
    rows = [r for r in results if (r["scenario"], r["dataset"], r["transport"]) == (scenario, dataset, transport)]
    if not rows:
        return
    rows.sort(key=lambda r: ORDER.index(r["stack"]))
    ours = find(results, "kareo", scenario, dataset, transport)
    n = profile["datasets"][dataset]
    lines.append("### %s (%s)" % (workload_title(scenario, dataset, n, profile), transport.upper()))
    lines.append("")
    per_call = scenario == "practices"
    head = ["stack", "records", "seconds", "records/s" if not per_call else "ms per call", "time × ours",
            "CPU s", "CPU × ours", "peak RSS MiB", "RSS × ours", "wire MB", "TCP connects"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for r in rows:
        label = LABELS.get(r["stack"], r["stack"])
        if not ok(r):
            lines.append("| %s | %s |" % (label, "did not finish: " + (r.get("error") or "failed").replace("|", "/"))
                         + " |" * (len(head) - 2))
            continue
        speed = (1000.0 * r["seconds"] / r["calls"]) if per_call else rate(r)
        t_ratio = r["seconds"] / ours["seconds"] if ok(ours) else None
        c_ratio = r["cpu_seconds"] / ours["cpu_seconds"] if ok(ours) and ours["cpu_seconds"] > 0 else None
        m_ratio = r["max_rss_kb"] / ours["max_rss_kb"] if ok(ours) and r.get("max_rss_kb") else None
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, fmt(r["records"]), fmt(r["seconds"], 3), fmt(speed, 3 if per_call else 0),
            fmt(t_ratio), fmt(r["cpu_seconds"], 3), fmt(c_ratio), fmt(mib(r.get("max_rss_kb")), 0),
            fmt(m_ratio), fmt(r["wire_bytes"] / 1e6, 1), fmt(r["connects"])))
    lines.append("")


def targets(lines, results, profile):
    """The brief's targets, each judged on wall time and on CPU time (the machine is shared: wall time also
    counts waiting for the CPU and for the server, CPU time only the client's own work)."""
    n10 = profile["datasets"]["10k"]
    n100 = profile["datasets"]["100k"]
    ours10 = find(results, "kareo", "patients", "10k")
    ours100 = find(results, "kareo", "patients", "100k")
    rows = []

    def mark(value, good):
        return "–" if value is None else ("%s %s" % (value, "met" if good else "**missed**"))

    for s in OTHERS:
        r = find(results, s, "patients", "10k")
        goal = TARGET_SPEEDUP[s]
        name = "records/s ≥ %d× %s (GetPatients %s, HTTP)" % (goal, LABELS[s], fmt(n10))
        if ok(r) and ok(ours10):
            w = rate(ours10) / rate(r)
            c = r["cpu_seconds"] / ours10["cpu_seconds"]
            rows.append((name, mark("%.1f×" % w, w >= goal), mark("%.1f×" % c, c >= goal)))
        else:
            rows.append((name, "not measured", "not measured"))
    for dataset, ours in (("10k", ours10), ("100k", ours100)):
        n = fmt(profile["datasets"][dataset])
        floors = [f for f in (find(results, x, "patients", dataset) for x in ("floor-expat", "floor-reader")) if ok(f)]
        if ok(ours) and floors:
            fw = min(floors, key=lambda f: f["seconds"])
            fc = min(floors, key=lambda f: f["cpu_seconds"])
            w, c = ours["seconds"] / fw["seconds"], ours["cpu_seconds"] / fc["cpu_seconds"]
            rows.append(("within 1.3× of the streaming floor, GetPatients %s (floor: the faster of expat and "
                         "xmlTextReader)" % n, mark("%.2f×" % w, w <= 1.3), mark("%.2f×" % c, c <= 1.3)))
        push = find(results, "floor-libxml2", "patients", dataset)
        if ok(ours) and ok(push):
            w, c = ours["seconds"] / push["seconds"], ours["cpu_seconds"] / push["cpu_seconds"]
            rows.append(("for information: against libxml2's SAX2 push parser, GetPatients %s" % n,
                         "%.2f×" % w, "%.2f×" % c))
    for dataset, ours in (("10k", ours10), ("100k", ours100)):
        cli = find(results, "kareo-cli", "patients", dataset)
        name = ("CLI writing JSON lines, ISO dates and booleans included, within 1.3× of the parse alone "
                "(%s patients; whole CLI process, its output to a file on disk)") % fmt(
            profile["datasets"][dataset])
        if ok(cli) and ok(ours):
            w, c = cli["seconds"] / ours["seconds"], cli["cpu_seconds"] / ours["cpu_seconds"]
            rows.append((name, mark("%.2f×" % w, w <= 1.3), mark("%.2f×" % c, c <= 1.3)))
        elif cli is not None:
            rows.append((name, "CLI run failed: %s" % cli.get("error"), "–"))
        # The same output to a pipe, read as it comes by the benchmark's own process.
        to_pipe = find(results, "kareo-cli-pipe", "patients", dataset)
        if ok(to_pipe) and ok(ours):
            w, c = to_pipe["seconds"] / ours["seconds"], to_pipe["cpu_seconds"] / ours["cpu_seconds"]
            rows.append(("for information: the same with the output to a pipe, read and counted as it comes by "
                         "the benchmark (%s patients)" % fmt(profile["datasets"][dataset]), "%.2f×" % w, "%.2f×" % c))
    # Rows as they arrive: the CLI's peak resident memory, at most 64 MiB at 30,000 patients and flat to 100,000.
    clis = [(d, find(results, "kareo-cli", "patients", d)) for d in ("10k", "30k", "100k")]
    if all(ok(c) for _, c in clis):
        peaks = [mib(c["max_rss_kb"]) for _, c in clis]
        n30 = profile["datasets"].get("30k", 0)
        rows.append(("CLI peak memory, `kareo --format json patients`, %s / %s / %s patients: ≤ 64 MiB at %s and "
                     "flat (the largest at most 1.25× the smallest)" % (
                         fmt(n10), fmt(n30), fmt(n100), fmt(n30)),
                     mark("%.0f / %.0f / %.0f MiB" % tuple(peaks), peaks[1] <= 64 and peaks[2] <= 1.25 * peaks[0]),
                     ""))
    elif any(c is not None for _, c in clis):
        rows.append(("CLI peak memory at 10k/30k/100k patients", "not measured (a CLI run failed or was skipped)",
                     ""))
    floor100 = next((f for f in (find(results, x, "patients", "100k") for x in ("floor-reader", "floor-expat",
                                                                                 "floor-libxml2")) if ok(f)), None)
    if ok(ours100) and floor100 and floor100.get("response_bytes"):
        body = floor100["response_bytes"]
        x = ours100["max_rss_kb"] * 1024.0 / body
        rows.append(("peak memory fetching %s patients ≤ 1.6× the response body (%.0f MiB)" % (
            fmt(n100), body / 1048576.0), mark("%.2f× (%.0f MiB)" % (x, mib(ours100["max_rss_kb"])), x <= 1.6), ""))
    if ok(ours10) and ok(ours100):
        k = n100 / float(n10)
        t = ours100["seconds"] / ours10["seconds"]
        tc = ours100["cpu_seconds"] / ours10["cpu_seconds"]
        g = ours100["max_rss_kb"] / float(ours10["max_rss_kb"])
        rows.append(("linear growth %s → %s patients (%.0f× the rows; met when no figure grows more than "
                     "1.2× as fast)" % (fmt(n10), fmt(n100), k),
                     mark("time %.1f×, memory %.1f×" % (t, g), t <= 1.2 * k and g <= 1.2 * k),
                     mark("CPU %.1f×" % tc, tc <= 1.2 * k)))
    for transport in ("http", "https"):
        r = find(results, "kareo", "practices", "10k", transport)
        if ok(r):
            ms = 1000.0 * r["seconds"] / r["calls"]
            cms = 1000.0 * r["cpu_seconds"] / r["calls"]
            rows.append(("per-call overhead < 0.2 ms on a kept-alive loopback connection (%s, %d GetPractices)" % (
                transport.upper(), r["calls"]), mark("%.3f ms" % ms, ms < 0.2), mark("%.3f ms" % cms, cms < 0.2)))
            rows.append(("connections%s reused (%s)" % (" and TLS session" if transport == "https" else "",
                                                         transport.upper()),
                         mark("%d TCP connection%s for %d calls" % (r["connects"], "" if r["connects"] == 1 else "s",
                                                                    r["calls"]), r["connects"] <= 1), ""))
    lines.append("| target | by wall time | by CPU time |")
    lines.append("|---|---|---|")
    for t in rows:
        lines.append("| %s | %s | %s |" % t)
    lines.append("")


def scaling(lines, results, profile):
    n10, n100 = fmt(profile["datasets"]["10k"]), fmt(profile["datasets"]["100k"])
    lines.append("| stack | seconds %s | seconds %s | growth | CPU s %s | CPU s %s | growth | peak RSS MiB %s | "
                 "peak RSS MiB %s | growth |" % (n10, n100, n10, n100, n10, n100))
    lines.append("|" + "---|" * 10)
    for s in ORDER:
        a, b = find(results, s, "patients", "10k"), find(results, s, "patients", "100k")
        if a is None and b is None:
            continue
        if ok(a) and ok(b):
            lines.append("| %s | %s | %s | %.1f× | %s | %s | %.1f× | %s | %s | %.1f× |" % (
                LABELS[s], fmt(a["seconds"], 3), fmt(b["seconds"], 3), b["seconds"] / a["seconds"],
                fmt(a["cpu_seconds"], 3), fmt(b["cpu_seconds"], 3), b["cpu_seconds"] / a["cpu_seconds"],
                fmt(mib(a["max_rss_kb"]), 0), fmt(mib(b["max_rss_kb"]), 0), b["max_rss_kb"] / float(a["max_rss_kb"])))
        else:
            why = (b or {}).get("error") or (a or {}).get("error") or "not run"
            lines.append("| %s | %s | did not finish: %s | – | %s | – | – | %s | – | – |" % (
                LABELS[s], fmt(a["seconds"], 3) if ok(a) else "–", why.replace("|", "/"),
                fmt(a["cpu_seconds"], 3) if ok(a) else "–", fmt(mib(a["max_rss_kb"]), 0) if ok(a) else "–"))
    lines.append("")


def micro_table(lines, micro):
    if not micro:
        lines.append("(not run)")
        lines.append("")
        return
    lines.append("| benchmark | CPU time per iteration | wall time per iteration | throughput (by CPU time) |")
    lines.append("|---|---|---|---|")
    for b in micro:
        if b.get("run_type") == "aggregate":
            continue
        unit = b.get("time_unit", "ns")
        thr = []
        if b.get("items_per_second"):
            thr.append("{:,.0f} rows/s".format(b["items_per_second"]))
        if b.get("bytes_per_second"):
            thr.append("%.0f MB/s" % (b["bytes_per_second"] / 1e6))
        lines.append("| %s | %s %s | %s %s | %s |" % (b["name"], fmt(float(b["cpu_time"]), 2), unit,
                                                   fmt(float(b["real_time"]), 2), unit, ", ".join(thr)))
    lines.append("")


def chart(doc, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results, profile = doc["results"], doc["profile"]
    stacks = [s for s in ORDER if not s.startswith("kareo-cli") and any(r["stack"] == s for r in results)]
    groups = [("patients", "10k"), ("patients", "100k"), ("allpatients", "100k")]
    titles = ["GetPatients %s" % "{:,}".format(profile["datasets"]["10k"]),
              "GetPatients %s" % "{:,}".format(profile["datasets"]["100k"]),
              "GetAllPatients %s" % "{:,}".format(profile["pages_total"])]
    colors = {"kareo": "#1f6feb", "gsoap": "#6ea8fe", "floor-expat": "#999999", "floor-reader": "#777777", "floor-libxml2": "#c8c8c8", "sax-owned": "#b0c4de",
              "zeep": "#e8a33d", "node-soap": "#55a868", "php-soapclient": "#8172b2"}
    fig, axes = plt.subplots(1, 2, figsize=(13, 6.2))
    width = 0.8 / max(1, len(stacks))
    for i, s in enumerate(stacks):
        xs, ys, ms, mx = [], [], [], []
        for g, (scenario, dataset) in enumerate(groups):
            r = find(results, s, scenario, dataset)
            if ok(r):
                xs.append(g + (i - len(stacks) / 2.0 + 0.5) * width)
                ys.append(rate(r))
                if scenario == "patients":
                    mx.append(g + (i - len(stacks) / 2.0 + 0.5) * width)
                    ms.append(mib(r["max_rss_kb"]))
        axes[0].bar(xs, ys, width, label=LABELS[s], color=colors.get(s))
        axes[1].bar(mx, ms, width, label=LABELS[s], color=colors.get(s))
    axes[0].set_yscale("log")
    axes[0].set_ylabel("records per second (log scale, higher is better)")
    axes[0].set_xticks(range(len(groups)))
    axes[0].set_xticklabels(titles)
    axes[0].set_title("Throughput over loopback (HTTP)")
    axes[1].set_yscale("log")
    axes[1].set_ylabel("peak resident memory, MiB (log scale, lower is better)")
    axes[1].set_xticks(range(2))
    axes[1].set_xticklabels(titles[:2])
    axes[1].set_title("Peak memory of the whole process")
    floor100 = find(results, "floor-expat", "patients", "100k")
    if ok(floor100) and floor100.get("response_bytes"):
        body = floor100["response_bytes"] / 1048576.0
        axes[1].axhline(body, color="#444444", linestyle="--", linewidth=1)
        axes[1].text(1.45, body * 1.05, "response body", ha="right", fontsize=8, color="#444444")
    for ax in axes:
        ax.grid(axis="y", which="both", alpha=0.25)
        low, high = ax.get_ylim()
        ax.set_ylim(max(low, 1e-9) / 3, high * 1.5)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.suptitle("kareo-cpp against the SOAP stacks integrators use (%s)" % doc["machine"]["date"], fontsize=11)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(doc, docs_dir):
    os.makedirs(docs_dir, exist_ok=True)
    m, p, results = doc["machine"], doc["profile"], doc["results"]
    L = []
    L.append("# Performance")
    L.append("")
    L.append("Generated by `bench/run` on %s (profile `%s`, %s s of benchmarks). Do not edit by hand: the numbers "
             "come from one run of that command, and the analysis at the end from `bench/notes.md`." % (
                 m["date"], m["profile"], m.get("bench_seconds")))
    L.append("")
    L.append("![Throughput and memory of each stack](performance.png)")
    L.append("")
    L.append("## Targets")
    L.append("")
    targets(L, results, p)
    L.append("## What was run")
    L.append("")
    L.append("Every stack does the same work against the same `kareo-fake-server` (throttling off, one practice, "
             "every PatientData column filled, WCF-style XML: default namespace on the response element, "
             "`i:nil`, .NET text formats) over loopback, one kept-alive connection, no compression "
             "(`Accept-Encoding: identity` for every stack, so every stack receives the same bytes). "
             "Each checks that it received the expected number of records.")
    L.append("")
    L.append("- **kareo::Client** — `bench/e2e/facade.cpp`: `Client::patients(query).collect()` returning "
             "`std::vector<kareo::PatientData>` (owned values, placeholder rows dropped), the `Client::all_patients()` "
             "range, `Client::practices()`.")
    L.append("- **generated gSOAP proxy alone** — `bench/e2e/wire.cpp`: the soapcpp2 proxy, results left in the "
             "generated objects; what the facade adds is the difference.")
    L.append("- **floor** — `bench/e2e/floor.cpp`: the same requests on one kept-alive connection, the response "
             "only streamed through a parser that counts the records, nothing built: expat (SAX), libxml2's "
             "xmlTextReader (the two the targets name), and libxml2's SAX2 push parser (a lower bound).")
    L.append("- **prototype** — the same program with libxml2's SAX2 push parser moving every value into an owned "
             "`std::string` slot of a compact row (only the columns present) and keeping every row: a lower "
             "bound for the library's streaming reader, which fills the generated classes instead (see the "
             "analysis below).")
    L.append("- **Python zeep** (`bench/python/zeep_bench.py`), **Node soap** (`bench/node/soap_bench.js`), "
             "**PHP SoapClient** (`bench/php/soapclient_bench.php`), each loading `wsdl/KareoServices.wsdl` with "
             "the endpoint overridden.")
    L.append("- **kareo CLI** — `kareo --format json patients`, its output (one JSON line per patient) written "
             "to a file on this machine's disk and counted; the CLI writes the file back to disk (fsync) before it "
             "exits, so that a failed write is a failed command (docs/cli.md). Once more with the output to a pipe, "
             "read and counted as it comes by the benchmark's own process, as a program reading the CLI's output "
             "would.")
    L.append("")
    L.append("How each figure is taken: *seconds* is the wall time of the calls, measured inside the program "
             "around the calls only (interpreter start-up and WSDL loading excluded; for the CLI, the whole "
             "process). *CPU s* is the process's user+system CPU over the same span. *peak RSS* is the whole "
             "process's maximum resident set (wait4), interpreter included. *wire MB* counts the IP bytes that "
             "crossed loopback in both directions during the run, from the counters of a network namespace the "
             "run has to itself%s. *TCP connects* is the number of connections the client opened. C++ cases "
             "run %d times (%d at 30,000 and 100,000 patients) and show the median run by wall time; the other "
             "stacks run once and are bounded to %d s per case "
             "(Python and PHP also to 16 GiB of address space). The client's pacing is off "
             "(`CallPolicies::none()`), as the other stacks have none and the server does not throttle." % (
                 "" if m.get("netns") else " (this run could not make one: the counters are the machine's, so "
                 "other traffic may be included)", p["repeats"], p.get("large_repeats", 1), p["slow_timeout"]))
    L.append("")
    L.append("## Side by side")
    L.append("")
    for scenario, dataset, transport in (("patients", "10k", "http"), ("patients", "10k", "https"),
                                         ("patients", "100k", "http"), ("patients", "100k", "https"),
                                         ("allpatients", "100k", "http"), ("allpatients", "100k", "https"),
                                         ("practices", "10k", "http"), ("practices", "10k", "https")):
        side_by_side(L, results, scenario, dataset, transport, p)
    L.append("## Scaling from %s to %s patients (GetPatients, HTTP)" % (
        "{:,}".format(p["datasets"]["10k"]), "{:,}".format(p["datasets"]["100k"])))
    L.append("")
    scaling(L, results, p)
    import paced
    paced.report(L, doc.get("paced"))
    L.append("## Micro benchmarks (Google Benchmark, `kareo_bench_micro`)")
    L.append("")
    L.append("Request rows build the request body and serialize it with the generated proxy (HTTP headers "
             "included) into a counting sink. The GetPatients rows read a WCF-style response held in memory "
             "(generated by `bench/common/wcf_xml.cpp`, about 20 kB per patient with one case and one policy): "
             "`ClientGetPatients` through `kareo::Client::patients()` over the canned transport, the "
             "library's whole path (HTTP handling, streaming reader, response checks, owned rows) but the "
             "network; `ParseGetPatients` through the generated deserializer alone. Map rows run the facade's "
             "response check and exception mapping.")
    L.append("")
    micro_table(L, doc.get("micro"))
    L.append("## Machine")
    L.append("")
    L.append("| | |")
    L.append("|---|---|")
    for k in ("cpu", "cores", "memory", "os", "kernel", "load_before", "load_after", "compiler", "gsoap", "openssl", "expat", "libxml2",
              "python", "zeep", "lxml", "node", "node_soap", "php", "php_soap"):
        L.append("| %s | %s |" % ({"load_before": "load average before the run",
                                   "load_after": "load average after the run"}.get(k, k), m.get(k, "")))
    L.append("")
    notes = os.path.join(HERE, "notes.md")
    if os.path.exists(notes):
        L.append(open(notes).read().rstrip())
        L.append("")
    with open(os.path.join(docs_dir, "performance.md"), "w") as f:
        f.write("\n".join(L))
    try:
        chart(doc, os.path.join(docs_dir, "performance.png"))
    except ImportError:
        print("[bench] matplotlib is missing: no chart (apt-get install python3-matplotlib)")


if __name__ == "__main__":
    import json
    import sys
    write(json.load(open(sys.argv[1])), sys.argv[2])
