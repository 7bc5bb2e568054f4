#!/usr/bin/env python3
"""Prove that wsdl/KareoServices.wsdl states the same contract as the service's own documents.

Runs wsdl2h, with the project's type map, over both the reference contract (the multi-document form the
live endpoint serves) and the project's rendition, then compares what the generated code is made of:
every class (name, base, and each member's declaration, XSD type, occurrence and position), every enum
(its values), and every operation (name, SOAPAction, style, input and output). Exits 0 when they are
the same, 1 with a list of differences, and 77 (skipped) when the reference contract is not present.

Usage: compare_contract.py --wsdl2h PATH --typemap wsdl/typemap.dat --ours wsdl/KareoServices.wsdl --reference DIR
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def generate(wsdl2h, typemap, wsdl, work):
    out = os.path.join(work, "out.h")
    shutil.copy(typemap, os.path.join(work, "typemap.dat"))
    r = subprocess.run([wsdl2h, "-c++17", "-P", "-t", "typemap.dat", "-o", out, os.path.abspath(wsdl)], cwd=work,
                       capture_output=True, text=True)
    if r.returncode != 0 or not os.path.exists(out):
        sys.exit("wsdl2h failed on %s:\n%s%s" % (wsdl, r.stdout, r.stderr))
    with open(out, encoding="utf-8") as f:
        return f.read().splitlines()


def model(lines):
    """Classes, enums and operations of a wsdl2h header."""
    classes, enums, ops = {}, {}, {}
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^class (\w+)(?: : public (\w+))?\s*$", line)
        if m and i + 1 < len(lines) and lines[i + 1].startswith("{"):
            name, base = m.group(1), m.group(2)
            members, doc = [], None
            i += 2
            while i < len(lines) and not lines[i].startswith("};"):
                s = lines[i]
                if s.startswith("/// ") and not s.startswith("/// @"):
                    doc = s[4:].strip()
                elif s.startswith("    ") and ";" in s and not s.strip().startswith("//"):
                    decl, _, note = s.partition("///<")
                    decl = " ".join(decl.split())
                    if not decl.startswith("struct soap") and "soap_type" not in decl:
                        members.append((decl, note.strip(), doc))
                    doc = None
                i += 1
            classes[name] = (base, members)
        m = re.match(r"^enum (?:class )?(\w+)", line)
        if m and not line.rstrip().endswith(";"):
            name, values = m.group(1), []
            i += 1
            while i < len(lines) and not lines[i].startswith("};"):
                s = lines[i].strip()
                if s and not s.startswith("//") and not s.startswith("{"):
                    values.append(s.rstrip(","))
                i += 1
            enums[name] = values
        m = re.match(r"^//gsoap \w+\s+service method-([\w-]+):\s+(\w+)\s+(.*?)\s*$", line)
        if m:
            ops.setdefault(m.group(2), {})[m.group(1)] = m.group(3)
        m = re.match(r"^int __\w+?__(\w+)\($", line)
        if m:
            params = []
            i += 1
            while i < len(lines) and not lines[i].startswith(");"):
                params.append(" ".join(lines[i].split("///<")[0].split()).rstrip(","))
                i += 1
            ops.setdefault(m.group(1), {})["parameters"] = " | ".join(params)
        i += 1
    return classes, enums, ops


def compare(ref, ours):
    problems = []
    for kind, a, b in (("class", ref[0], ours[0]), ("enum", ref[1], ours[1]), ("operation", ref[2], ours[2])):
        for name in sorted(set(a) | set(b)):
            if name not in b:
                problems.append("%s %s: in the reference contract, missing from wsdl/" % (kind, name))
            elif name not in a:
                problems.append("%s %s: in wsdl/, not in the reference contract" % (kind, name))
            elif a[name] != b[name]:
                problems.append("%s %s differs:\n  reference: %r\n  ours:      %r" % (kind, name, a[name], b[name]))
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wsdl2h", required=True)
    ap.add_argument("--typemap", required=True)
    ap.add_argument("--ours", required=True)
    ap.add_argument("--reference", required=True, help="folder holding the reference KareoServices.wsdl and xsd files")
    args = ap.parse_args()
    ref_wsdl = os.path.join(args.reference, "KareoServices.wsdl")
    if not os.path.exists(ref_wsdl):
        print("SKIPPED: the reference contract %s is not present on this machine; nothing to compare" % ref_wsdl)
        return SKIP
    with tempfile.TemporaryDirectory() as w1, tempfile.TemporaryDirectory() as w2:
        ref = model(generate(args.wsdl2h, args.typemap, ref_wsdl, w1))
        ours = model(generate(args.wsdl2h, args.typemap, args.ours, w2))
    for label, m in (("reference", ref), ("ours", ours)):
        if len(m[0]) < 100 or len(m[2]) < 28:
            print("the %s header parsed to %d classes and %d operations: the comparison itself is broken"
                  % (label, len(m[0]), len(m[2])))
            return 1
    problems = compare(ref, ours)
    members = sum(len(c[1]) for c in ref[0].values())
    if problems:
        print("wsdl/KareoServices.wsdl differs from the reference contract in %d places:" % len(problems))
        for p in problems[:200]:
            print(" -", p)
        return 1
    print("same contract: %d classes with %d members, %d enums, %d operations" %
          (len(ref[0]), members, len(ref[1]), len(ref[2])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
