#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mutants.py - the mutation score: does some test fail for each driver bug?

Usage: scripts/mutants.py [--list] [--check] [--show NAME] [NAME...]

Each mutant of tests/mutants/mutants.txt (a one-line change of the
driver, with the bug class it stands for) is applied to a scratch copy of
this checkout, which scripts/dev.sh then tests as it tests an edit: KUnit
on UML, then, if KUnit passed, the kselftest in the x86_64 guest.  A
mutant marked "debug: yes" (a memory-safety bug only KASAN, kmemleak or
the page checks can see) is judged by the kselftest on the debug kernel
instead.  A mutant is killed when a test fails; the table gives the first
test that failed.  Before the mutants, the unchanged sources must pass the
same loop, or no verdict would mean anything.

  --list       the mutants and their bug classes; nothing is run
  --check      only that every mutant still applies (its line is found
               exactly once); nothing is run
  --show NAME  the mutant as a patch
  NAME...      only these mutants (default: all)

Results: a table, and $MMAPDEMO_CACHE/results/mutants.json.  Exit status
0 when every mutant run was killed, 1 otherwise.  It costs about 3 to 4
minutes per mutant on 2 cores (KUnit and a guest boot under TCG), and the
build tree is left with the last mutant's sources: scripts/apply.sh (or
the next scripts/test.sh) puts it back.
"""

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIST = os.path.join(REPO, "tests", "mutants", "mutants.txt")
FIELDS = ("name", "class", "file", "find", "replace", "every", "debug")


def fail(message, what_to_do):
    print("mutants: error: %s\nmutants:        %s" % (message, what_to_do), file=sys.stderr)
    sys.exit(2)


def parse_mutants(path):
    """The mutants of @path, each a dict of FIELDS, in file order."""
    mutants, current = [], {}
    with open(path, encoding="utf-8") as listing:
        lines = listing.read().split("\n")
    for number, line in enumerate(lines + [""], 1):
        if line.startswith("#"):
            continue
        if not line.strip():
            if current:
                mutants.append(current)
                current = {}
            continue
        key, sep, value = line.partition(": ")
        if not sep and line.endswith(":"):
            key, sep, value = line[:-1], ":", ""
        if not sep or key not in FIELDS or key in current:
            fail("%s:%d: not a 'field: value' line of a mutant: %r" % (path, number, line),
                 "fields are " + ", ".join(FIELDS) + ", once each per stanza")
        current[key] = value
    names = set()
    for mutant in mutants:
        for key in ("name", "class", "file", "find", "replace"):
            if key not in mutant:
                fail("mutant %s has no %s:" % (mutant.get("name", "?"), key),
                     "add it to " + path)
        if mutant["name"] in names:
            fail("two mutants are named " + mutant["name"], "rename one in " + path)
        names.add(mutant["name"])
        mutant["debug"] = mutant.get("debug", "no") == "yes"
        mutant["every"] = mutant.get("every", "no") == "yes"
    return mutants


def mutated_text(root, mutant):
    """The mutated content of the mutant's file under @root, or an error."""
    with open(os.path.join(root, mutant["file"]), encoding="utf-8") as source:
        lines = source.read().split("\n")
    found = [i for i, line in enumerate(lines) if line == mutant["find"]]
    if not found or (len(found) > 1 and not mutant["every"]):
        return None, "its line is found %d times in %s, not once" % (len(found), mutant["file"])
    for i in reversed(found):
        if mutant["replace"]:
            lines[i] = mutant["replace"]
        else:
            del lines[i]
    return "\n".join(lines), None


def show(mutant):
    """The mutant as a unified diff."""
    with open(os.path.join(REPO, mutant["file"]), encoding="utf-8") as source:
        before = source.read()
    after, error = mutated_text(REPO, mutant)
    if error:
        fail(mutant["name"] + ": " + error, "update its find: line in " + LIST)
    path = mutant["file"]
    sys.stdout.write("Bug class: %s\n" % mutant["class"])
    sys.stdout.writelines(difflib.unified_diff(
        before.splitlines(True), after.splitlines(True), "a/" + path, "b/" + path))


def cache_dir():
    cache = os.environ.get("MMAPDEMO_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mmapdemo")
    return os.path.abspath(cache)


def copy_checkout(scratch):
    """This checkout's files (tracked and new, as they are now) into @scratch."""
    listed = subprocess.run(["git", "-C", REPO, "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], capture_output=True, check=True)
    if os.path.isdir(scratch):
        shutil.rmtree(scratch)
    for name in sorted(set(os.fsdecode(listed.stdout).split("\0")) - {""}):
        source = os.path.join(REPO, name)
        if not os.path.isfile(source):
            continue
        target = os.path.join(scratch, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target)


FIRST_FAILURE = (
    re.compile(r"^\[[0-9:]+\] Failures: ([^,\s]+)"),             # kunit.py's summary
    re.compile(r"^\[[0-9:]+\] \[FAILED\] (\S+)"),                # kunit.py
    re.compile(r"^(?:# )+not ok [0-9]+ (\S+)"),                   # a program's KTAP
    re.compile(r"^not ok [0-9]+ selftests: \S+ (\S+)"),           # the runner's
)


def first_failure(output):
    """The first test named as failed in @output, else its last error line."""
    for pattern in FIRST_FAILURE:
        for line in output.splitlines():
            match = pattern.match(line)
            if match:
                return match.group(1)
    errors = [line for line in output.splitlines() if "error:" in line or "FAILED" in line]
    return errors[-1].strip()[:100] if errors else "(no test named; see the log)"


def run_loop(scratch, parts, log_path):
    """scripts/dev.sh PARTS in @scratch: (passed, output, seconds)."""
    start = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.run([os.path.join(scratch, "scripts", "dev.sh"), *parts],
                              stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                              check=False)
    with open(log_path, encoding="utf-8", errors="replace") as log:
        output = log.read()
    return proc.returncode == 0, output, time.monotonic() - start


def judge(scratch, mutant, log_dir):
    """Run the loop on the mutated scratch copy: the verdict as a dict."""
    log = os.path.join(log_dir, mutant["name"])
    steps = [("kunit", ["kunit"]),
             ("kselftest-debug", ["kselftest", "--debug"]) if mutant["debug"]
             else ("kselftest", ["kselftest"])]
    verdict = {"name": mutant["name"], "class": mutant["class"], "debug": mutant["debug"],
               "killed": False, "killed_by": None, "first_failure": None, "seconds": 0.0,
               "logs": []}
    for label, parts in steps:
        passed, output, seconds = run_loop(scratch, parts, "%s.%s.log" % (log, label))
        verdict["seconds"] += seconds
        verdict["logs"].append("%s.%s.log" % (log, label))
        if not passed:
            verdict.update(killed=True, killed_by=label, first_failure=first_failure(output))
            break
    return verdict


def main(argv):
    args = [arg for arg in argv if not arg.startswith("--")]
    options = [arg for arg in argv if arg.startswith("--")]
    for option in options:
        if option not in ("--list", "--check", "--show", "--help", "-h"):
            fail("unknown option " + option, "run %s --help" % sys.argv[0])
    if "--help" in options:
        print(__doc__.strip())
        return 0
    mutants = parse_mutants(LIST)
    by_name = {mutant["name"]: mutant for mutant in mutants}
    if "--show" in options:
        if len(args) != 1 or args[0] not in by_name:
            fail("--show takes the name of one mutant", "see --list")
        show(by_name[args[0]])
        return 0
    unknown = [name for name in args if name not in by_name]
    if unknown:
        fail("no such mutant: " + " ".join(unknown), "see --list")
    chosen = [by_name[name] for name in args] if args else mutants
    if "--list" in options:
        for mutant in chosen:
            print("%-26s %s%s" % (mutant["name"], mutant["class"],
                                  " (debug kernel)" if mutant["debug"] else ""))
        return 0
    errors = [(m["name"], mutated_text(REPO, m)[1]) for m in chosen]
    stale = [(name, error) for name, error in errors if error]
    for name, error in stale:
        print("mutants: %s no longer applies: %s" % (name, error), file=sys.stderr)
    if stale:
        fail("%d mutant(s) no longer apply" % len(stale),
             "update their find: lines in " + LIST)
    if "--check" in options:
        print("mutants: all %d apply" % len(chosen))
        return 0

    cache = cache_dir()
    scratch = os.path.join(cache, "mutants", "src")
    log_dir = os.path.join(cache, "logs", "mutants")
    os.makedirs(log_dir, exist_ok=True)
    print("mutants: the unchanged sources first (they must pass)", flush=True)
    copy_checkout(scratch)
    baseline = [run_loop(scratch, parts, os.path.join(log_dir, "baseline.%s.log" % label))
                for label, parts in (("kunit", ["kunit"]), ("kselftest", ["kselftest"]))]
    if not all(passed for passed, _, _ in baseline):
        fail("the unchanged sources fail scripts/dev.sh: no mutant verdict would mean anything",
             "see %s/baseline.*.log and fix that first" % log_dir)

    results = []
    for number, mutant in enumerate(chosen, 1):
        print("mutants: [%d/%d] %s: %s" % (number, len(chosen), mutant["name"], mutant["class"]),
              flush=True)
        copy_checkout(scratch)
        text, _ = mutated_text(scratch, mutant)
        with open(os.path.join(scratch, mutant["file"]), "w", encoding="utf-8") as source:
            source.write(text)
        verdict = judge(scratch, mutant, log_dir)
        results.append(verdict)
        print("mutants:     %s in %ds%s" % (
            "killed by " + verdict["killed_by"] if verdict["killed"] else "SURVIVED",
            verdict["seconds"],
            ": " + verdict["first_failure"] if verdict["killed"] else ""), flush=True)

    print("\n%-26s %-9s %-16s %s" % ("mutant", "verdict", "kernel", "first failure"))
    for verdict in results:
        print("%-26s %-9s %-16s %s" % (
            verdict["name"], "killed" if verdict["killed"] else "SURVIVED",
            ("debug" if verdict["debug"] else "normal") +
            (" (" + verdict["killed_by"] + ")" if verdict["killed"] else ""),
            verdict["first_failure"] or "-"))
    killed = sum(verdict["killed"] for verdict in results)
    os.makedirs(os.path.join(cache, "results"), exist_ok=True)
    json_path = os.path.join(cache, "results", "mutants.json")
    with open(json_path, "w", encoding="utf-8") as out:
        json.dump({"killed": killed, "total": len(results), "mutants": results}, out, indent=1)
    print("\nmutants: %d of %d killed (%s)" % (killed, len(results), json_path))
    print("mutants: the build tree holds the last mutant: scripts/apply.sh puts it back")
    return 0 if killed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
