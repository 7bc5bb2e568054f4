#!/usr/bin/env python3
"""Write the KareoServices contract as one self-contained WSDL document in this project's layout.

Input is either the service's multi-document contract (``?wsdl`` with its ``?wsdl=wsdl0`` and ``?xsd=xsdN``
imports saved next to it) or the single document WCF serves at ``?singleWsdl``. Output is one WSDL 1.1
document with every schema inline, fixed namespace prefixes, no WS-Policy, one SOAP 1.1 binding and
no annotations. What the contract states is kept exactly: names, namespaces, the order of members,
XSD types, minOccurs, maxOccurs, nillable, enumerations and facets, operations, SOAPActions and the
input and output elements.

Usage:
  normalize.py INPUT.wsdl [-o OUTPUT.wsdl]
  curl -s 'https://webservice.kareo.com/services/soap/2.1/KareoServices.svc?singleWsdl' | normalize.py - -o KareoServices.wsdl
"""
import argparse
import os
import sys
import urllib.parse
import xml.dom.minidom as minidom

WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
XS = "http://www.w3.org/2001/XMLSchema"
WSAW = "http://www.w3.org/2006/05/addressing/wsdl"
WSAM = "http://www.w3.org/2007/05/addressing/metadata"

# The prefixes of this project's rendition; wsdl/typemap.dat binds the same ones for the generated code.
PREFIXES = [
    ("kareo", "http://www.kareo.com/api/schemas/"),
    ("kareons", "http://www.kareo.com/api/schemas"),
    ("arr", "http://schemas.microsoft.com/2003/10/Serialization/Arrays"),
    ("ser", "http://schemas.microsoft.com/2003/10/Serialization/"),
    ("wcf", "http://schemas.datacontract.org/2004/07/KareoServicesWCF"),
    ("appt", "http://schemas.datacontract.org/2004/07/AppointmentDomain_.Model"),
    ("sys", "http://schemas.datacontract.org/2004/07/System"),
]
TARGET = "http://www.kareo.com/api/schemas/"
DEFAULT_ADDRESS = "https://webservice.kareo.com/services/soap/2.1/KareoServices.svc"

# Attributes written on schema elements, in this order; everything else (annotations, mixed="false") is dropped.
SCHEMA_ATTRS = ["name", "ref", "base", "type", "minOccurs", "maxOccurs", "nillable", "value", "use", "default", "fixed"]
QNAME_ATTRS = {"ref", "base", "type"}
SCHEMA_CHILDREN = {
    "simpleType", "complexType", "complexContent", "simpleContent", "extension", "restriction", "sequence",
    "choice", "all", "element", "attribute", "any", "anyAttribute", "enumeration", "pattern", "minInclusive",
    "maxInclusive", "minExclusive", "maxExclusive", "length", "minLength", "maxLength", "list", "union",
    "totalDigits", "fractionDigits", "whiteSpace",
}


class Failure(Exception):
    pass


def lookup_ns(node, prefix):
    """The namespace bound to prefix at node (None prefix: the default namespace)."""
    attr = "xmlns" if prefix is None else "xmlns:" + prefix
    while node is not None and node.nodeType == node.ELEMENT_NODE:
        if node.hasAttribute(attr):
            return node.getAttribute(attr)
        node = node.parentNode
    if prefix == "xml":
        return "http://www.w3.org/XML/1998/namespace"
    return None


def resolve(node, qname):
    prefix, _, local = qname.rpartition(":")
    ns = lookup_ns(node, prefix or None)
    if ns is None:
        if prefix:
            raise Failure("prefix '%s' of '%s' is not declared" % (prefix, qname))
        ns = ""
    return ns, local


def children(node, ns=None, local=None):
    for c in node.childNodes:
        if c.nodeType != c.ELEMENT_NODE:
            continue
        if ns is not None and c.namespaceURI != ns:
            continue
        if local is not None and c.localName != local:
            continue
        yield c


class Contract:
    def __init__(self):
        self.schemas = {}  # namespace -> {"attrs": {...}, "items": [(kind, name, node)], "seen": set()}
        self.messages = {}  # name -> (ns, local) of its element
        self.port_ops = []  # (name, input action, output action, input msg, output msg)
        self.binding_ops = {}  # name -> soapAction
        self.address = None
        self.loaded = set()

    def load(self, source):
        if source == "-":
            text = sys.stdin.buffer.read()
            base = os.getcwd() + "/"
        else:
            key = os.path.abspath(source)
            if key in self.loaded:
                return
            self.loaded.add(key)
            with open(source, "rb") as f:
                text = f.read()
            base = key
        doc = minidom.parseString(text)
        root = doc.documentElement
        if root.namespaceURI == WSDL and root.localName == "definitions":
            self.load_wsdl(root, base)
        elif root.namespaceURI == XS and root.localName == "schema":
            self.load_schema(root, base)
        else:
            raise Failure("%s is neither a WSDL document nor an XML schema" % source)

    def follow(self, base, location):
        if not location:
            return
        if urllib.parse.urlparse(location).scheme in ("http", "https"):
            raise Failure("import of %s: save the imported documents and point at the local copy" % location)
        self.load(os.path.join(os.path.dirname(base), location))

    def load_wsdl(self, root, base):
        for imp in children(root, WSDL, "import"):
            self.follow(base, imp.getAttribute("location"))
        for types in children(root, WSDL, "types"):
            for schema in children(types, XS, "schema"):
                self.load_schema(schema, base)
        for msg in children(root, WSDL, "message"):
            parts = list(children(msg, WSDL, "part"))
            if len(parts) != 1 or not parts[0].hasAttribute("element"):
                raise Failure("message %s: expected one part naming an element" % msg.getAttribute("name"))
            self.messages[msg.getAttribute("name")] = resolve(parts[0], parts[0].getAttribute("element"))
        for pt in children(root, WSDL, "portType"):
            for op in children(pt, WSDL, "operation"):
                inp = next(children(op, WSDL, "input"))
                out = next(children(op, WSDL, "output"))

                def action(n):
                    for ns in (WSAW, WSAM):
                        if n.hasAttributeNS(ns, "Action"):
                            return n.getAttributeNS(ns, "Action")
                    return ""

                self.port_ops.append((op.getAttribute("name"), action(inp), action(out),
                                      resolve(inp, inp.getAttribute("message"))[1],
                                      resolve(out, out.getAttribute("message"))[1]))
        for binding in children(root, WSDL, "binding"):
            if not list(children(binding, SOAP11, "binding")):
                continue  # SOAP 1.2 and other bindings are not part of this rendition
            for op in children(binding, WSDL, "operation"):
                soap_op = next(children(op, SOAP11, "operation"), None)
                self.binding_ops[op.getAttribute("name")] = soap_op.getAttribute("soapAction") if soap_op else ""
        for service in children(root, WSDL, "service"):
            for port in children(service, WSDL, "port"):
                for addr in children(port, SOAP11, "address"):
                    self.address = self.address or addr.getAttribute("location")

    def load_schema(self, schema, base):
        ns = schema.getAttribute("targetNamespace")
        entry = self.schemas.setdefault(ns, {"attrs": {}, "items": [], "seen": set()})
        for a in ("elementFormDefault", "attributeFormDefault"):
            if schema.hasAttribute(a):
                entry["attrs"][a] = schema.getAttribute(a)
        for imp in children(schema, XS, "import"):
            if imp.hasAttribute("schemaLocation"):
                self.follow(base, imp.getAttribute("schemaLocation"))
        for inc in children(schema, XS, "include"):
            self.follow(base, inc.getAttribute("schemaLocation"))
        for item in children(schema, XS):
            if item.localName in ("import", "include", "annotation"):
                continue
            key = (item.localName, item.getAttribute("name"))
            if key in entry["seen"]:
                continue
            entry["seen"].add(key)
            entry["items"].append((item.localName, item.getAttribute("name"), item))


class Writer:
    def __init__(self, prefixes):
        self.prefix_of = {ns: p for p, ns in prefixes}
        self.out = []
        self.used = set()

    def q(self, ns_local):
        ns, local = ns_local
        if ns == XS:
            return "xs:" + local
        if ns not in self.prefix_of:
            raise Failure("namespace %s has no prefix in this rendition; add it to PREFIXES" % ns)
        self.used.add(ns)
        return self.prefix_of[ns] + ":" + local

    def line(self, depth, text):
        self.out.append("  " * depth + text)

    def schema_node(self, node, depth):
        kids = [c for c in children(node, XS) if c.localName in SCHEMA_CHILDREN]
        for c in children(node, XS):
            if c.localName not in SCHEMA_CHILDREN and c.localName != "annotation":
                raise Failure("schema construct xs:%s is not handled" % c.localName)
        attrs = []
        for a in SCHEMA_ATTRS:
            if node.hasAttribute(a):
                v = node.getAttribute(a)
                if a in QNAME_ATTRS:
                    v = self.q(resolve(node, v))
                attrs.append('%s="%s"' % (a, escape(v)))
        head = "xs:" + node.localName + "".join(" " + a for a in attrs)
        if not kids:
            self.line(depth, "<%s/>" % head)
            return
        self.line(depth, "<%s>" % head)
        for c in kids:
            self.schema_node(c, depth + 1)
        self.line(depth, "</xs:%s>" % node.localName)


def escape(v):
    return v.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def references(node, found):
    """Namespaces a schema component refers to (for its xs:import lines)."""
    for a in QNAME_ATTRS:
        if node.hasAttribute(a):
            found.add(resolve(node, node.getAttribute(a))[0])
    for c in children(node, XS):
        references(c, found)


def render(contract, address):
    known = {ns for _, ns in PREFIXES}
    for ns in contract.schemas:
        if ns not in known and contract.schemas[ns]["items"]:
            raise Failure("namespace %s has no prefix in this rendition; add it to PREFIXES" % ns)
    ops = sorted(contract.port_ops)
    for name, *_ in ops:
        if name not in contract.binding_ops:
            raise Failure("operation %s has no SOAP 1.1 binding" % name)
    if len(ops) == 0:
        raise Failure("the contract declares no operations")

    w = Writer(PREFIXES)
    w.out.append('<?xml version="1.0" encoding="utf-8"?>')
    w.out.append("<!--")
    w.out.append("  Tebra (Kareo) Web Services API 2.1: KareoServices, as one self-contained document.")
    w.out.append("  Written by wsdl/normalize.py; see wsdl/README.md before editing. Member order inside every")
    w.out.append("  xs:sequence is the wire order the service expects; keep it.")
    w.out.append("-->")
    decl = ['xmlns:wsdl="%s"' % WSDL, 'xmlns:soap="%s"' % SOAP11, 'xmlns:wsaw="%s"' % WSAW, 'xmlns:xs="%s"' % XS]
    decl += ['xmlns:%s="%s"' % (p, ns) for p, ns in PREFIXES]
    w.out.append('<wsdl:definitions name="KareoServices" targetNamespace="%s"' % TARGET)
    for d in decl:
        w.out.append("    " + d)
    w.out[-1] += ">"
    w.line(1, "<wsdl:types>")
    order = [ns for _, ns in PREFIXES if ns in contract.schemas]
    for ns in order:
        entry = contract.schemas[ns]
        if not entry["items"]:
            continue
        refs = set()
        for _, _, node in entry["items"]:
            references(node, refs)
        refs.discard(ns)
        refs.discard(XS)
        attrs = "".join(' %s="%s"' % (a, entry["attrs"][a]) for a in ("attributeFormDefault", "elementFormDefault")
                        if a in entry["attrs"])
        w.line(2, '<xs:schema targetNamespace="%s"%s>' % (ns, attrs))
        for r in sorted(refs, key=lambda n: [p for p, x in PREFIXES if x == n] or [n]):
            w.line(3, '<xs:import namespace="%s"/>' % r)
        rank = {"simpleType": 0, "complexType": 1, "element": 2, "attribute": 3}
        for kind, name, node in sorted(entry["items"], key=lambda i: (rank.get(i[0], 9), i[1])):
            w.schema_node(node, 3)
        w.line(2, "</xs:schema>")
    w.line(1, "</wsdl:types>")
    for name, _, _, in_msg, out_msg in ops:
        for suffix, msg in (("In", in_msg), ("Out", out_msg)):
            w.line(1, '<wsdl:message name="%s%s">' % (name, suffix))
            w.line(2, '<wsdl:part name="parameters" element="%s"/>' % w.q(contract.messages[msg]))
            w.line(1, "</wsdl:message>")
    w.line(1, '<wsdl:portType name="KareoServices">')
    for name, in_action, out_action, _, _ in ops:
        w.line(2, '<wsdl:operation name="%s">' % name)
        w.line(3, '<wsdl:input wsaw:Action="%s" message="kareo:%sIn"/>' % (in_action, name))
        w.line(3, '<wsdl:output wsaw:Action="%s" message="kareo:%sOut"/>' % (out_action, name))
        w.line(2, "</wsdl:operation>")
    w.line(1, "</wsdl:portType>")
    w.line(1, '<wsdl:binding name="KareoServices" type="kareo:KareoServices">')
    w.line(2, '<soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>')
    for name, *_ in ops:
        w.line(2, '<wsdl:operation name="%s">' % name)
        w.line(3, '<soap:operation soapAction="%s" style="document"/>' % contract.binding_ops[name])
        w.line(3, '<wsdl:input><soap:body use="literal"/></wsdl:input>')
        w.line(3, '<wsdl:output><soap:body use="literal"/></wsdl:output>')
        w.line(2, "</wsdl:operation>")
    w.line(1, "</wsdl:binding>")
    w.line(1, '<wsdl:service name="KareoServices">')
    w.line(2, '<wsdl:port name="KareoServices" binding="kareo:KareoServices">')
    w.line(3, '<soap:address location="%s"/>' % escape(address or contract.address or DEFAULT_ADDRESS))
    w.line(2, "</wsdl:port>")
    w.line(1, "</wsdl:service>")
    w.out.append("</wsdl:definitions>")
    return "\n".join(w.out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", help="the contract's WSDL file, or - for standard input (a ?singleWsdl document)")
    ap.add_argument("-o", "--output", help="where to write (default: standard output)")
    ap.add_argument("--address", help="the endpoint written in wsdl:service (default: the one the contract names)")
    args = ap.parse_args()
    try:
        contract = Contract()
        contract.load(args.input)
        text = render(contract, args.address)
    except (Failure, OSError, StopIteration) as e:
        sys.stderr.write("normalize.py: %s\n" % (e or "incomplete operation declaration"))
        return 1
    except Exception as e:  # xml.parsers.expat.ExpatError and friends
        sys.stderr.write("normalize.py: cannot read the contract: %s\n" % e)
        return 1
    if args.output:
        tmp = args.output + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, args.output)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
