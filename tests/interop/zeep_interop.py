#!/usr/bin/env python3
"""Interoperability: a SOAP stack nobody here wrote (python3-zeep) calls kareo-fake-server through the
project's WSDL and gets the seeded data back.

usage: zeep_interop.py KAREO_FAKE_SERVER WSDL WORK_DIR
Exit status 77 (skipped) when zeep is not installed.
"""
import json
import os
import subprocess
import sys

SKIP = 77

try:
    import zeep
    import zeep.exceptions
except ImportError:
    print("SKIPPED: python3-zeep is not installed (Debian package python3-zeep)")
    sys.exit(SKIP)

SERVER, WSDL, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
FLAGS = ["--seed", "11", "--today", "2025-06-15", "--practices", "3", "--patients", "45", "--service-locations", "4",
         "--throttle", "off"]
HEADER = {"CustomerKey": "test-customer-key", "User": "test-user@example.test", "Password": "test-password"}
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def ids(rows):
    return sorted(int(r.ID) for r in rows if r.ID)


os.makedirs(WORK, exist_ok=True)
dump = os.path.join(WORK, "zeep-data.json")
subprocess.run([SERVER, "--dump-data", dump] + FLAGS, check=True)
with open(dump, encoding="utf-8") as f:
    data = json.load(f)
expected_practices = {int(p["ID"]): p["PracticeName"] for p in data["practices"]}
expected_patients = {}
for p in data["patients"]:
    expected_patients.setdefault(int(p["PracticeId"]), []).append(int(p["ID"]))

proc = subprocess.Popen([SERVER, "--port", "0", "--fault", "internal:op=GetCharges"] + FLAGS,
                        stdout=subprocess.PIPE, text=True)
try:
    line = proc.stdout.readline().strip()
    check(line.startswith("listening on http://127.0.0.1:"), "ready line: " + line)
    endpoint = line[len("listening on "):] + "/services/soap/2.1/KareoServices.svc"

    client = zeep.Client(WSDL)
    svc = client.create_service("{http://www.kareo.com/api/schemas/}KareoServices", endpoint)

    r = svc.GetPractices(request={"RequestHeader": HEADER, "Fields": {}, "Filter": {}})
    check(r.SecurityResponse.Authenticated is True and r.SecurityResponse.SecurityResultSuccess is True,
          "GetPractices authenticated")
    got = {int(p.ID): p.PracticeName for p in r.Practices.PracticeData}
    check(got == expected_practices, "GetPractices returns the seeded practices %s" % got)

    total = 0
    for practice_id, expected in expected_patients.items():
        r = svc.GetPatients(request={"RequestHeader": HEADER, "Fields": {},
                                     "Filter": {"PracticeID": str(practice_id)}})
        got = ids(r.Patients.PatientData)
        total += len(got)
        check(got == sorted(expected), "GetPatients practice %d: %d patients" % (practice_id, len(got)))
    check(total == 45, "GetPatients over all practices: %d" % total)

    # Cursor paging.
    seen, start = [], None
    for _ in range(20):
        r = svc.GetAllPatients(request={"RequestHeader": HEADER, "Fields": {},
                                        "Filter": {"BatchSize": 4, "PracticeID": 1, "StartKey": start}})
        seen += [int(p.ID) for p in r.Patients.PatientBatchData]
        if r.Key is None or r.Key.nextStartKey is None:
            break
        start = r.Key.nextStartKey
    check(seen == sorted(expected_patients[1]), "GetAllPatients pages through practice 1 (%d)" % len(seen))

    # The second Kareo namespace (no trailing slash).
    r = svc.GetServiceLocations(request={"RequestHeader": HEADER, "Fields": {}, "Filter": {}})
    check(len(r.ServiceLocations.ServiceLocationData) == 4, "GetServiceLocations: 4 locations")

    # Writes.
    r = svc.CreatePatient(request={"RequestHeader": HEADER, "Patient": {
        "FirstName": "Zeep", "LastName": "Testinterop", "PatientExternalID": "ZEEP-1", "ExternalVendorID": 1,
        "Practice": {"PracticeID": 2}}})
    check(r.PatientID == 46 and r.PracticeName == "Testpractice Bravo", "CreatePatient assigns 46")
    r = svc.UpdatePatient(UpdatePatientReq={"RequestHeader": HEADER, "Patient": {"City": "Zeepville", "PatientID": 46}})
    check(r.PatientID == 46 and r.ErrorResponse.IsError is False, "UpdatePatient with its own wrapper")
    r = svc.GetPatient(request={"RequestHeader": HEADER, "Filter": {"ExternalID": "ZEEP-1", "ExternalVendorID": 1}})
    check(r.Patient is not None and r.Patient.City == "Zeepville" and r.Patient.FirstName == "Zeep",
          "GetPatient by external ID sees the write")

    # Security and faults as the service reports them.
    bad = dict(HEADER, Password="wrong")
    r = svc.GetPractices(request={"RequestHeader": bad, "Fields": {}, "Filter": {}})
    # zeep shows a nil list as an empty one.
    check(r.SecurityResponse.Authenticated is False and r.SecurityResponse.SecurityResultSuccess is False
          and not (r.Practices and r.Practices.PracticeData), "wrong password: Authenticated=false, no rows")
    try:
        svc.GetCharges(request={"RequestHeader": HEADER, "Fields": {}, "Filter": {"PracticeName": "Testpractice Alpha"}})
        check(False, "GetCharges fault raised")
    except zeep.exceptions.Fault as fault:
        check("unable to process the request due to an internal error" in fault.message,
              "InternalServiceFault arrives as a SOAP Fault: " + fault.message[:60])
    r = svc.GetThrottles(request={"RequestHeader": HEADER})
    table = {d.Endpoint: d.ThrottleTimeMs for d in r.ThrottleDetails.ThrottleDetail}
    check(table.get("GetPatients") == 1000.0 and table.get("GetAllPatients") == 5000.0, "GetThrottles table")
finally:
    proc.terminate()
    status = proc.wait(timeout=20)
check(status == 0, "server exits 0 on SIGTERM")

if failures:
    print("%d check(s) failed" % len(failures))
    sys.exit(1)
print("all checks passed")
