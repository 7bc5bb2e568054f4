#!/usr/bin/env python3
"""Reads the operation table (src/operations/operations.toml) and writes every per-operation list from it.

  generate_operations.py public  TABLE OUT [--check]        include/kareo/operations.hpp: the Operation enumeration
                                                            and KAREO_OPERATION_LIST (committed; --check fails when
                                                            OUT is out of date)
  generate_operations.py private TABLE OUT [--stub STUB]    a dependency-free header of the table's facts for the
                                                            library, the fake server and the kareo tool (build tree)

With --stub (the soapcpp2 output kareo_wireStub.h) the table is checked against the contract: every operation of
the contract has a row, every row an operation, and every type and member the row names exists.
"""
import re
import sys
import tomllib

DATE_FIELDS = ["Created", "LastModified", "Service", "Posting", "Transaction"]
COLUMNS = {
    "name", "summary", "write", "interval_ms", "permission", "payload", "payload_member", "result", "credentials",
    "streamed", "rows", "paging", "max_window_days", "store_entity", "command", "required",
}


def fail(message):
    sys.stderr.write("generate_operations.py: " + message + "\n")
    sys.exit(1)


def snake(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def load(path):
    with open(path, "rb") as f:
        table = tomllib.load(f)
    ops = table.get("operation", [])
    if not ops:
        fail(path + ": no [[operation]] rows")
    names = [op.get("name", "") for op in ops]
    if names != sorted(names):
        fail(path + ": rows must be in alphabetical order of name")
    if len(set(names)) != len(names):
        fail(path + ": an operation is listed twice")
    commands = set()
    entities = set()
    for op in ops:
        where = path + ": " + op.get("name", "?")
        unknown = set(op) - COLUMNS
        if unknown:
            fail(where + ": unknown column(s) " + ", ".join(sorted(unknown)))
        for required in ("name", "summary", "permission", "payload", "result", "command"):
            if not op.get(required):
                fail(where + ": column " + required + " is required")
        op.setdefault("write", False)
        op.setdefault("interval_ms", 0)
        op.setdefault("payload_member", "request")
        op.setdefault("credentials", "header")
        op.setdefault("streamed", False)
        op.setdefault("paging", {})
        op.setdefault("max_window_days", {})
        op.setdefault("required", [])
        if op["credentials"] not in ("header", "inline"):
            fail(where + ": credentials must be header or inline")
        for field in op["paging"]:
            if field not in DATE_FIELDS:
                fail(where + ": unknown paging field " + field)
        for field in op["max_window_days"]:
            if field != "all" and field not in op["paging"]:
                fail(where + ": max_window_days names " + field + ", which is not a paging field")
        if op["paging"] and "rows" not in op:
            fail(where + ": a paged operation needs rows")
        if op["streamed"] and "rows" not in op:
            fail(where + ": a streamed operation needs rows")
        if op.get("store_entity") and "rows" not in op:
            fail(where + ": store_entity is for list operations (with rows)")
        if op.get("store_entity"):
            if op["store_entity"] in entities:
                fail(where + ": store_entity " + op["store_entity"] + " is listed by two operations")
            entities.add(op["store_entity"])
        if op["command"] in commands:
            fail(where + ": command " + op["command"] + " is used twice")
        commands.add(op["command"])
        op["method"] = snake(op["name"])
    return ops


def check_against_stub(ops, stub_path):
    """Every contract operation has a row and the types and members of each row exist in the generated code."""
    with open(stub_path, encoding="utf-8") as f:
        text = f.read()
    classes = {}
    for m in re.finditer(r"^class SOAP_CMAC (\w+)(?: : public \w+)? \{\n(.*?)^\};", text, re.M | re.S):
        classes[m.group(1)] = set(re.findall(r"^        [^/\n(]+? (\w+);$", m.group(2), re.M))
    contract = sorted(n[len("_kareo__"):] for n in classes
                      if n.startswith("_kareo__") and not n.endswith("Response") and "_kareo__" + n[8:] + "Response"
                      in classes)
    names = [op["name"] for op in ops]
    missing = sorted(set(contract) - set(names))
    extra = sorted(set(names) - set(contract))
    if missing:
        fail("operations of the contract without a row in the operation table: " + ", ".join(missing))
    if extra:
        fail("rows of the operation table that are no operation of the contract: " + ", ".join(extra))

    def need(cls, member, where):
        if cls not in classes:
            fail(where + ": the contract has no type " + cls)
        if member and member not in classes[cls]:
            fail(where + ": " + cls + " has no member " + member)

    for op in ops:
        where = "operation table: " + op["name"]
        need("_kareo__" + op["name"], op["payload_member"], where)
        need(op["payload"], None, where)
        need("_kareo__" + op["name"] + "Response", op["name"] + "Result", where)
        need(op["result"], None, where)
        if "rows" in op:
            rows = op["rows"]
            need(op["result"], rows["array"], where)
            array = member_type(text, op["result"], rows["array"])
            need(array, rows["item"], where)
            row = member_type(text, array, rows["item"])
            need(row, rows["id"], where)
        for pair in op["paging"].values():
            # The Filter's type is found through the payload's Filter member.
            m = re.search(r"std::shared_ptr<(\w+)> Filter;", class_body(text, op["payload"]))
            if not m:
                fail(where + ": " + op["payload"] + " has no Filter to page by")
            for member in pair:
                need(m.group(1), member, where)
        for path in (p for alternatives in op["required"] for p in alternatives.split("|")):
            cls = op["payload"]
            for member in path.split("/"):
                if not cls:
                    fail(where + ": required member " + path + " goes through a member that is no type")
                need(cls, member, where)
                cls = member_type(text, cls, member)


def member_type(text, cls, member):
    """The class a member of `cls` holds (through shared_ptr and vector), or "" for a built-in type."""
    m = re.search(r"^        (.+?) " + re.escape(member) + r";$", class_body(text, cls), re.M)
    if not m:
        return ""
    names = re.findall(r"\b(kareo\w*__\w+)\b", m.group(1))
    return names[-1] if names else ""


def class_body(text, name):
    m = re.search(r"^class SOAP_CMAC " + re.escape(name) + r"(?: : public \w+)? \{\n(.*?)^\};", text, re.M | re.S)
    return m.group(1) if m else ""


BANNER = "// Generated by scripts/generate_operations.py from src/operations/operations.toml: do not edit.\n"


def public_header(ops):
    n = len(ops)
    width = max(len(op["name"]) for op in ops) + 3
    enum = "\n".join(f"  {(op['name'] + ',').ljust(width)}///< {op['summary']}" for op in ops)
    rows = []
    for op in ops:
        rows.append(f"  X({op['name']}, {op['payload_member']}, {op['payload']}, {op['result']})")
    xlist = " \\\n".join(rows)
    return f"""{BANNER}/// @file
/// @brief The {n} operations of KareoServices 2.1 and what is known about each (name, SOAPAction, write or
/// read, published rate limit).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

/// Calls `X(Operation, payload member, payload type, result type)` once per operation of the contract, in the
/// order of kareo::Operation. The payload member is the body element's child (`request`, or `UpdatePatientReq`
/// for UpdatePatient); the result member is always `<Operation>Result`. Types are in namespace kareo_wire.
#define KAREO_OPERATION_LIST(X) \\
{xlist}

namespace kareo {{

/// One operation of the KareoServices 2.1 contract.
enum class Operation {{
{enum}
}};

/// How many operations the contract has.
inline constexpr std::size_t kOperationCount = {n};

/// Every operation, in the order of the enumeration.
const std::array<Operation, kOperationCount>& all_operations() noexcept;

/// The operation's name as the contract spells it, e.g. "GetPatients".
std::string_view operation_name(Operation op) noexcept;

/// The operation named `name` (exact, case-sensitive contract spelling), if there is one.
std::optional<Operation> operation_from_name(std::string_view name) noexcept;

/// The SOAPAction header value, "http://www.kareo.com/api/schemas/KareoServices/<Operation>".
std::string soap_action(Operation op);

/// True for operations that change data on the server (Create*, Update*, Delete*, RegisterExternalVendor,
/// UpdatePatientsExternalID). They are never resent automatically once the request may have reached the server.
bool is_write(Operation op) noexcept;

/// The rate limit the vendor's guide publishes for the operation (April 2025): at most one call per this
/// interval, counted per account. Operations the guide does not list get one second.
std::chrono::milliseconds published_interval(Operation op) noexcept;

}}  // namespace kareo
"""


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def private_header(ops):
    lines = [BANNER, "// The operation table's facts as plain data (no dependency on the library or the generated wire types).\n",
             "#pragma once\n\n#include <cstddef>\n\nnamespace kareo::optable {\n\n"]
    lines.append("""/// How many date fields an operation can be paged by; paging[] is indexed like kareo::DateField (Created,
/// LastModified, Service, Posting, Transaction).
inline constexpr std::size_t kDateFields = 5;

/// One date pair of a list operation's Filter; empty names when the operation cannot be paged by that field.
struct DatePair {
  const char* from;
  const char* to;
  int max_window_days;  ///< The widest window the service tolerates; 0: no limit.
};

/// One row of the operation table.
struct Row {
  const char* name;            ///< The contract's operation name.
  const char* method;          ///< The snake_case name (client methods, handler names).
  const char* summary;         ///< One line of documentation.
  bool write;                  ///< Changes data: never resent once it may have been applied.
  int interval_ms;             ///< Published rate limit; 0: none published.
  const char* permission;      ///< The permission the service names when it is missing.
  const char* payload_member;  ///< The body element's child element.
  bool inline_credentials;     ///< Credentials directly in the request instead of a RequestHeader.
  bool streamed;               ///< Read by the streaming reader.
  const char* rows_array;      ///< List operations: the result's array member ("" otherwise).
  const char* rows_item;       ///< List operations: the array's item member (the row type's name).
  const char* rows_id;         ///< List operations: the row's ID member.
  DatePair paging[kDateFields];
  const char* command;         ///< The kareo tool's command.
};

""")
    lines.append(f"inline constexpr std::size_t kRows = {len(ops)};\n\n")
    lines.append("/// The table, in the order of kareo::Operation.\ninline constexpr Row kTable[kRows] = {\n")
    for op in ops:
        rows = op.get("rows", {})
        limits = op["max_window_days"]
        pairs = []
        for field in DATE_FIELDS:
            pair = op["paging"].get(field)
            if pair:
                days = limits.get(field, limits.get("all", 0))
                pairs.append(f"{{{cstr(pair[0])}, {cstr(pair[1])}, {days}}}")
            else:
                pairs.append('{"", "", 0}')
        lines.append(
            f"    {{{cstr(op['name'])}, {cstr(op['method'])}, {cstr(op['summary'])}, {str(op['write']).lower()}, "
            f"{op['interval_ms']}, {cstr(op['permission'])}, {cstr(op['payload_member'])}, "
            f"{str(op['credentials'] == 'inline').lower()}, {str(op['streamed']).lower()}, "
            f"{cstr(rows.get('array', ''))}, {cstr(rows.get('item', ''))}, {cstr(rows.get('id', ''))}, "
            f"{{{', '.join(pairs)}}}, {cstr(op['command'])}}},\n")
    lines.append("};\n\n")
    lines.append("/// Per operation, in the order of kTable: the members of the payload the service needs although the contract\n"
                 "/// makes them optional, as paths below the payload (\"Filter/PatientID\"), separated by ';'; '|' separates\n"
                 "/// alternatives of which one is enough.\n")
    lines.append("inline constexpr const char* kRequiredMembers[kRows] = {\n")
    for op in ops:
        lines.append(f"    {cstr(';'.join(op['required']))},  // {op['name']}\n")
    lines.append("};\n\n")
    streamed = " \\\n".join(f"  X({op['name']})" for op in ops if op["streamed"])
    lines.append("/// Calls `X(Operation)` for every operation whose response the streaming reader reads.\n")
    lines.append("#define KAREO_STREAMED_OPERATIONS(X) \\\n" + streamed + "\n\n")
    listed = " \\\n".join(f"  X({op['name']}, {op['method']}, {op['rows']['array']}, {op['rows']['item']}, "
                          f"{op['rows']['id']})" for op in ops if "rows" in op)
    lines.append("/// Calls `X(Operation, method, array member, item member, ID member)` for every list operation.\n")
    lines.append("#define KAREO_LIST_OPERATIONS(X) \\\n" + listed + "\n\n")
    stored = " \\\n".join(f"  X({op['store_entity']}, {op['name']})" for op in ops if op.get("store_entity"))
    lines.append("/// Calls `X(Entity, Operation)` for every list operation that reads an entity of the fake server's "
                 "store.\n")
    lines.append("#define KAREO_STORE_ENTITY_OPERATIONS(X) \\\n" + stored + "\n\n")
    every = " \\\n".join(f"  X({op['name']}, {op['method']})" for op in ops)
    lines.append("/// Calls `X(Operation, method)` for every operation.\n")
    lines.append("#define KAREO_EVERY_OPERATION(X) \\\n" + every + "\n\n")
    lines.append("}  // namespace kareo::optable\n")
    return "".join(lines)


def write(out, text, check):
    if check:
        try:
            with open(out, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            fail(out + " is out of date with the operation table: run `cmake --build <build> --target "
                 "regenerate-operations` and commit the result")
        return
    try:
        with open(out, encoding="utf-8") as f:
            if f.read() == text:
                return  # unchanged: keep the time stamp, so nothing recompiles
    except FileNotFoundError:
        pass
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    check = "--check" in argv
    stub = None
    if "--stub" in argv:
        stub = argv[argv.index("--stub") + 1]
        args.remove(stub)
    if len(args) != 3 or args[0] not in ("public", "private"):
        sys.stderr.write(__doc__)
        return 2
    mode, table, out = args
    ops = load(table)
    if stub:
        check_against_stub(ops, stub)
    write(out, public_header(ops) if mode == "public" else private_header(ops), check)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
