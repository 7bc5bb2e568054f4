#!/usr/bin/env python3
"""Reads the soapcpp2 output (kareo_wireStub.h) and writes the facade's glue to the generated classes.

  generate_wire_helpers.py types   STUB OUT [--check]   include/kareo/types.hpp: the contract's types under their
                                                        contract names in namespace kareo (committed; --check fails
                                                        when OUT is out of date)
  generate_wire_helpers.py helpers STUB OUT             a private header for src/: detach() clears the context
                                                        back-pointers of a result graph, take() moves one object's
                                                        members into another (the generated classes have no move
                                                        constructor)
  generate_wire_helpers.py fastparse STUB OUT TABLE     a private source for src/: the member tables the streaming
                                                        reader of list results fills the generated classes with
                                                        (src/transport/fast_reader.hpp), for the operation table's streamed
                                                        rows; fails on a member type it cannot read
"""
import re
import sys
import tomllib

PREFIXES = {
    "kareo": "http://www.kareo.com/api/schemas/",
    "kareons": "http://www.kareo.com/api/schemas",
    "arr": "http://schemas.microsoft.com/2003/10/Serialization/Arrays",
    "wcf": "http://schemas.datacontract.org/2004/07/KareoServicesWCF",
    "appt": "http://schemas.datacontract.org/2004/07/AppointmentDomain_.Model",
    "sys": "http://schemas.datacontract.org/2004/07/System",
}

CLASS_RE = re.compile(r"^class SOAP_CMAC (\w+)(?: : public (\w+))? \{$")
ENUM_RE = re.compile(r"^enum class (\w+) \{$")
MEMBER_RE = re.compile(r"^        (.+?) (\w+);$")


def parse(stub_path):
    """Returns (classes, enums): classes maps name -> (base, [(type, member)]), in file order."""
    classes = {}
    enums = []
    with open(stub_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = CLASS_RE.match(line)
        if m:
            name, base = m.group(1), m.group(2)
            members = []
            i += 2  # skip "public:"
            while i < len(lines) and lines[i].strip() != "public:":
                if "(" in lines[i] and not lines[i].strip().startswith("///"):
                    break  # a class without data members: its methods follow directly
                mm = MEMBER_RE.match(lines[i])
                if mm and not lines[i].strip().startswith("///") and mm.group(2) != "soap":
                    members.append((mm.group(1), mm.group(2)))
                i += 1
            classes[name] = (base, members)
            continue
        m = ENUM_RE.match(line)
        if m:
            enums.append(m.group(1))
        i += 1
    return classes, enums


def split_name(name):
    """'kareo__PatientData' -> ('kareo', 'PatientData'); None for names outside the contract's namespaces."""
    if name.startswith("_"):
        return None
    prefix, sep, local = name.partition("__")
    if not sep or prefix not in PREFIXES:
        return None
    return prefix, local


def write_types(classes, enums, out_path, check):
    entries = []
    seen = {}
    for name in list(classes) + enums:
        parts = split_name(name)
        if parts is None:
            continue
        prefix, local = parts
        if local in seen:
            raise SystemExit(f"two contract types are both named {local}: {seen[local]} and {name}")
        seen[local] = name
        kind = "enumeration" if name in enums else "type"
        entries.append((local, name, prefix, kind))
    out = [
        "/// @file",
        "/// @brief The contract's types under their contract names: the typed requests and results of kareo::Client.",
        "///",
        "/// Each name is the generated class (or enumeration) of the KareoServices 2.1 contract, e.g. kareo::PatientData",
        "/// is the complex type `PatientData` of namespace \"http://www.kareo.com/api/schemas/\". Members follow the",
        "/// contract: optional strings and numbers are `std::optional`, nested types `std::shared_ptr`, lists",
        "/// `std::vector` inside an `ArrayOf...` type, `xs:dateTime` the wire text (see kareo/datetime.hpp). Objects",
        "/// returned by kareo::Client own everything they hold; their `soap` member is always null.",
        "///",
        "/// Written by scripts/generate_wire_helpers.py from the generated header; do not edit by hand.",
        "#pragma once",
        "",
        "#include \"kareo_wireH.h\"",
        "",
        "namespace kareo {",
        "",
    ]
    # Lines are wrapped the way clang-format (ColumnLimit 120) wraps them, so the file stays formatted.
    for local, name, prefix, kind in entries:
        comment = f"/// The contract's {kind} `{local}` (namespace \"{PREFIXES[prefix]}\")."
        if len(comment) > 120:
            out.append(f"/// The contract's {kind} `{local}` (namespace")
            out.append(f"/// \"{PREFIXES[prefix]}\").")
        else:
            out.append(comment)
        alias = f"using {local} = kareo_wire::{name};"
        if len(alias) > 120:
            out.append(f"using {local} =")
            out.append(f"    kareo_wire::{name};")
        else:
            out.append(alias)
    out += ["", "}  // namespace kareo", ""]
    text = "\n".join(out)
    if check:
        try:
            with open(out_path, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = ""
        if current != text:
            sys.stderr.write(f"{out_path} is out of date; run scripts/generate_wire_helpers.py types\n")
            return 1
        return 0
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


INNER_RE = re.compile(r"^std::(shared_ptr|vector|optional)<(.+)>$")


def member_walk(mtype, expr, classes):
    """C++ statements that detach the value `expr` of type `mtype`, or [] when it holds no generated object."""
    if mtype in classes:
        return [f"detach({expr});"]
    m = INNER_RE.match(mtype.strip())
    if not m:
        return []
    kind, inner = m.group(1), m.group(2).strip()
    if kind == "shared_ptr":
        inside = member_walk(inner, "(*p)", classes)
        if not inside:
            return []
        return [f"if (auto& p = {expr}) {{ {' '.join(inside)} }}"]
    if kind == "vector":
        inside = member_walk(inner, "e", classes)
        if not inside:
            return []
        return [f"for (auto& e : {expr}) {{ {' '.join(inside)} }}"]
    return []


def write_helpers(classes, out_path):
    names = [n for n in classes if n != "xsd__anyType"]
    out = [
        "// Generated by scripts/generate_wire_helpers.py from kareo_wireStub.h; do not edit.",
        "#pragma once",
        "",
        "#include <utility>",
        "",
        "#include \"kareo_wireH.h\"",
        "",
        "namespace kareo::detail {",
        "",
    ]
    for n in names:
        out.append(f"inline void detach(kareo_wire::{n}& v);")
        out.append(f"inline void take(kareo_wire::{n}& dst, kareo_wire::{n}& src);")
        out.append(f"inline bool any_set(const kareo_wire::{n}& v);")
    out.append("")
    for n in names:
        base, members = classes[n]
        body = []
        if base:
            body.append(f"detach(static_cast<kareo_wire::{base}&>(v));")
        else:
            body.append("v.soap = nullptr;")
        for mtype, mname in members:
            body += member_walk(mtype, f"v.{mname}", classes)
        out.append(f"inline void detach(kareo_wire::{n}& v) {{")
        out += ["  " + b for b in body]
        out.append("}")
        body = []
        if base:
            body.append(
                f"take(static_cast<kareo_wire::{base}&>(dst), static_cast<kareo_wire::{base}&>(src));")
        else:
            body.append("dst.soap = nullptr;")
        body.append("(void)src;")
        for _, mname in members:
            body.append(f"dst.{mname} = std::move(src.{mname});")
        out.append(f"inline void take(kareo_wire::{n}& dst, kareo_wire::{n}& src) {{")
        out += ["  " + b for b in body]
        out.append("}")
        # any_set: whether any member holds a value (a filter someone filled in)
        tests = []
        if base:
            tests.append(f"any_set(static_cast<const kareo_wire::{base}&>(v))")
        for mtype, mname in members:
            kind = INNER_RE.match(mtype.strip())
            if kind and kind.group(1) == "optional":
                tests.append(f"v.{mname}.has_value()")
            elif kind and kind.group(1) == "shared_ptr":
                tests.append(f"v.{mname} != nullptr")
            elif kind and kind.group(1) == "vector":
                tests.append(f"!v.{mname}.empty()")
            else:
                tests.append("true")  # a required member always holds a value
        out.append(f"inline bool any_set(const kareo_wire::{n}& v) {{")
        out.append("  (void)v;")
        out.append(f"  return {' || '.join(tests) if tests else 'false'};")
        out.append("}")
    out += ["", "}  // namespace kareo::detail", ""]
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    return 0


def streamed_results(table_path):
    """The results the streaming reader reads: the result type of each `streamed` row of the operation table."""
    with open(table_path, "rb") as f:
        ops = tomllib.load(f)["operation"]
    return [op["result"] for op in ops if op.get("streamed")]


# Member types the streaming reader fills, by kind (see src/transport/fast_reader.hpp).
SCALAR_KINDS = {
    "std::optional<std::string>": "String",
    "std::optional<bool>": "Bool",
    "std::optional<int>": "Int",
    "std::vector<std::string>": "StringList",
    "std::vector<int>": "IntList",
}
CXX_KEYWORDS = {"int", "long", "short", "char", "bool", "float", "double", "class", "namespace", "template",
                "operator", "private", "public", "protected", "register", "default", "delete", "new", "union"}
ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def element_name(member):
    """The XML name gSOAP gave `member` (it appends '_' to C++ keywords and writes other characters as _xHHHH_)."""
    if member.endswith("_") and member[:-1] in CXX_KEYWORDS:
        return member[:-1]
    if "__" in member or member.startswith("_") or member.endswith("_"):
        raise SystemExit(f"fastparse: cannot tell the XML name of member {member}")
    return ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), member)


def all_members(classes, name):
    base, members = classes[name]
    return (all_members(classes, base) if base else []) + members


def write_fastparse(classes, out_path, results):
    order = []

    def visit(name):
        if name in order:
            return
        if name not in classes:
            raise SystemExit(f"fastparse: {name} is not a generated class")
        order.append(name)
        for mtype, _ in all_members(classes, name):
            for inner in re.findall(r"\b(\w+__\w+)\b", mtype):
                visit(inner)

    for result in results:
        visit(result)

    def table(name):
        return f"t_{name}"

    out = [
        "// Generated by scripts/generate_wire_helpers.py from kareo_wireStub.h; do not edit.",
        "// The member tables of the streaming reader (src/transport/fast_reader.hpp): for every class a list result can hold,",
        "// each member's XML name, kind and a function that returns (or creates) the member in an object.",
        "#include <memory>",
        "",
        "#include \"transport/fast_reader.hpp\"",
        "#include \"kareo_wireH.h\"",
        "",
        "namespace kareo::detail::fast {",
        "namespace {",
        "",
        "using namespace kareo_wire;",
        "",
    ]
    for name in order:
        out.append(f"extern const ClassTable {table(name)};")
    out.append("")
    for name in order:
        prefix, _ = split_name(name)
        rows = []
        for mtype, mname in all_members(classes, name):
            xml = element_name(mname)
            mtype = mtype.strip()
            if mtype in SCALAR_KINDS:
                rows.append(f'{{"{xml}", Kind::{SCALAR_KINDS[mtype]}, '
                            f'[](void* o, Arena&) -> void* {{ return &static_cast<{name}*>(o)->{mname}; }}, nullptr, nullptr, nullptr}}')
                continue
            m = INNER_RE.match(mtype)
            if m and m.group(1) == "shared_ptr" and m.group(2).strip() in classes:
                inner = m.group(2).strip()
                rows.append(f'{{"{xml}", Kind::Object, [](void* o, Arena&) -> void* {{ auto& m = static_cast<{name}*>(o)->{mname}; '
                            f'm = std::make_shared<{inner}>(); return m.get(); }}, &{table(inner)}, nullptr, nullptr}}')
                continue
            if m and m.group(1) == "vector":
                inner_m = INNER_RE.match(m.group(2).strip())
                if inner_m and inner_m.group(1) == "shared_ptr" and inner_m.group(2).strip() in classes:
                    inner = inner_m.group(2).strip()
                    rows.append(f'{{"{xml}", Kind::ObjectList, [](void* o, Arena& a) -> void* {{ auto& v = static_cast<{name}*>(o)->{mname}; '
                                f'v.push_back(a.make<{inner}>()); return v.back().get(); }}, &{table(inner)}, '
                                f'[](void* o) {{ static_cast<{name}*>(o)->{mname}.emplace_back(); }}, '
                                f'[](void* o) -> std::shared_ptr<void> {{ auto& v = static_cast<{name}*>(o)->{mname}; '
                                f'std::shared_ptr<void> p = std::move(v.back()); v.pop_back(); return p; }}}}')
                    continue
            raise SystemExit(f"fastparse: {name}.{mname} has type {mtype}, which the streaming reader cannot fill")
        out.append(f"const Member m_{name}[] = {{")
        out += [f"    {r}," for r in rows]
        if not rows:
            out.append('    {"", Kind::String, nullptr, nullptr, nullptr, nullptr},')
        out.append("};")
        out.append(f'const ClassTable {table(name)}{{"{name}", "{PREFIXES[prefix]}", m_{name}, {len(rows)}}};')
        out.append("")
    out.append("}  // namespace")
    out.append("")
    for result in results:
        out.append(f"template <>")
        out.append(f"const ClassTable* table_of<{result}>() {{ return &{table(result)}; }}")
    out += ["", "}  // namespace kareo::detail::fast", ""]
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    return 0


def main(argv):
    if len(argv) < 4 or argv[1] not in ("types", "helpers", "fastparse"):
        sys.stderr.write(__doc__)
        return 2
    classes, enums = parse(argv[2])
    if not classes or sum(len(m) for _, m in classes.values()) < len(classes):
        sys.stderr.write(f"no generated classes (or too few members) found in {argv[2]}\n")
        return 1
    if argv[1] == "types":
        return write_types(classes, enums, argv[3], "--check" in argv[4:])
    if argv[1] == "fastparse":
        if len(argv) < 5:
            sys.stderr.write("fastparse needs the operation table (src/operations/operations.toml)\n")
            return 2
        return write_fastparse(classes, argv[3], streamed_results(argv[4]))
    return write_helpers(classes, argv[3])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
