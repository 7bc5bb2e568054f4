"""The contract as soapcpp2 generated it (kareo_wireStub.h): its types, their members in wire order, the
namespaces of their elements, occurrence. Shared by the generators of the fake server's tables
(src/testing/gen_schema.py) and of the request checker's (scripts/generate_contract_tables.py), so both read
the contract the same way.
"""
import re

CLASS_RE = re.compile(r"^class SOAP_CMAC (\w+)(?:\s*:\s*public\s+(\w+))?\s*\{\s*$")
MEMBER_DOC_RE = re.compile(
    r"^\s*/// (Optional|Required|Required nillable \(xsi:nil when NULL\)|Optional nillable \(xsi:nil when NULL\)) "
    r"element '([\w]+):([\w]+)' of XML schema type '([\w]+):([\w]+)'\s*$")
MEMBER_DECL_RE = re.compile(r"^\s*(.+?)\s+(\w+);\s*$")
ENUM_RE = re.compile(r"^enum class (\w+)\s*\{")
NS_RE = re.compile(r'^#define SOAP_NAMESPACE_OF_(\w+)\s+"([^"]*)"')


def parse(stub_path):
    with open(stub_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    namespaces = {}
    enums = []
    classes = []  # (name, base, [members])
    i = 0
    while i < len(lines):
        line = lines[i]
        m = NS_RE.match(line)
        if m:
            namespaces[m.group(1)] = m.group(2)
        m = ENUM_RE.match(line)
        if m:
            enums.append(m.group(1))
        m = CLASS_RE.match(line)
        if m:
            name, base = m.group(1), m.group(2)
            members = []
            i += 1
            # The data members come first, between the first and the second "public:".
            if lines[i].strip() == "public:":
                i += 1
            while i < len(lines) and lines[i].strip() != "public:":
                doc = MEMBER_DOC_RE.match(lines[i])
                if doc:
                    decl = MEMBER_DECL_RE.match(lines[i + 1])
                    if not decl:
                        raise SystemExit("gen_schema.py: cannot read the member after: " + lines[i])
                    members.append({
                        "required": doc.group(1).startswith("Required"),
                        "nillable": "nillable" in doc.group(1),
                        "prefix": doc.group(2),
                        "element": doc.group(3),
                        "type_prefix": doc.group(4),
                        "type": doc.group(5),
                        "ctype": decl.group(1),
                        "cname": decl.group(2),
                    })
                    i += 1
                i += 1
            classes.append((name, base, members))
        i += 1
    return namespaces, enums, classes


def split_cname(cname):
    """kareo__PatientData -> ("kareo", "PatientData"); _kareo__DeleteAppointment -> ("kareo", "DeleteAppointment")."""
    m = re.match(r"^_?([A-Za-z0-9]+)__(\w+)$", cname)
    if not m:
        return None, cname
    return m.group(1), m.group(2)



def tables(namespaces, classes, banner):
    """The C++ tables (kNamespaceUris, kNamespacePrefixes, kMemberDefs, kTypeDefs) of the types in `classes`, for a
    file included where MemberDef and TypeDef are defined. Returns (text, class name -> type index)."""
    prefixes = sorted(namespaces)
    prefix_index = {p: i for i, p in enumerate(prefixes)}
    class_index = {c[0]: i for i, c in enumerate(classes)}
    by_xml = {}
    for name, _, _ in classes:
        prefix, local = split_cname(name)
        if not name.startswith("_"):
            by_xml[(prefix, local)] = name

    out = []
    out.append(banner)
    out.append("// clang-format off")
    out.append("static const char* const kNamespaceUris[] = {")
    for p in prefixes:
        out.append('    "%s",  // %s' % (namespaces[p], p))
    out.append("};")
    out.append("static const char* const kNamespacePrefixes[] = {")
    for p in prefixes:
        out.append('    "%s",' % p)
    out.append("};")
    out.append("static constexpr int kNamespaceCount = %d;" % len(prefixes))
    out.append("static const MemberDef kMemberDefs[] = {")
    first = []
    count = 0
    for name, base, members in classes:
        first.append(count)
        for m in members:
            ref = by_xml.get((m["type_prefix"], m["type"]))
            type_id = class_index[ref] if ref else -1
            repeated = m["ctype"].startswith("std::vector<")
            out.append('    {"%s", %d, %d, "%s:%s", %s, %s, %s},' % (
                m["element"], prefix_index[m["prefix"]], type_id, m["type_prefix"], m["type"],
                "true" if repeated else "false", "true" if m["required"] else "false",
                "true" if m["nillable"] else "false"))
            count += 1
    out.append("    {nullptr, 0, -1, nullptr, false, false, false},")
    out.append("};")
    out.append("static const TypeDef kTypeDefs[] = {")
    for i, (name, base, members) in enumerate(classes):
        prefix, local = split_cname(name)
        out.append('    {"%s", "%s", %d, %d, %d, %d, %s},' % (
            name, local, prefix_index.get(prefix, 0), class_index[base] if base else -1, first[i], len(members),
            "true" if name.startswith("_") else "false"))
    out.append("};")
    out.append("static constexpr int kTypeCount = %d;" % len(classes))
    out.append("// clang-format on")
    return "\n".join(out) + "\n", class_index


def contract_classes(stub):
    """(namespaces, enums, classes) of the stub header, without gSOAP's own classes; fails on anything else."""
    namespaces, enums, classes = parse(stub)
    classes = [c for c in classes if c[0] != "xsd__anyType" and not c[0].startswith("SOAP_ENV__")]
    if len(classes) < 100 or "kareo" not in namespaces:
        raise SystemExit("%s does not look like the KareoServices stub header" % stub)
    return namespaces, enums, classes
