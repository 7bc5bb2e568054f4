"""The operation table (src/operations/operations.toml): reads it, fills in the defaults of its columns and refuses a
malformed row (load), and checks it against the contract as soapcpp2 generated it (check_against_stub). The
headers written from it are in generate_operations.py, which is the command the build runs.
"""
import re
import sys
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
    """Refuses the table: `message` on standard error, named by the command the build runs, and exit code 1."""
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
