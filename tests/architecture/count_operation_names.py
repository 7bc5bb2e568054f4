#!/usr/bin/env python3
"""Checks that the name of an operation appears in at most 4 hand-written files.

Every per-operation fact belongs in the operation table (src/operations/operations.toml), from which
scripts/generate_operations.py writes the lists the library, the fake server and the kareo tool need. A name that
spreads over many hand-written files is a list kept by hand, or a comment naming an operation needlessly.

For every operation of the table, the hand-written files of src/, include/, tools/, examples/ and scripts/ that
name it (as a whole word) are counted; generated and committed-generated files are not. The check fails when an
operation is named in more than LIMIT files, unless it is one of the known exceptions below, which may not grow.
An exception whose count has come down to the limit must be removed from the list (the check says so).

  count_operation_names.py ROOT          check the tree at ROOT
  count_operation_names.py ROOT --list   print every operation's count and files
  count_operation_names.py --self-test   prove the check catches a sixth file naming an operation
"""
import os
import re
import sys
import tempfile

LIMIT = 4
FOLDERS = ["src", "include", "tools", "examples", "scripts"]
SUFFIXES = (".hpp", ".cpp", ".h", ".py", ".toml", ".cmake", ".txt", ".md", ".sh", ".in")
# Written by a generator (and committed, drift-checked), not by hand.
GENERATED = {"include/kareo/operations.hpp", "include/kareo/queries.hpp"}
GENERATED_FOLDERS = ("generated/",)

# Operations that may be named in more hand-written files than LIMIT, with the most files each may be named in.
# None: every per-operation fact, the vendor's quirks included, is read from the table. An entry here may only go
# down, and is removed once its count reaches LIMIT.
KNOWN = {}


def operations(root):
    with open(os.path.join(root, "src/operations/operations.toml"), encoding="utf-8") as f:
        return re.findall(r'^name = "(\w+)"', f.read(), re.M)


def hand_written(root):
    for folder in FOLDERS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, folder)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                path = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
                if not name.endswith(SUFFIXES) and name != "CMakeLists.txt":
                    continue
                if path in GENERATED or path.startswith(GENERATED_FOLDERS):
                    continue
                yield path


def count(root):
    ops = operations(root)
    files = {op: [] for op in ops}
    pattern = re.compile(r"\b(" + "|".join(ops) + r")\b")
    for path in hand_written(root):
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            for op in set(pattern.findall(f.read())):
                files[op].append(path)
    return files


def problems(files, known):
    out = []
    for op, paths in sorted(files.items()):
        ceiling = known.get(op, LIMIT)
        if len(paths) > ceiling:
            out.append(f"{op} is named in {len(paths)} hand-written files (at most {ceiling}): " + ", ".join(paths) +
                       ". Generate what lists it from src/operations/operations.toml, or keep comments from naming it.")
        elif op in known and len(paths) <= LIMIT:
            out.append(f"{op} is named in {len(paths)} files now: remove it from KNOWN in {os.path.basename(__file__)}")
        elif op in known and len(paths) < ceiling:
            out.append(f"{op} is named in {len(paths)} files now: lower its KNOWN entry from {ceiling} to "
                       f"{len(paths)} in {os.path.basename(__file__)}")
    for op in sorted(set(known) - set(files)):
        out.append(f"{op} is in KNOWN but not in the operation table: remove it")
    return out


def self_test():
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "src/operations"))
        os.makedirs(os.path.join(root, "src/client"))
        os.makedirs(os.path.join(root, "include/kareo"))
        with open(os.path.join(root, "src/operations/operations.toml"), "w") as f:
            f.write('[[operation]]\nname = "GetWidgets"\n')
        with open(os.path.join(root, "include/kareo/operations.hpp"), "w") as f:  # generated: not counted
            f.write("GetWidgets\n")
        for i in range(3):
            with open(os.path.join(root, f"src/client/f{i}.cpp"), "w") as f:
                f.write(f"// GetWidgetsResp is another word; GetWidgets is the name ({i})\n")
        if problems(count(root), {}):
            print("self-test: 4 files were reported")
            return 1
        with open(os.path.join(root, "src/client/f3.cpp"), "w") as f:
            f.write("call(GetWidgets);\n")
        found = problems(count(root), {})
        if len(found) != 1 or "GetWidgets is named in 5" not in found[0]:
            print("self-test: 5 files were not reported: " + repr(found))
            return 1
        if not problems(count(root), {"GetWidgets": 6}) or "lower" not in problems(count(root), {"GetWidgets": 6})[0]:
            print("self-test: an exception above its count was not reported")
            return 1
    print("self-test: a fifth file naming an operation is caught")
    return 0


def main(argv):
    if "--self-test" in argv:
        return self_test()
    root = argv[1]
    files = count(root)
    if "--list" in argv:
        for op, paths in sorted(files.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(f"{len(paths):3} {op}: " + ", ".join(paths))
        return 0
    found = problems(files, KNOWN)
    for p in found:
        print(p)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
