#!/usr/bin/env python3
"""Reads the operation table (src/operations/operations.toml) and writes every per-operation list from it.

  generate_operations.py public  TABLE OUT [--check]        include/kareo/operations.hpp: the Operation enumeration
                                                            and KAREO_OPERATION_LIST (committed; --check fails when
                                                            OUT is out of date)
  generate_operations.py private TABLE OUT [--stub STUB]    a dependency-free header of the table's facts for the
                                                            library, the fake server and the kareo tool (build tree)
  generate_operations.py queries TABLE OUT [--check]       include/kareo/queries.hpp: the query of each list read
                                                            (committed, checked like `public`)
  generate_operations.py reads   TABLE OUT                 the list reads' member pointers for the library (date
                                                            pairs, rows, IDs; build tree)

With --stub (the soapcpp2 output kareo_wireStub.h) the table is checked against the contract: every operation of
the contract has a row, every row an operation, and every type and member the row names exists.
"""
import re
import sys
import textwrap
import tomllib

DATE_FIELDS = ["Created", "LastModified", "Service", "Posting", "Transaction"]
COLUMNS = {
    "name", "summary", "write", "interval_ms", "permission", "payload", "payload_member", "result", "credentials",
    "streamed", "rows", "paging", "max_window_days", "store_entity", "command", "required", "read", "paged_at",
    "cli", "client", "throttle_endpoint",
}
READ_KEYS = {"method", "row", "filter", "fields", "cursor"}
CLI_KEYS = {"help", "filters", "type"}
CLIENT_KEYS = {"method", "arg", "member"}
# The kareo tool's filter options, in the order of their bits (kareo::optable::CommandFilter).
CLI_FILTERS = ["practice", "practice-id", "range", "modified", "created", "id", "external", "names", "batch"]
# The member of a query that holds the typed range of each paging field.
QUERY_MEMBER = {"Created": "created", "LastModified": "last_modified", "Service": "service_date",
                "Posting": "posting_date", "Transaction": "transaction_date"}


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
        op.setdefault("throttle_endpoint", "")
        if op["throttle_endpoint"] == op["name"]:
            fail(where + ": throttle_endpoint is for a spelling other than the name")
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
        op.setdefault("paged_at", {})
        for field in op["paged_at"]:
            if field not in op["paging"]:
                fail(where + ": paged_at names " + field + ", which is not a paging field")
        for field in op["paging"]:
            op["paged_at"].setdefault(field, {"Created": "CreatedDate", "LastModified": "LastModifiedDate"}.get(field))
            if not op["paged_at"][field]:
                fail(where + ": paged_at needs the row member of " + field)
        if "rows" in op:
            read = op.get("read")
            if not read or not read.get("method") or not read.get("row"):
                fail(where + ": a list operation needs read = { method, row, ... }")
            if set(read) - READ_KEYS:
                fail(where + ": unknown read key(s) " + ", ".join(sorted(set(read) - READ_KEYS)))
            if bool(read.get("filter")) != bool(read.get("fields")):
                fail(where + ": read needs both filter and fields, or neither")
            if op["paging"] and not read.get("filter"):
                fail(where + ": a paged read needs a filter")
            read.setdefault("cursor", False)
            if read.get("filter") and not read["cursor"]:
                if not read["row"].endswith("Data"):
                    fail(where + ": the row type of a read with a query must end in Data")
                read["query"] = read["row"][:-len("Data")] + "Query"
        elif "read" in op:
            fail(where + ": read is for list operations (with rows)")
        cli = op.get("cli")
        if not cli or not cli.get("help"):
            fail(where + ": cli = { help, ... } is required")
        if set(cli) - CLI_KEYS:
            fail(where + ": unknown cli key(s) " + ", ".join(sorted(set(cli) - CLI_KEYS)))
        for f in cli.setdefault("filters", []):
            if f not in CLI_FILTERS:
                fail(where + ": unknown cli filter " + f + " (one of " + ", ".join(CLI_FILTERS) + ")")
        client = op.get("client")
        if client is not None:
            if not op["write"]:
                fail(where + ": client is for writes (reads are generated from read)")
            if set(client) != CLIENT_KEYS:
                fail(where + ": client needs exactly " + ", ".join(sorted(CLIENT_KEYS)))
        elif op["write"]:
            fail(where + ": a write needs client = { method, arg, member }")
        # The types `kareo describe` shows: a write's payload (its Client argument unless cli.type says otherwise;
        # "" when the command takes an ID) and result; a read's records.
        if op["write"]:
            cli.setdefault("type", client["arg"])
            cli["result"] = op["result"].replace("kareo__", "", 1)
        else:
            cli.setdefault("type", op.get("read", {}).get("row", ""))
            if not cli["type"]:
                fail(where + ": cli.type is required for a read without read.row")
            cli["result"] = ""
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
            for member in op["paged_at"].values():
                need(row, member, where)
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


def doc(text):
    """A Doxygen comment of `text`, wrapped at 120 columns."""
    return "\n".join("/// " + line for line in textwrap.wrap(text, 116, break_on_hyphens=False))


def public_header(ops):
    n = len(ops)
    width = max(len(op["name"]) for op in ops) + 3
    enum = "\n".join(f"  {(op['name'] + ',').ljust(width)}///< {op['summary']}" for op in ops)
    rows = []
    for op in ops:
        rows.append(f"  X({op['name']}, {op['payload_member']}, {op['payload']}, {op['result']})")
    xlist = " \\\n".join(rows)
    wrappers = "".join(f", or `{op['payload_member']}` for {op['name']}" for op in ops
                       if op["payload_member"] != "request")
    prefixes = ("Create", "Update", "Delete")
    writes = ", ".join([p + "*" for p in prefixes] +
                       [op["name"] for op in ops if op["write"] and not op["name"].startswith(prefixes)])
    list_doc = doc("Calls `X(Operation, payload member, payload type, result type)` once per operation of the "
                   "contract, in the order of kareo::Operation. The payload member is the body element's child "
                   f"(`request`{wrappers}); the result member is always `<Operation>Result`. Types are in namespace "
                   "kareo_wire.")
    write_doc = doc(f"True for operations that change data on the server ({writes}). They are never resent "
                    "automatically once the request may have reached the server.")
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

{list_doc}
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

/// The operation's name as the contract spells it, e.g. "UpdateEncounterStatus".
std::string_view operation_name(Operation op) noexcept;

/// The operation named `name` (exact, case-sensitive contract spelling), if there is one.
std::optional<Operation> operation_from_name(std::string_view name) noexcept;

/// The SOAPAction header value, "http://www.kareo.com/api/schemas/KareoServices/<Operation>".
std::string soap_action(Operation op);

{write_doc}
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
  /// The spelling of the operation in the service's throttle messages and its live rate-limit table when it is
  /// not the name ("" otherwise).
  const char* throttle_endpoint;
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
            f"{{{', '.join(pairs)}}}, {cstr(op['command'])}, {cstr(op['throttle_endpoint'])}}},\n")
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
    lines.append("""/// The kareo tool's filter options, one bit each (CommandRow::filters).
enum CommandFilter : unsigned {
""")
    for i, f in enumerate(CLI_FILTERS):
        ident = "k" + "".join(w.capitalize() for w in f.split("-"))
        lines.append(f"  {ident} = 1u << {i},  // {f}\n")
    lines.append("""};

/// One command of the kareo tool, in the order of kTable.
struct CommandRow {
  const char* command;    ///< The command's name.
  const char* operation;  ///< The operation it calls.
  const char* help;       ///< Its one-line description.
  const char* type;       ///< Writes: the payload type ("" when it takes an ID); reads: the records' type.
  const char* result;     ///< Writes: the result type; reads: "".
  unsigned filters;       ///< Reads: the filter options it takes (CommandFilter bits).
};

""")
    lines.append("/// The kareo tool's commands, in the order of kTable.\ninline constexpr CommandRow kCommands[kRows] = {\n")
    for op in ops:
        cli = op["cli"]
        bits = " | ".join("k" + "".join(w.capitalize() for w in f.split("-")) for f in cli["filters"]) or "0"
        lines.append(f"    {{{cstr(op['command'])}, {cstr(op['name'])}, {cstr(cli['help'])}, {cstr(cli['type'])}, "
                     f"{cstr(cli['result'])}, {bits}}},\n")
    lines.append("};\n\n")
    client = " \\\n".join(f"  X({op['name']}, {op['client']['method']}, {op['client']['arg']}, "
                           f"{op['client']['member']})" for op in ops if op.get("client"))
    lines.append("/// Calls `X(Operation, Client method, argument type, payload member)` for every write: the Client's method\n"
                 "/// puts its argument in that member of the payload (types in namespace kareo).\n")
    lines.append("#define KAREO_CLIENT_WRITES(X) \\\n" + client + "\n\n")
    every = " \\\n".join(f"  X({op['name']}, {op['method']})" for op in ops)
    lines.append("/// Calls `X(Operation, method)` for every operation.\n")
    lines.append("#define KAREO_EVERY_OPERATION(X) \\\n" + every + "\n\n")
    lines.append("}  // namespace kareo::optable\n")
    return "".join(lines)


def read_ops(ops):
    return [op for op in ops if "read" in op]


def query_ops(ops):
    return [op for op in read_ops(ops) if "query" in op["read"]]


def queries_header(ops):
    parts = [BANNER, """/// @file
/// @brief The query of each list read of kareo::Client (Client::patients(), Client::charges(), ...): the
/// operation's Filter, the columns to return, a typed date range for each date pair the operation can be paged
/// by, and how a long range is cut into windows.
#pragma once

#include <optional>
#include <utility>

#include "kareo/operations.hpp"
#include "kareo/paging.hpp"
#include "kareo/types.hpp"

namespace kareo {

"""]
    for op in query_ops(ops):
        read = op["read"]
        q = read["query"]
        members = []
        for field, pair in op["paging"].items():
            limit = op["max_window_days"].get(field, op["max_window_days"].get("all", 0))
            doc = f"  /// {field} dates ({pair[0]} / {pair[1]} of the filter), both ends included.\n"
            if limit:
                doc += f"  /// Read in windows of at most {limit - 1} days.\n"
            members.append(doc + f"  std::optional<TimeRange> {QUERY_MEMBER[field]};\n")
        if op["paging"]:
            fields = ", ".join(f for f in op["paging"])
            paging = (
                "  /// The range read in windows: a DateField whose range is set (" + fields + ").\n"
                "  /// Empty: the first range set, in the order above. The other ranges set are sent whole with every\n"
                "  /// call.\n"
                "  std::optional<DateField> page_by;\n"
                "  /// The width of the windows, progress reports and cancellation of a windowed read.\n"
                "  PagingOptions paging;\n")
            ranges = (" With no date range set the read is one call; with one, it is read window by window (see\n"
                      "/// kareo/paging.hpp). The filter's own members for these pairs stay empty: the ranges set them.")
        else:
            paging = ""
            ranges = " The read is one call."
        parts.append(f"""/// The query of Client::{read['method']}() ({op['name']}): {op['summary'][0].lower() + op['summary'][1:]}
///{ranges}
struct {q} {{
  /// A query of every row (the filter empty).
  {q}() = default;
  /// The operation that reads it.
  static constexpr Operation operation = Operation::{op['name']};
  /// A query of `filter` and `fields`, without date ranges; converts from a filter.
  {q}({read['filter']} filter, {read['fields']} fields = {{}})
      : filter(std::move(filter)), fields(std::move(fields)) {{}}
  /// The filter's members, sent with every call as given.
  {read['filter']} filter;
  /// The columns to return; empty (the default): every column.
  {read['fields']} fields;
{''.join(members)}{paging}}};

""")
        if op["paging"]:
            cases = "".join(f"    case DateField::{f}:\n      return &query.{QUERY_MEMBER[f]};\n" for f in op["paging"])
            parts.append(f"""/// The member of `query` holding the range of `field`; null when {op['name']} cannot be paged by it.
inline std::optional<TimeRange>* date_range({q}& query, DateField field) noexcept {{
  switch (field) {{
{cases}    default:
      return nullptr;
  }}
}}

""")
    parts.append("}  // namespace kareo\n")
    return "".join(parts)


def reads_header(ops):
    parts = [BANNER, """// The list reads of kareo::Client: per operation, its types and the member pointers of its date pairs and rows.
#pragma once

#include <optional>
#include <vector>

#include "kareo/operations.hpp"
#include "kareo/paging.hpp"
#include "kareo/queries.hpp"
#include "kareo/types.hpp"
#include "kareo/wire.hpp"

namespace kareo::reads {

/// The facts of one list read; specialised for every list operation.
template <Operation Op>
struct Read;

"""]
    for op in read_ops(ops):
        read = op["read"]
        rows = op["rows"]
        lines = [f"template <>\nstruct Read<Operation::{op['name']}> {{\n",
                 f"  using Row = {read['row']};\n",
                 f"  using Result = typename wire::Traits<Operation::{op['name']}>::Result;\n",
                 f"  static constexpr const char* method = {cstr(read['method'])};\n",
                 f"  /// The rows of a result (null when it has none) and the row's ID member.\n",
                 f"  static auto* rows(Result& r) {{ return r.{rows['array']} ? &r.{rows['array']}->{rows['item']} : nullptr; }}\n",
                 f"  static constexpr auto id = &Row::{rows['id']};\n"]
        if "query" in read:
            lines.append(f"  using Query = {read['query']};\n  using Filter = {read['filter']};\n"
                         f"  using Fields = {read['fields']};\n")
            lines.append("  /// Calls f(field, query member name, range, filter from, filter to, row date, max window days) per pair.\n")
            lines.append("  template <typename Q, typename F>\n  static void each_pair(Q& q, F&& f) {\n")
            for field, pair in op["paging"].items():
                limit = op["max_window_days"].get(field, op["max_window_days"].get("all", 0))
                lines.append(f"    f(DateField::{field}, {cstr(QUERY_MEMBER[field])}, q.{QUERY_MEMBER[field]}, "
                             f"&Filter::{pair[0]}, &Filter::{pair[1]}, &Row::{op['paged_at'][field]}, {limit});\n")
            if not op["paging"]:
                lines.append("    (void)q;\n    (void)f;\n")
            lines.append("  }\n")
            lines.append(f"  static constexpr bool paged = {str(bool(op['paging'])).lower()};\n")
            if op["paging"]:
                lines.append("  static std::optional<DateField> page_by(const Query& q) { return q.page_by; }\n"
                             "  static const PagingOptions& paging(const Query& q) { return q.paging; }\n")
            else:
                lines.append("  static std::optional<DateField> page_by(const Query&) { return std::nullopt; }\n"
                             "  static const PagingOptions& paging(const Query&) {\n"
                             "    static const PagingOptions none;\n    return none;\n  }\n")
        lines.append("};\n\n")
        parts.append("".join(lines))
    q = " \\\n".join(f"  X({op['name']}, {op['read']['method']}, {op['read']['query']}, {op['read']['row']})"
                       for op in query_ops(ops))
    parts.append("/// Calls `X(Operation, method, Query, Row)` for every list read that takes a query.\n")
    parts.append("#define KAREO_QUERY_READS(X) \\\n" + q + "\n\n")
    plain = " \\\n".join(f"  X({op['name']}, {op['read']['method']}, {op['read']['row']})"
                           for op in read_ops(ops) if "query" not in op["read"] and not op["read"]["cursor"])
    parts.append("/// Calls `X(Operation, method, Row)` for every list read without a query (one call, no filter).\n")
    parts.append("#define KAREO_PLAIN_READS(X) \\\n" + plain + "\n\n")
    parts.append("}  // namespace kareo::reads\n")
    return "".join(parts)


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
    if len(args) != 3 or args[0] not in ("public", "private", "queries", "reads"):
        sys.stderr.write(__doc__)
        return 2
    mode, table, out = args
    ops = load(table)
    if stub:
        check_against_stub(ops, stub)
    makers = {"public": public_header, "private": private_header, "queries": queries_header, "reads": reads_header}
    write(out, makers[mode](ops), check)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
