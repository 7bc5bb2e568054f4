#!/usr/bin/python3
"""The benchmark workloads done with python3-zeep, the way a Python integrator calls Tebra.

Same flags and the same one-line JSON result as the C++ programs (see bench/e2e/harness.hpp):
  zeep_bench.py --wsdl wsdl/KareoServices.wsdl --endpoint URL [--ca-file PEM] --scenario patients|allpatients|practices
"""
import argparse
import json
import resource
import sys
import time

import requests
import zeep
from zeep.transports import Transport

BINDING = "{http://www.kareo.com/api/schemas/}KareoServices"


def cpu_now():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--wsdl", required=True)
    p.add_argument("--endpoint", required=True)
    p.add_argument("--ca-file", default="")
    p.add_argument("--scenario", default="patients", choices=["patients", "allpatients", "practices"])
    p.add_argument("--customer-key", default="test-customer-key")
    p.add_argument("--user", default="test-user@example.test")
    p.add_argument("--password", default="test-password")
    p.add_argument("--practice-name", default="")
    p.add_argument("--practice-id", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=1000)
    p.add_argument("--total", type=int, default=50000)
    p.add_argument("--calls", type=int, default=1000)
    p.add_argument("--expect", type=int, default=-1)
    a = p.parse_args()

    setup_wall = time.monotonic()
    session = requests.Session()
    # Same bytes for every stack: no compression (requests would otherwise ask for gzip).
    session.headers["Accept-Encoding"] = "identity"
    session.verify = a.ca_file if a.ca_file else True
    # Loopback only: no proxies, and REQUESTS_CA_BUNDLE must not replace the CA given here.
    session.trust_env = False
    settings = zeep.Settings(strict=False, xml_huge_tree=True)
    client = zeep.Client(a.wsdl, settings=settings, transport=Transport(session=session))
    service = client.create_service(BINDING, a.endpoint)
    setup_seconds = time.monotonic() - setup_wall

    header = {"ClientVersion": "kareo-bench-zeep", "CustomerKey": a.customer_key, "Password": a.password,
              "User": a.user}
    wall, cpu = time.monotonic(), cpu_now()
    records = calls = 0
    if a.scenario == "patients":
        practice = {"PracticeName": a.practice_name} if a.practice_name else {"PracticeID": str(a.practice_id)}
        result = service.GetPatients(request={"RequestHeader": header, "Fields": {}, "Filter": practice})
        calls = 1
        if result.Patients is not None:
            records = len(result.Patients.PatientData)
    elif a.scenario == "allpatients":
        key = 0
        while records < a.total:
            result = service.GetAllPatients(request={
                "RequestHeader": header, "Fields": {},
                "Filter": {"BatchSize": a.batch_size, "PracticeID": a.practice_id, "StartKey": key}})
            calls += 1
            got = len(result.Patients.PatientBatchData) if result.Patients is not None else 0
            records += got
            nxt = result.Key.nextStartKey if result.Key is not None else None
            if got == 0 or nxt is None or nxt == key:
                break
            key = nxt
    else:
        for _ in range(a.calls):
            result = service.GetPractices(request={"RequestHeader": header, "Fields": {}, "Filter": {}})
            calls += 1
            if result.Practices is not None:
                records += len(result.Practices.PracticeData)
    seconds, cpu_seconds = time.monotonic() - wall, cpu_now() - cpu
    print(json.dumps({
        "program": "zeep", "scenario": a.scenario, "records": records, "calls": calls, "seconds": seconds,
        "cpu_seconds": cpu_seconds, "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "setup_seconds": setup_seconds, "version": zeep.__version__}), flush=True)
    if a.expect >= 0 and records != a.expect:
        print("zeep: expected %d records, received %d" % (a.expect, records), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
