#!/usr/bin/env python3
"""Checks that includes never go upward in the library's layers, and that no file is over 600 lines.

Every hand-written header of include/kareo and every file of src/ belongs to one layer (LAYERS below, lowest
first). A file may include files of its own layer and of the layers below it; an include of a higher layer is an
upward dependency and fails the check. Generated headers (the gSOAP stubs, the operation table's private header,
...) and system headers are not checked.

  check_layers.py ROOT            check the tree at ROOT; exit 1 and name each upward include
  check_layers.py --self-test     prove that the check catches an upward include (on a tiny synthetic tree)
"""
import os
import re
import sys
import tempfile

# Lowest first. A public header is named "kareo/<name>.hpp"; a folder of src/ is named "src/<folder>/".
LAYERS = [
    ("values", ["kareo/operations.hpp", "kareo/datetime.hpp", "kareo/cancellation.hpp", "kareo/clock.hpp",
                "kareo/credentials.hpp", "kareo/types.hpp", "kareo/version.hpp", "kareo/errors.hpp",
                "kareo/values.hpp", "kareo/value_fields.hpp", "src/values/"]),
    ("operations", ["kareo/connection.hpp", "kareo/wire.hpp", "src/operations/"]),
    ("transport", ["src/transport/"]),
    ("observability", ["kareo/observability.hpp", "src/observability/"]),
    ("policy", ["kareo/policy_options.hpp", "kareo/pacing.hpp", "kareo/retry.hpp", "kareo/policies.hpp",
                "src/policy/"]),
    # A RateLimiter over PostgreSQL (its own library, Kareo::postgres_pacing).
    ("postgres", ["kareo/postgres_pacing.hpp", "src/postgres/"]),
    # The ranges and queries the Client's reads return; they know nothing of the Client.
    ("paging", ["kareo/paging.hpp", "kareo/paging_windows.hpp", "kareo/queries.hpp", "src/paging/"]),
    ("client", ["kareo/options.hpp", "kareo/call_options.hpp", "kareo/client.hpp", "kareo/writes.hpp",
                "src/client/"]),
    ("feed", ["kareo/change_feed.hpp", "src/feed/"]),
    ("json", ["kareo/json.hpp", "src/json/"]),
    # A practice's records in a database: the change feeds and the JSON mapping into SQLite or PostgreSQL.
    ("mirror", ["kareo/mirror.hpp", "src/mirror/"]),
    # Beside the client: the request checker and the FHIR mapping work on the contract's types alone.
    ("check", ["kareo/check.hpp", "src/check/"]),
    ("fhir", ["kareo/fhir.hpp", "src/fhir/"]),
    ("testing", ["kareo/testing/", "src/testing/", "kareo/mocks/"]),
    ("umbrella", ["kareo/kareo.hpp"]),
]

# Known upward includes, each with the reason it is still there. Keep this list short; an entry whose include is
# gone makes the check fail too, so that the list only ever shrinks.
KNOWN = {
    # make_canned_connection() (a test transport) takes the Client's Options for its size limit and timeouts.
    ("kareo/wire.hpp", "kareo/options.hpp"),
    # The observed connection is declared in the Client's private header, with the other layers it composes.
    ("src/observability/observability.cpp", "src/client/facade_internal.hpp"),
}

# Headers that every user includes stay small: they must not include these (the layers themselves), only the
# plain settings of kareo/policy_options.hpp.
LEAN = {
    "kareo/options.hpp": {"kareo/pacing.hpp", "kareo/retry.hpp", "kareo/policies.hpp"},
}

# No hand-written file of include/kareo or src/ is longer than this, but for the ones listed with their reason.
MAX_LINES = 600
KNOWN_LONG = {
    # Not hand-written: the member table of every row type, written by scripts/generate_value_kinds.py.
    "kareo/value_fields.hpp",
}

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def layer_of(name):
    """The index of the layer `name` (a public "kareo/..." name or a "src/..." path) belongs to, or None."""
    for index, (_, members) in enumerate(LAYERS):
        for member in members:
            if member.endswith("/") and name.startswith(member):
                return index
            if name == member:
                return index
    return None


def files(root):
    """(name, path) of every hand-written header and source of include/kareo and src/."""
    for top, prefix in (("include/kareo", "kareo/"), ("src", "src/")):
        base = os.path.join(root, top)
        for folder, _, names in os.walk(base):
            for n in sorted(names):
                if not n.endswith((".hpp", ".cpp", ".h")):
                    continue
                path = os.path.join(folder, n)
                yield prefix + os.path.relpath(path, base).replace(os.sep, "/"), path


def resolve(include, name, root):
    """The checked name of an include written in file `name`, or None for a file that is not checked."""
    if include.startswith("kareo/"):
        return include
    # Private includes are relative to src/ (or to the including file's folder).
    for candidate in ("src/" + include, os.path.dirname(name) + "/" + include):
        if os.path.isfile(os.path.join(root, candidate)):
            return candidate
    return None


def check(root, known=True):
    problems = []
    unclassified = []
    used_known = set()
    for name, path in files(root):
        own = layer_of(name)
        if own is None:
            unclassified.append(name)
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        lines = text.count("\n")
        if lines > MAX_LINES and name not in KNOWN_LONG:
            problems.append(f"{name} has {lines} lines, more than {MAX_LINES}: split it by concern")
        for include in INCLUDE.findall(text):
            target = resolve(include, name, root)
            if target is None:
                continue
            if target in LEAN.get(name, ()):
                problems.append(f"{name} includes {target}: it is to stay small (see LEAN)")
            other = layer_of(target)
            if other is None:
                unclassified.append(target)
                continue
            if other > own:
                if (name, target) in KNOWN:
                    used_known.add((name, target))
                    continue
                problems.append(f"{name} ({LAYERS[own][0]}) includes {target} ({LAYERS[other][0]}): an upward "
                                f"dependency")
    for name in sorted(set(unclassified)):
        problems.append(f"{name} belongs to no layer: add it to LAYERS in {os.path.basename(__file__)}")
    for entry in sorted(KNOWN - used_known) if known else []:
        problems.append(f"known exception {entry[0]} -> {entry[1]} no longer occurs: remove it from KNOWN")
    return problems


def self_test():
    with tempfile.TemporaryDirectory() as root:
        def write(rel, text):
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        for public, _ in [("kareo/wire.hpp", 0)]:
            write("include/" + public, '#include "kareo/options.hpp"\n')
        write("include/kareo/options.hpp", '#include "kareo/policy_options.hpp"\n')
        write("include/kareo/policy_options.hpp", "")
        write("include/kareo/pacing.hpp", '#include "kareo/clock.hpp"\n')
        write("include/kareo/clock.hpp", "")
        write("src/policy/pacing.cpp", '#include "kareo/pacing.hpp"\n#include "client/facade_internal.hpp"\n')
        write("src/client/facade_internal.hpp", '#include "kareo/options.hpp"\n')
        problems = check(root, known=False)
        expected = "src/policy/pacing.cpp (policy) includes src/client/facade_internal.hpp (client)"
        if len(problems) != 1 or not problems[0].startswith(expected):
            print("self-test: expected exactly one upward include to be reported, got:", *problems, sep="\n  ")
            return 1
        write("src/policy/pacing.cpp", '#include "kareo/pacing.hpp"\n')
        if check(root, known=False):
            print("self-test: a clean tree was refused:", *check(root, known=False), sep="\n  ")
            return 1
    print("self-test: an upward include is caught, a clean tree passes")
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        return self_test()
    if len(argv) != 2:
        print(__doc__)
        return 2
    problems = check(argv[1])
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} layering problem(s); the layers, lowest first: " +
              " < ".join(name for name, _ in LAYERS))
        return 1
    print("includes follow the layers: " + " < ".join(name for name, _ in LAYERS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
