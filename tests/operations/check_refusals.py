#!/usr/bin/env python3
"""Feeds generate_operations.py broken copies of the operation table and checks each is refused by name.

  check_refusals.py GENERATOR TABLE STUB WORKDIR
"""
import os
import re
import subprocess
import sys


def run(generator, table_text, stub, work, name):
    path = os.path.join(work, name + ".toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(table_text)
    return subprocess.run([sys.executable, generator, "private", path, os.path.join(work, name + ".hpp"), "--stub",
                           stub], capture_output=True, text=True)


def main(argv):
    generator, table, stub, work = argv[1:5]
    os.makedirs(work, exist_ok=True)
    with open(table, encoding="utf-8") as f:
        text = f.read()
    rows = text.split("[[operation]]")
    cases = []
    # A contract operation without a row.
    cases.append(("missing-row", "[[operation]]".join(r for r in rows if 'name = "GetThrottles"' not in r), "GetThrottles"))
    # A row the contract does not have.
    cases.append(("extra-row", text + '\n[[operation]]\nname = "UpdateZebras"\nsummary = "x"\npermission = "x"\n'
                  'payload = "kareo__GetPatientsReq"\nresult = "kareo__GetPatientsResp"\ncommand = "zebras"\n',
                  "UpdateZebras"))
    # A paging member the Filter does not have.
    cases.append(("bad-member", text.replace('"FromPostDate"', '"FromPostingDay"', 1), "FromPostingDay"))
    # A rows array the result does not have.
    cases.append(("bad-array", text.replace('array = "Charges"', 'array = "Chargez"', 1), "Chargez"))
    # A row ID member the row type does not have.
    cases.append(("bad-id", text.replace('id = "EncounterID"', 'id = "EncounterKey"', 1), "EncounterKey"))
    # A required member the payload does not have (checked through each level of its path).
    cases.append(("bad-required", text.replace('"Filter/PatientID|', '"Filter/PatientNumber|', 1), "PatientNumber"))
    # Rows out of order.
    cases.append(("order", re.sub(r'name = "CreateAppointment"', 'name = "ZCreateAppointment"', text, count=1),
                  "alphabetical"))
    # Two list operations reading the same entity of the fake server's store.
    cases.append(("store-entity-twice", text.replace('store_entity = "Charge"', 'store_entity = "Patient"', 1),
                  "store_entity Patient"))
    # A store entity for an operation that lists nothing.
    cases.append(("store-entity-no-rows", text.replace('name = "GetPatient"\n', 'name = "GetPatient"\n'
                                                       'store_entity = "Patient"\n', 1), "store_entity is for list"))
    ok = run(generator, text, stub, work, "control")
    if ok.returncode != 0:
        print("the unmodified table was refused:\n" + ok.stderr)
        return 1
    failed = 0
    for name, broken, needle in cases:
        r = run(generator, broken, stub, work, name)
        if r.returncode == 0 or needle not in r.stderr:
            print(f"{name}: expected a refusal naming {needle!r}, got exit {r.returncode}: {r.stderr.strip()}")
            failed += 1
        else:
            print(f"{name}: refused: {r.stderr.strip()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
