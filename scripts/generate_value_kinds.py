#!/usr/bin/env python3
"""What the text members of the contract's row types hold: the rules, written once, and the table they give.

Every member of a row type (PatientData, AppointmentData, ChargeData, ...) is xs:string on the wire. The rules below
classify each by its name into a kareo::values::Kind (Date, DateTime, UtcDateTime, Boolean, Money or Text). They are
read by this script, which writes include/kareo/value_fields.hpp (committed; `--check` fails when it is out of date,
which the test values_fields_header_current runs), and by scripts/generate_json_mapping.py, whose typed JSON writer
normalises those members the same way.

The rules agree with the fake server (src/testing/entities.cpp, generate.cpp) and the vendor's guide; the test
tests/values/test_value_kinds.cpp reads every row the fake server sends and fails when a member's text and its kind
disagree.

  generate_value_kinds.py STUB OUT [--check]
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import contract_tables  # noqa: E402

# ---- the rules ----------------------------------------------------------------------------------------------------

# Exceptions to the name patterns, as (row type, member) -> kind: the ONE place for them.
OVERRIDES = {
    # The guide: appointment start and end times are UTC (wire-notes.md, "More facts").
    ("AppointmentData", "StartDate"): "UtcDateTime",
    ("AppointmentData", "EndDate"): "UtcDateTime",
}

# Yes/no members whose names do not say so.
BOOLEAN_NAMES = ("Active", "AllDay", "Recurring", "SendPatientStatements", "GuarantorDifferentThanPatient",
                 "DoNotSendClaimElectronically", "DoNotSendElectronicallyToSecondary", "CustomerSpecific",
                 "BillableCode", "SyncWithEHR")
# Amounts of money (name endings).
MONEY_ENDINGS = ("Amount", "Balance", "Payments", "Payment", "Charges", "Adjustment", "Adjustments", "Copay",
                 "Deductible", "Allowed", "Receipts", "Refunds", "Applied", "Unapplied", "Coinsurance", "UnitCharge")


def kind_of(row_type, member):
    """The kind of `member` of `row_type` (both contract names)."""
    if (row_type, member) in OVERRIDES:
        return OVERRIDES[(row_type, member)]
    if member.endswith(BOOLEAN_NAMES) or member.endswith("Flag") or re.match(r"^Is[A-Z]", member) \
            or member.startswith("AlertShow") or ("ConditionRelatedTo" in member and not member.endswith("State")):
        return "Boolean"
    # A civil date: never moved by a time zone, written without a time of day.
    if member == "DOB" or "DateOfBirth" in member:
        return "Date"
    # Every other date the service sends carries a time of day (the practice's civil time).
    if "Date" in member or member.endswith("Time"):
        return "DateTime"
    if member.endswith(MONEY_ENDINGS):
        return "Money"
    return "Text"


def is_row_type(local_name):
    """The row types: the contract's *Data records, whose members are text."""
    return local_name.endswith("Data") and not local_name.startswith("ArrayOf")


# ---- the table ----------------------------------------------------------------------------------------------------


def row_types(stub):
    """[(contract name, [(member, kind)])] of every row type, in name order; members in wire order."""
    _, _, classes = contract_tables.contract_classes(stub)
    out = []
    for cname, _, members in classes:
        if cname.startswith("_"):
            continue
        _, local = contract_tables.split_cname(cname)
        if not is_row_type(local):
            continue
        fields = [(m["element"], kind_of(local, m["element"])) for m in members
                  if m["type"] == "string" and m["ctype"] == "std::optional<std::string>"]
        if fields:
            out.append((local, fields))
    for (row, member) in OVERRIDES:
        if not any(r == row and any(f == member for f, _ in fs) for r, fs in out):
            raise SystemExit("generate_value_kinds.py: override %s.%s names no row member" % (row, member))
    return sorted(out)


def header(stub):
    rows = row_types(stub)
    out = [
        "/// @file",
        "/// @brief The typed members of every row type: one kareo::values::Field per text member.",
        "///",
        "/// Written by scripts/generate_value_kinds.py from the contract (its rules, written once, classify the",
        "/// members by name); do not edit by hand. Included by kareo/values.hpp.",
        "#pragma once",
        "",
        "#include <string_view>",
        "#include <vector>",
        "",
        '#include "kareo/types.hpp"',
        "",
        "namespace kareo::values {",
        "",
        "// clang-format off",
    ]
    for row, fields in rows:
        out.append("/// Every text member of kareo::%s with its kind, in wire order." % row)
        out.append("inline const std::vector<Field<%s>>& row_fields(const %s*) {" % (row, row))
        out.append("  static const std::vector<Field<%s>> fields{" % row)
        for name, kind in fields:
            out.append('      {"%s", Kind::%s, &%s::%s},' % (name, kind, row, name))
        out.append("  };")
        out.append("  return fields;")
        out.append("}")
    out.append("")
    out.append("/// @cond KAREO_INTERNAL")
    out.append("namespace detail {")
    out.append("inline const std::vector<RowKinds>& all_row_kinds() {")
    out.append("  static const std::vector<RowKinds> rows{")
    for row, fields in rows:
        out.append('      {"%s", {' % row)
        for name, kind in fields:
            out.append('          {"%s", Kind::%s},' % (name, kind))
        out.append("      }},")
    out.append("  };")
    out.append("  return rows;")
    out.append("}")
    out.append("}  // namespace detail")
    out.append("/// @endcond")
    out.append("// clang-format on")
    out.append("")
    out.append("}  // namespace kareo::values")
    out.append("")
    return "\n".join(out)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        raise SystemExit(__doc__)
    stub, path = args
    text = header(stub)
    if "--check" in argv:
        with open(path, encoding="utf-8") as f:
            if f.read() != text:
                print("%s is out of date: run `cmake --build build --target regenerate-value-kinds` and review the diff"
                      % path)
                return 1
        return 0
    old = None
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = f.read()
    if old != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
