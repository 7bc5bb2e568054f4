#!/usr/bin/env python3
"""Generates the JSON mapping of the contract types from the annotated wsdl2h header.

Usage: generate_json_mapping.py HEADER OUTPUT_DIR PARTS

HEADER is generated/KareoServices.h (or the one built from a user-supplied WSDL). Every member of every class
there is preceded by a comment naming its XML element and XSD type:

    /// Element "AppointmentId" of type xs:long.
        std::optional<LONG64>                AppointmentId                  0;

From those the script writes, into OUTPUT_DIR:
  kareo_json_types.hpp       declarations of the per-type functions (internal to libkareo)
  kareo_json_partN.cpp       to/from JSON for every class, enumeration and array, split in PARTS files
  kareo_json_describe.cpp    the member tables behind kareo::json::describe()

The text writer (kareo::append_json) writes the row types' date, time, boolean and money members in their typed
form; which members those are comes from the rules of scripts/generate_value_kinds.py, the one place they live.

The output is deterministic, so unchanged input gives unchanged files (and ccache hits).
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate_value_kinds  # noqa: E402

PREFIXES = ("kareo__", "kareons__", "arr__", "sys__", "wcf__", "appt__", "_kareo__")

CLASS_RE = re.compile(r"^class (\w+)(?: : public (\w+))?\s*$")
ENUM_RE = re.compile(r"^enum class (\w+)\s*$")
ENUM_VALUE_RE = re.compile(r'^\s*(\w+)(?:\s*=\s*[^,]+)?,\s*///< xs:string value="([^"]*)"')
ELEMENT_RE = re.compile(r'^/// Element "([^"]+)" of type (.+)\.\s*$')
VECTOR_RE = re.compile(r"^/// Vector of (.+) of length (\S+)\.\s*$")
MEMBER_RE = re.compile(r"^\s+(.+?)\s+(\w+)\s+(nullptr\s+)?(\d+)\s*;")

SCALARS = {
    "std::string": "string",
    "bool": "bool",
    "int": "int",
    "LONG64": "long",
    "double": "double",
    "xsd__dateTime": "datetime",
    "ser__guid": "guid",
    "xsd__base64Binary": "base64",
}
# The XSD type decides the JSON form where C++ types coincide (xsd__dateTime and ser__guid are std::string).
XSD_KIND = {
    "xs:string": "string",
    "xs:boolean": "bool",
    "xs:int": "int",
    "xs:long": "long",
    "xs:double": "double",
    "xs:dateTime": "datetime",
    "xs:base64Binary": "base64",
}


def fail(message):
    sys.stderr.write("generate_json_mapping.py: " + message + "\n")
    sys.exit(1)


def contract_name(cpp):
    for p in PREFIXES[::-1]:
        if cpp.startswith(p):
            return cpp[len(p):]
    return cpp


def xsd_label(xsd):
    """'"http://...":PatientData' -> 'PatientData'; 'xs:int' stays."""
    m = re.match(r'^"[^"]*":(\w+)$', xsd)
    return m.group(1) if m else xsd


class Member:
    def __init__(self, name, element, xsd, cpp_type, nillable, min_occurs):
        self.name = name  # C++ member name
        self.element = element  # XML element name (the JSON key)
        self.xsd = xsd  # XSD type as written in the comment
        self.cpp_type = cpp_type
        self.nillable = nillable
        self.min_occurs = min_occurs
        self.shape = None  # optional | required | pointer | vector
        self.kind = None  # string|bool|...|enum|class
        self.target = None  # enum or class C++ name


def parse(header_text, enums, classes):
    lines = header_text.splitlines()
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        m = ENUM_RE.match(line)
        if m:
            name = m.group(1)
            values = []
            i += 1
            while i < n and not lines[i].startswith("};"):
                vm = ENUM_VALUE_RE.match(lines[i])
                if vm:
                    values.append((vm.group(1), vm.group(2)))
                i += 1
            if name.startswith(PREFIXES):
                enums[name] = values
            i += 1
            continue
        m = CLASS_RE.match(line)
        if m and i + 1 < n and lines[i + 1].startswith("{ public:"):
            name, base = m.group(1), m.group(2)
            members = []
            pending = None
            in_inherited = False
            i += 2
            while i < n and not lines[i].startswith("};"):
                text = lines[i]
                if text.startswith("/*  INHERITED FROM"):
                    in_inherited = True
                elif "END OF INHERITED FROM" in text:
                    in_inherited = False
                elif in_inherited:
                    pass
                elif ELEMENT_RE.match(text):
                    em = ELEMENT_RE.match(text)
                    pending = (em.group(1), em.group(2))
                elif VECTOR_RE.match(text):
                    pending = (None, None)
                elif text.startswith("///"):
                    pass
                elif "struct soap" in text and "*soap" in text:
                    pass
                else:
                    mm = MEMBER_RE.match(text)
                    if mm and name.startswith(PREFIXES):
                        if pending is None:
                            fail("member without an element comment in %s: %s" % (name, text.strip()))
                        cpp_type = re.sub(r"\s+>", ">", mm.group(1).strip())
                        cpp_type = re.sub(r"\s+", " ", cpp_type)
                        members.append(Member(mm.group(2), pending[0], pending[1], cpp_type, bool(mm.group(3)),
                                              int(mm.group(4))))
                        pending = None
                    elif text.strip() and name.startswith(PREFIXES):
                        fail("cannot read a member of %s: %s" % (name, text.strip()))
                i += 1
            if name.startswith(PREFIXES):
                classes[name] = {"base": base, "members": members}
            i += 1
            continue
        i += 1


def classify(classes, enums):
    def inner(t, prefix):
        return t[len(prefix):-1].strip()

    for cname, cls in classes.items():
        for m in cls["members"]:
            t = m.cpp_type
            if t.startswith("std::vector<"):
                m.shape = "vector"
                t = inner(t, "std::vector<")
                if t.startswith("std::shared_ptr<"):
                    t = inner(t, "std::shared_ptr<")
            elif t.startswith("std::optional<"):
                m.shape = "optional"
                t = inner(t, "std::optional<")
            elif t.startswith("std::shared_ptr<"):
                m.shape = "pointer"
                t = inner(t, "std::shared_ptr<")
            else:
                m.shape = "required"
            if t in enums:
                m.kind, m.target = "enum", t
            elif t in classes:
                m.kind, m.target = "class", t
            elif t in SCALARS:
                m.kind = SCALARS[t]
                if m.xsd in XSD_KIND:
                    m.kind = XSD_KIND[m.xsd]
                elif m.xsd and m.xsd.endswith(":guid"):
                    m.kind = "guid"
                if m.kind in ("datetime", "guid", "base64") and t not in ("std::string", "xsd__dateTime", "ser__guid",
                                                                         "xsd__base64Binary"):
                    fail("%s.%s: unexpected C++ type %s for %s" % (cname, m.name, t, m.xsd))
            else:
                fail("%s.%s: unsupported member type %s" % (cname, m.name, m.cpp_type))
            if m.shape == "pointer" and m.kind != "class" and m.kind not in ("string", "base64", "datetime", "guid"):
                fail("%s.%s: unsupported pointer to %s" % (cname, m.name, t))
            if m.shape == "vector" and m.element is None:
                m.element = m.name.rstrip("_")
        vectors = [m for m in cls["members"] if m.shape == "vector"]
        cls["is_array"] = len(cls["members"]) == 1 and len(vectors) == 1
        if vectors and not cls["is_array"]:
            fail("%s: a vector member in a class that is not an array type" % cname)


def ordered_classes(classes):
    """Base classes before derived ones, otherwise alphabetical."""
    done, out = set(), []

    def visit(name):
        if name in done:
            return
        base = classes[name]["base"]
        if base:
            if base not in classes:
                fail("%s: base %s unknown" % (name, base))
            visit(base)
        done.add(name)
        out.append(name)

    for name in sorted(classes):
        visit(name)
    return out


def all_members(classes, name):
    cls = classes[name]
    base = all_members(classes, cls["base"]) if cls["base"] else []
    return base + cls["members"]


def cxx_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


SCALAR_CPP = {
    "string": "std::string",
    "guid": "std::string",
    "base64": "std::string",
    "datetime": "std::string",
    "bool": "bool",
    "int": "int",
    "long": "LONG64",
    "double": "double",
}


def write_member(m):
    key = cxx_string(m.element)
    if m.kind == "class":
        if m.shape == "vector":
            fail("unexpected")
        return "  put_object(j, %s, v.%s);" % (key, m.name)
    if m.kind == "enum":
        return "  put_enum(j, %s, v.%s);" % (key, m.name)
    return "  put_%s(j, %s, v.%s);" % (m.kind, key, m.name)


def emit_member(cname, m):
    """The text writer's line for member `m` of class `cname`. The key is written as it goes out after another
    member: comma, quoted name, colon (element names are XML names: nothing in them needs escaping)."""
    key = cxx_string(',"%s":' % m.element)
    if m.kind == "class":
        return "  w.put_object(%s, v.%s);" % (key, m.name)
    if m.kind == "enum":
        return "  w.put_enum(%s, v.%s);" % (key, m.name)
    row = contract_name(cname)
    if m.kind == "string" and m.shape == "optional" and generate_value_kinds.is_row_type(row):
        kind = generate_value_kinds.kind_of(row, m.element)
        if kind != "Text":
            return "  w.put_typed(%s, v.%s, kareo::values::Kind::%s);" % (key, m.name, kind)
    return "  w.put_%s(%s, v.%s);" % ("string" if m.kind in ("guid", "base64", "datetime") else m.kind, key, m.name)


def read_member(m):
    key = cxx_string(m.element)
    if m.kind == "class":
        return "  get_object(r, %s, v.%s);" % (key, m.name)
    if m.kind == "enum":
        return "  get_enum(r, %s, v.%s);" % (key, m.name)
    return "  get_%s(r, %s, v.%s);" % (m.kind, key, m.name)


def array_item_expr(m):
    """How one item of an array type's vector is written and read."""
    if m.kind == "class":
        return ("item ? value(*item) : Json(nullptr)", "read_item(r, item)")
    if m.kind == "enum":
        return ("Json(enum_text(item))", "read_enum_item(r, item)")
    return ("scalar_%s(item)" % m.kind, "read_%s_item(r, item)" % m.kind)


def generate(header, out_dir, parts):
    with open(header, encoding="utf-8") as f:
        text = f.read()
    enums, classes = {}, {}
    parse(text, enums, classes)
    if not classes:
        fail("no classes found in " + header)
    classify(classes, enums)
    order = ordered_classes(classes)

    names = {}
    for c in order:
        cn = contract_name(c)
        if cn in names:
            fail("two types named %s (%s, %s)" % (cn, names[cn], c))
        names[cn] = c

    os.makedirs(out_dir, exist_ok=True)
    header_lines = [
        "// Generated by scripts/generate_json_mapping.py from %s. Do not edit." % os.path.basename(header),
        "#pragma once",
        "",
        '#include "kareo_wireH.h"',
        '#include "kareo/json.hpp"',
        "",
        "namespace kareo::json_detail {",
        "",
        "using Json = nlohmann::json;",
        "class Reader;",
        "class TextWriter;",
        "",
    ]
    for e in sorted(enums):
        header_lines.append("const char* enum_text(kareo_wire::%s v);" % e)
        header_lines.append("bool enum_parse(std::string_view text, kareo_wire::%s& v);" % e)
        header_lines.append("const char* enum_choices(kareo_wire::%s*);" % e)
    header_lines.append("")
    for c in order:
        header_lines.append("const kareo::TypeDescription& description(const kareo_wire::%s*);" % c)
        header_lines.append("Json value(const kareo_wire::%s& v);" % c)
        header_lines.append("void read(Reader& r, kareo_wire::%s& v);" % c)
        header_lines.append("void emit(TextWriter& w, const kareo_wire::%s& v);" % c)
        if not classes[c]["is_array"]:
            header_lines.append("void emit_members(TextWriter& w, const kareo_wire::%s& v);" % c)
            header_lines.append("void write_members(Json& j, const kareo_wire::%s& v);" % c)
            header_lines.append("void read_members(Reader& r, kareo_wire::%s& v);" % c)
    header_lines += ["", "}  // namespace kareo::json_detail", ""]
    write_if_changed(os.path.join(out_dir, "kareo_json_types.hpp"), "\n".join(header_lines))

    # Split the classes over the parts by member count.
    weights = [(c, len(classes[c]["members"]) + 2) for c in order]
    total = sum(w for _, w in weights)
    per_part = total / parts
    buckets = [[] for _ in range(parts)]
    acc = 0
    for c, w in weights:
        idx = min(int(acc / per_part), parts - 1)
        buckets[idx].append(c)
        acc += w

    for p in range(parts):
        out = [
            "// Generated by scripts/generate_json_mapping.py from %s. Do not edit." % os.path.basename(header),
            '#include "json/json_support.hpp"',
            "",
            "namespace kareo::json_detail {",
            "",
        ]
        if p == 0:
            for e in sorted(enums):
                values = enums[e]
                out.append("const char* enum_text(kareo_wire::%s v) {" % e)
                out.append("  switch (v) {")
                for ident, text in values:
                    out.append("    case kareo_wire::%s::%s: return %s;" % (e, ident, cxx_string(text)))
                out.append("  }")
                out.append('  return "";')
                out.append("}")
                out.append("bool enum_parse(std::string_view text, kareo_wire::%s& v) {" % e)
                for ident, text in values:
                    out.append("  if (text == %s) { v = kareo_wire::%s::%s; return true; }" % (cxx_string(text), e,
                                                                                             ident))
                out.append("  return false;")
                out.append("}")
                out.append("const char* enum_choices(kareo_wire::%s*) { return %s; }" % (
                    e, cxx_string(", ".join(t for _, t in values))))
                out.append("")
        for c in buckets[p]:
            cls = classes[c]
            cn = contract_name(c)
            if cls["is_array"]:
                m = cls["members"][0]
                wexpr, rexpr = array_item_expr(m)
                out.append("Json value(const kareo_wire::%s& v) {" % c)
                out.append("  Json a = Json::array();")
                out.append("  for (const auto& item : v.%s) a.push_back(%s);" % (m.name, wexpr))
                out.append("  return a;")
                out.append("}")
                out.append("void emit(TextWriter& w, const kareo_wire::%s& v) {" % c)
                out.append("  w.begin_array();")
                if m.kind == "class":
                    out.append("  for (const auto& item : v.%s) {" % m.name)
                    out.append("    w.next_item();")
                    out.append("    if (item) emit(w, *item); else w.null_value();")
                    out.append("  }")
                elif m.kind == "enum":
                    out.append("  for (const auto& item : v.%s) { w.next_item(); w.enum_value(enum_text(item)); }" % m.name)
                else:
                    out.append("  for (const auto& item : v.%s) { w.next_item(); w.%s_value(item); }" % (
                        m.name, "string" if m.kind in ("guid", "base64", "datetime") else m.kind))
                out.append("  w.end_array();")
                out.append("}")
                out.append("void read(Reader& r, kareo_wire::%s& v) {" % c)
                out.append("  r.expect_array(%s);" % cxx_string(cn))
                out.append("  v.%s.clear();" % m.name)
                out.append("  for (std::size_t i = 0; i < r.size(); ++i) {")
                out.append("    Reader item_reader = r.item(i);")
                out.append("    auto& item = v.%s.emplace_back();" % m.name)
                out.append("    %s;" % rexpr.replace("(r,", "(item_reader,"))
                out.append("  }")
                out.append("}")
                out.append("")
                continue
            out.append("void write_members(Json& j, const kareo_wire::%s& v) {" % c)
            if cls["base"]:
                out.append("  write_members(j, static_cast<const kareo_wire::%s&>(v));" % cls["base"])
            for m in cls["members"]:
                out.append(write_member(m))
            if not cls["members"] and not cls["base"]:
                out.append("  (void)j;")
                out.append("  (void)v;")
            out.append("}")
            out.append("void emit_members(TextWriter& w, const kareo_wire::%s& v) {" % c)
            if cls["base"]:
                out.append("  emit_members(w, static_cast<const kareo_wire::%s&>(v));" % cls["base"])
            for m in cls["members"]:
                out.append(emit_member(c, m))
            if not cls["members"] and not cls["base"]:
                out.append("  (void)w;")
                out.append("  (void)v;")
            out.append("}")
            out.append("void emit(TextWriter& w, const kareo_wire::%s& v) {" % c)
            out.append("  w.begin_object();")
            out.append("  emit_members(w, v);")
            out.append("  w.end_object();")
            out.append("}")
            out.append("Json value(const kareo_wire::%s& v) {" % c)
            out.append("  Json j = Json::object();")
            out.append("  write_members(j, v);")
            out.append("  return j;")
            out.append("}")
            out.append("void read_members(Reader& r, kareo_wire::%s& v) {" % c)
            if cls["base"]:
                out.append("  read_members(r, static_cast<kareo_wire::%s&>(v));" % cls["base"])
            for m in cls["members"]:
                out.append(read_member(m))
            if not cls["members"] and not cls["base"]:
                out.append("  (void)r;")
                out.append("  (void)v;")
            out.append("}")
            out.append("void read(Reader& r, kareo_wire::%s& v) {" % c)
            out.append("  r.expect_object(%s);" % cxx_string(cn))
            out.append("  read_members(r, v);")
            out.append("  r.finish();")
            out.append("}")
            out.append("")
        out.append("}  // namespace kareo::json_detail")
        out.append("")
        out.append("namespace kareo {")
        for c in buckets[p]:
            out.append("template nlohmann::json to_json<kareo_wire::%s>(const kareo_wire::%s&);" % (c, c))
            out.append("template void from_json<kareo_wire::%s>(const nlohmann::json&, kareo_wire::%s&);" % (c, c))
            out.append("template const TypeDescription& describe<kareo_wire::%s>();" % c)
            out.append("template void append_json<kareo_wire::%s>(std::string&, const kareo_wire::%s&, "
                       "const JsonTextOptions&);" % (c, c))
        out.append("}  // namespace kareo")
        out.append("")
        write_if_changed(os.path.join(out_dir, "kareo_json_part%d.cpp" % p), "\n".join(out))

    # Descriptions.
    d = [
        "// Generated by scripts/generate_json_mapping.py from %s. Do not edit." % os.path.basename(header),
        '#include "json/json_support.hpp"',
        "",
        "namespace kareo::json_detail {",
        "",
        "const std::vector<kareo::TypeDescription>& type_table() {",
        "  static const std::vector<kareo::TypeDescription> table = {",
    ]
    by_name = sorted(order, key=lambda x: contract_name(x))
    for c in by_name:
        cls = classes[c]
        cn = contract_name(c)
        members = all_members(classes, c)
        d.append("      {%s, %s, %s, %s, {" % (cxx_string(cn), cxx_string("kareo_wire::" + c),
                                             cxx_string(contract_name(cls["base"]) if cls["base"] else ""),
                                             "true" if cls["is_array"] else "false"))
        for m in members:
            if m.kind == "class":
                kind = "MemberKind::Array" if classes[m.target]["is_array"] else "MemberKind::Object"
                target = contract_name(m.target)
            elif m.kind == "enum":
                kind, target = "MemberKind::Enumeration", contract_name(m.target)
            else:
                kind = {
                    "string": "MemberKind::String",
                    "guid": "MemberKind::Guid",
                    "base64": "MemberKind::Base64",
                    "datetime": "MemberKind::DateTime",
                    "bool": "MemberKind::Boolean",
                    "int": "MemberKind::Integer",
                    "long": "MemberKind::Integer",
                    "double": "MemberKind::Number",
                }[m.kind]
                target = ""
            required = m.min_occurs >= 1 and m.shape != "vector"
            nillable = required and m.shape != "required"
            values = ""
            if m.kind == "enum":
                values = ", ".join(cxx_string(t) for _, t in enums[m.target])
            if m.xsd:
                xsd = xsd_label(m.xsd)
            elif m.target:
                xsd = contract_name(m.target)
            else:
                xsd = {"int": "xs:int", "long": "xs:long", "string": "xs:string"}.get(m.kind, m.kind)
            d.append("           {%s, %s, %s, %s, %s, %s, %s, {%s}}," % (
                cxx_string(m.element), kind, cxx_string(xsd), cxx_string(target), "true" if required else "false",
                "true" if nillable else "false", "true" if m.shape == "vector" else "false", values))
        d.append("       }},")
    d += [
        "  };",
        "  return table;",
        "}",
        "",
    ]
    for idx, c in enumerate(by_name):
        d.append("const kareo::TypeDescription& description(const kareo_wire::%s*) { return type_table()[%d]; }" % (
            c, idx))
    d += [
        "",
        "}  // namespace kareo::json_detail",
        "",
    ]
    write_if_changed(os.path.join(out_dir, "kareo_json_describe.cpp"), "\n".join(d))


def write_if_changed(path, content):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == content:
                return
    except FileNotFoundError:
        pass
    with open(path, "w", encoding="utf-8") as f:
        f.write(content)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        fail("usage: generate_json_mapping.py HEADER OUTPUT_DIR PARTS")
    generate(sys.argv[1], sys.argv[2], int(sys.argv[3]))
