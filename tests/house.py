#!/usr/bin/env python3
"""tests/house.py: the shape doc/HACKING.md promises, checked.

Every C file of a shipped program (lib/ and the program directories) is
at most FILE_MAX lines and every function at most FUNC_MAX; each shared
piece named in HACKING.md has one definition, in lib/.  Prints one line
per breach and exits 1 if there is any."""
import os
import re
import sys

FILE_MAX = 600
FUNC_MAX = 60
DIRS = ["lib", "pop3d", "checkpw", "mboxsplit", "maildirscan", "hostcheck", "pop3tls", "scripts"]

# pattern that only the named lib file may contain
ONE_DEFINITION = [
    (r"clock_gettime\s*\(\s*CLOCK_MONOTONIC", "lib/clock.c", "the monotonic clock"),
    (r"^(static\s+)?(int|ssize_t|bool)\s+write_all\w*\s*\(", "lib/write_all.c", "writing all of a buffer"),
    (r"0xcbf29ce484222325|0x100000001b3", "lib/namehash.c", "the name hash"),
    (r"^(static\s+)?\w[\w\s\*]*\blog_value\w*\s*\(", "lib/logvalue.c", "log values"),
    (r"S_ISSOCK\s*\(\s*err\.st_mode|fstat\s*\(\s*2\s*,", "lib/die.c", "the client-on-fd-2 rule"),
]


def sources(top):
    for d in DIRS:
        for root, _, files in os.walk(os.path.join(top, d)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(root, f), top)


def functions(lines):
    """(name, first line, length) of each top-level function body."""
    i = 0
    while i < len(lines):
        if lines[i].startswith("{") and i > 0:
            j = i - 1
            while j > 0 and not re.search(r"\w+\s*\(", lines[j]) and lines[j].strip():
                j -= 1
            m = re.search(r"(\w+)\s*\(", lines[j])
            start = i
            while i < len(lines) and not lines[i].startswith("}"):
                i += 1
            if m:
                yield m.group(1), j + 1, i - start - 1
        i += 1


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    breaches = []
    for path in sources(top):
        with open(os.path.join(top, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
        lines = text.split("\n")
        if len(lines) - 1 > FILE_MAX:
            breaches.append(f"{path}: {len(lines) - 1} lines (at most {FILE_MAX})")
        if path.endswith(".c"):
            for name, at, n in functions(lines):
                if n > FUNC_MAX:
                    breaches.append(f"{path}:{at}: {name}() {n} lines (at most {FUNC_MAX})")
        for pattern, home, what in ONE_DEFINITION:
            if path not in (home, home[:-2] + ".h") and re.search(pattern, text, re.M):
                breaches.append(f"{path}: a second definition of {what} (the one is {home})")
    for b in breaches:
        print(b)
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
