#!/usr/bin/env python3
"""tests/deb/unit_exec.py: what systemd would run for an installed unit.

  unit_exec.py env UNIT [NAME=VALUE...]     the environment, NAME=VALUE a line
  unit_exec.py argv UNIT KEY [NAME=VALUE...] the command line of KEY (ExecStart,
                                            ExecStartPre...), one argument a line

Reads the unit's [Service] Environment= and EnvironmentFile= lines (in
that order, the file's values winning, as systemd.exec(5) says), then the
NAME=VALUE arguments (the test's own), and expands the command line the
way systemd.service(5) does: "$NAME" alone as a word becomes the value
split at blanks (zero or more words), "${NAME}" the value as it is; the
specifiers %H (host name), %i and %I (the instance, "test") and %% are
replaced.  Only what the toolkit's units use is known; anything else is
an error, so that a unit the test cannot read fails the test."""
import os
import re
import shlex
import socket
import sys


def specifiers(text):
    def one(m):
        c = m.group(1)
        if c == "%":
            return "%"
        if c == "H":
            return socket.gethostname()
        if c in "iI":
            return "test"
        sys.exit("unknown specifier %%%s in: %s" % (c, text))
    return re.sub(r"%(.)", one, text)


def service_lines(path):
    section, out = None, []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                section = line
                continue
            if section == "[Service]":
                key, _, value = line.partition("=")
                out.append((key.strip(), value.strip()))
    return out


def env_file(path, env):
    optional = path.startswith("-")
    path = path.lstrip("-")
    if not os.path.exists(path):
        if optional:
            return
        sys.exit("EnvironmentFile %s: missing" % path)
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            name, eq, value = line.partition("=")
            if not eq or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name.strip()):
                sys.exit("%s: not NAME=value: %s" % (path, line))
            env[name.strip()] = " ".join(shlex.split(value)) if value.strip() else ""


def environment(lines, extra):
    env = {}
    for key, value in lines:
        if key == "Environment":
            for item in shlex.split(specifiers(value)):
                name, _, v = item.partition("=")
                env[name] = v
    for key, value in lines:
        if key == "EnvironmentFile":
            env_file(specifiers(value), env)
    for item in extra:
        name, _, v = item.partition("=")
        env[name] = v
    return env


def expand(command, env):
    command = command.lstrip("-@+!:")
    words = []
    for word in shlex.split(command):
        m = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if m:
            words.extend(env.get(m.group(1), "").split())
            continue
        word = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: env.get(m.group(1), ""), word)
        if "$" in word:
            sys.exit("cannot expand: %s" % word)
        words.append(specifiers(word))
    return words


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("env", "argv"):
        sys.exit(__doc__)
    lines = service_lines(sys.argv[2])
    if sys.argv[1] == "env":
        for name, value in environment(lines, sys.argv[3:]).items():
            print("%s=%s" % (name, value))
        return
    key, extra = sys.argv[3], sys.argv[4:]
    commands = [v for k, v in lines if k == key]
    if len(commands) != 1:
        sys.exit("%s: %d %s= lines, not one" % (sys.argv[2], len(commands), key))
    for word in expand(commands[0], environment(lines, extra)):
        print(word)


main()
