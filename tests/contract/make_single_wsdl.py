#!/usr/bin/env python3
"""Write the service's multi-document contract as one document, the way WCF's ?singleWsdl serves it.

The schemas go inline into wsdl:types with their own prefix declarations (xs: declared on each xs:schema only,
imports by namespace without schemaLocation), the binding and service of the ?wsdl=wsdl0 part are merged in, and
WS-Policy is kept. Used by the tests to exercise the KAREO_WSDL build option on a live-style document.

Usage: make_single_wsdl.py REFERENCE_DIR OUTPUT
"""
import os
import re
import sys


def body(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return re.sub(r"^<\?xml[^>]*>\s*", "", text)


def main():
    ref, out = sys.argv[1], sys.argv[2]
    main_doc = body(os.path.join(ref, "KareoServices.wsdl"))
    part = body(os.path.join(ref, "KareoServices-wsdl0.wsdl"))
    schemas = []
    for i in range(7):
        s = body(os.path.join(ref, "xsd%d.xsd" % i))
        s = re.sub(r'<xs:import schemaLocation="[^"]*" namespace="([^"]*)"/>', r'<xs:import namespace="\1"/>', s)
        schemas.append(s)
    types = "<wsdl:types>\n" + "\n".join(schemas) + "\n</wsdl:types>"
    main_doc = re.sub(r"<wsdl:types>.*?</wsdl:types>", lambda m: types, main_doc, flags=re.S)
    main_doc = re.sub(r'<wsdl:import [^>]*/>\s*', "", main_doc)
    # The binding of the wsdl0 part joins the main document (so it moves into the Kareo namespace: tns:), and
    # the main document's service refers to it there.
    binding = re.search(r"<wsdl:binding .*?</wsdl:binding>", part, re.S).group(0).replace('"i0:', '"tns:')
    service = re.search(r"<wsdl:service .*?</wsdl:service>", main_doc, re.S).group(0).replace('"i0:', '"tns:')
    policy = re.search(r"<wsp:Policy .*?</wsp:Policy>\s*(?=<wsdl:import)", part, re.S)
    main_doc = re.sub(r"<wsdl:service .*?</wsdl:service>", "", main_doc, flags=re.S)
    head_end = main_doc.index(">") + 1
    main_doc = main_doc[:head_end] + "\n" + (policy.group(0) if policy else "") + main_doc[head_end:]
    main_doc = main_doc.replace("</wsdl:definitions>", binding + "\n" + service + "\n</wsdl:definitions>")
    with open(out, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n' + main_doc)


if __name__ == "__main__":
    main()
