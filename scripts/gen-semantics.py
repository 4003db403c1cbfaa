#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn the tables of the documentation into the tests' headers.

Documentation/misc-devices/mmapdemo.rst has two tables the tests read:

- "Semantics of each strategy", one row per strategy and one column per
  behaviour, becomes kunit/mmapdemo_semantics.h, which the KUnit tests and
  the kselftest both include;
- "Bad input and its answer", one row per refused request, becomes
  kunit/mmapdemo_bad_input.h, which the kselftest includes. Its rows that
  apply "where the semantics table says so" must give the same answer as
  that table's cells.

They are the only place those behaviours are written down, so the
documentation and the tests cannot disagree. Every cell must be a word the
script knows (an errno name or the column's own words); a cell it cannot
turn into something a test checks is an error, so the tables can hold no
untested claim and no empty cell.

Usage:
  gen-semantics.py            write both headers
  gen-semantics.py --check    exit 1 if either is not what the tables give
"""

import argparse
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(REPO, "Documentation", "misc-devices", "mmapdemo.rst")
UAPI = os.path.join(REPO, "drivers-misc-mmapdemo", "include", "uapi", "linux",
                    "mmapdemo.h")
HEADER = os.path.join(REPO, "kunit", "mmapdemo_semantics.h")
CAPTION = "Semantics of each strategy"
BAD_HEADER = os.path.join(REPO, "kunit", "mmapdemo_bad_input.h")
BAD_CAPTION = "Bad input and its answer"
# checkpatch's limit; a longer generated line means a shorter cell.
MAX_LINE = 100

ERRNO = re.compile(r"^E[A-Z]+$")
FAULTS = {"0": "MMAPDEMO_FAULTS_NONE", "1 per page": "MMAPDEMO_FAULTS_PER_PAGE",
          "1 per VMA": "MMAPDEMO_FAULTS_PER_VMA"}
VM_FLAGS = ["io", "pf", "mm", "de", "dd"]


class TableError(Exception):
    pass


def errno_or(word):
    """A column whose cell is either its success word (0) or an errno name."""
    def convert(cell):
        if cell == word:
            return "0"
        if ERRNO.match(cell):
            return cell
        raise TableError("expected %r or an errno name" % word)
    return convert


def faults(cell):
    if cell not in FAULTS:
        raise TableError("expected one of %s" % ", ".join(map(repr, FAULTS)))
    return FAULTS[cell]


def vm_flags(cell):
    words = cell.split()
    unknown = [w for w in words if w not in VM_FLAGS]
    if unknown or not words or len(set(words)) != len(words):
        raise TableError("expected distinct VmFlags among %s" % " ".join(VM_FLAGS))
    return " | ".join("MMAPDEMO_VMF_%s" % w.upper() for w in words)


def exact(cell):
    if cell == "pages_inserted":
        return "true"
    if cell == "none":
        return "false"
    raise TableError("expected 'pages_inserted' or 'none'")


# Column heading -> (field of struct mmapdemo_semantics, converter).
COLUMNS = [
    ("strategy", "name", None),
    ("faults", "faults", faults),
    ("MAP_PRIVATE", "private_errno", errno_or("copy-on-write")),
    ("fork child faults", "fork_child_faults", faults),
    ("mremap grow", "grow_errno", errno_or("SIGBUS past end")),
    ("mremap move", "move_errno", errno_or("moved")),
    ("munmap part", "split_errno", errno_or("split")),
    ("mprotect +W", "mprotect_errno", errno_or("writable")),
    ("MADV_DONTNEED", "dontneed_errno", errno_or("kept, re-faults")),
    ("get_user_pages", "gup_errno", errno_or("works")),
    ("VmFlags", "vm_flags", vm_flags),
    ("MADV_DODUMP", "dodump_errno", errno_or("allowed")),
    ("exact counter", "pages_inserted_exact", exact),
]


def read_table(path, caption):
    """The rows of the list-table with @caption, as lists of cell strings."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    start = [i for i, line in enumerate(lines)
             if line.startswith(".. list-table:: " + caption)]
    if len(start) != 1:
        raise TableError("%s: %d tables captioned %r, expected 1"
                         % (path, len(start), caption))
    rows, i = [], start[0] + 1
    while i < len(lines) and (not lines[i].strip() or lines[i].startswith("   ")):
        text = lines[i].strip()
        if text.startswith("* - "):
            rows.append([text[4:].strip()])
        elif text.startswith("- "):
            if not rows:
                raise TableError("%s:%d: cell before the first row" % (path, i + 1))
            rows[-1].append(text[2:].strip())
        elif text and not text.startswith(":"):
            raise TableError("%s:%d: cells must fit on one line" % (path, i + 1))
        i += 1
    return rows


def uapi_strategies():
    with open(UAPI, encoding="utf-8") as f:
        return [m.lower() for m in re.findall(r"^\tMMAPDEMO_STRATEGY_(\w+) = \d+,",
                                              f.read(), re.M)]


def semantics_rows(rows):
    """The semantics table as {strategy: {field: C value}}, checked."""
    heading = [c[0] for c in COLUMNS]
    if not rows or rows[0] != heading:
        raise TableError("the heading row must be: %s" % " | ".join(heading))
    table = {}
    for row in rows[1:]:
        if len(row) != len(COLUMNS):
            raise TableError("row %s has %d cells, expected %d"
                             % (row[0], len(row), len(COLUMNS)))
        values = {}
        for (title, field, convert), cell in zip(COLUMNS[1:], row[1:]):
            try:
                values[field] = convert(cell)
            except TableError as err:
                raise TableError("row %s, column %r: %r: %s"
                                 % (row[0], title, cell, err)) from None
        table[row[0]] = values
    return table


def render(rows):
    heading = [c[0] for c in COLUMNS]
    if not rows or rows[0] != heading:
        raise TableError("the heading row must be: %s" % " | ".join(heading))
    names = [row[0] for row in rows[1:]]
    if sorted(names) != sorted(uapi_strategies()):
        raise TableError("rows %s do not match the UAPI strategies %s"
                         % (names, uapi_strategies()))
    out = [HEAD]
    for row in rows[1:]:
        if len(row) != len(COLUMNS):
            raise TableError("row %s has %d cells, expected %d"
                             % (row[0], len(row), len(COLUMNS)))
        out.append("\t{\n\t\t.name = \"%s\",\n" % row[0])
        for (title, field, convert), cell in zip(COLUMNS[1:], row[1:]):
            try:
                value = convert(cell)
            except TableError as err:
                raise TableError("row %s, column %r: %r: %s"
                                 % (row[0], title, cell, err)) from None
            out.append("\t\t.%s = %s,\n" % (field, value))
        out.append("\t},\n")
    out.append(TAIL)
    return "".join(out)


HEAD = """\
/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The semantics table of Documentation/misc-devices/mmapdemo.rst, in C.
 *
 * Generated from that table (mmapdemo's scripts/gen-semantics.py): change
 * the table and regenerate, never this file alone. The KUnit tests and the
 * kselftest (tools/testing/selftests/mmapdemo) both include it, so the
 * documentation and the tests check the same claims. It is plain C that
 * C++ also accepts, and it only uses errno names.
 */

#ifndef _MMAPDEMO_SEMANTICS_H
#define _MMAPDEMO_SEMANTICS_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#endif

/* Faults taken when user space touches the pages of a new mapping. */
enum mmapdemo_fault_count {
	MMAPDEMO_FAULTS_NONE,		/* "0": mapped before the first touch */
	MMAPDEMO_FAULTS_PER_PAGE,	/* "1 per page" touched */
	MMAPDEMO_FAULTS_PER_VMA,	/* "1 per VMA", whatever is touched */
};

/* The /proc/<pid>/smaps VmFlags the table speaks of. */
#define MMAPDEMO_VMF_IO	0x01U	/* "io": VM_IO */
#define MMAPDEMO_VMF_PF	0x02U	/* "pf": VM_PFNMAP */
#define MMAPDEMO_VMF_MM	0x04U	/* "mm": VM_MIXEDMAP */
#define MMAPDEMO_VMF_DE	0x08U	/* "de": VM_DONTEXPAND */
#define MMAPDEMO_VMF_DD	0x10U	/* "dd": VM_DONTDUMP */

/*
 * One row. An errno field is 0 where the table gives the column's success
 * word, else the error the operation fails with.
 */
struct mmapdemo_semantics {
	const char *name;		/* the strategy, /dev/mmapdemo-<name> */
	enum mmapdemo_fault_count faults;
	int private_errno;		/* 0: MAP_PRIVATE maps copy-on-write */
	enum mmapdemo_fault_count fork_child_faults; /* child touching all */
	int grow_errno;			/* 0: grows, SIGBUS past the file's end */
	int move_errno;			/* mremap() to a new address */
	int split_errno;		/* munmap() of a middle page */
	int mprotect_errno;		/* PROT_READ mapping made writable */
	int dontneed_errno;		/* 0: data kept, each page re-faults */
	int gup_errno;			/* process_vm_readv(), vmsplice(), O_DIRECT */
	unsigned int vm_flags;		/* MMAPDEMO_VMF_* set, the others clear */
	int dodump_errno;		/* MADV_DODUMP; dd means no core dump */
	bool pages_inserted_exact;	/* equals pages touched, even in races */
};

static const struct mmapdemo_semantics mmapdemo_semantics[] = {
"""

TAIL = """\
};

#endif /* _MMAPDEMO_SEMANTICS_H */
"""


# The bad-input table: "strategies" cell -> (C scope, semantics field whose
# cell selects the strategies, whether a refusal (errno) or the success
# word selects them, a VmFlags constant the strategies must have too). The
# answer of a row selected by a field alone must be that field's cell.
BAD_HEADING = ["input", "what is done", "answer", "strategies"]
BAD_SCOPES = {
    "all": ("MMAPDEMO_BAD_SCOPE_ALL", None, None, None),
    "buffer": ("MMAPDEMO_BAD_SCOPE_BUFFER", None, None, None),
    "per-mapping": ("MMAPDEMO_BAD_SCOPE_PER_MAPPING", None, None, None),
    "MAP_PRIVATE refused": ("MMAPDEMO_BAD_SCOPE_PRIVATE_REFUSED",
                            "private_errno", True, None),
    "mremap grow refused": ("MMAPDEMO_BAD_SCOPE_GROW_REFUSED", "grow_errno", True, None),
    "mremap grow allowed": ("MMAPDEMO_BAD_SCOPE_GROW_ALLOWED", "grow_errno", False, None),
    "mremap grow allowed, VM_MIXEDMAP": ("MMAPDEMO_BAD_SCOPE_GROW_ALLOWED_MM",
                                         "grow_errno", False, "MMAPDEMO_VMF_MM"),
}
# Answers that are neither an errno nor a signal: the call's success.
BAD_SUCCESS = ["allowed", "end of file"]
SIGNALS = ["SIGBUS", "SIGSEGV"]
INPUT_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def plain(cell):
    """A cell as a C string literal's contents: no reST markup."""
    text = cell.replace("``", "")
    if "`" in text or "\\" in text or '"' in text:
        raise TableError("no backquotes, backslashes or double quotes in %r" % cell)
    return text


def render_bad(rows, semantics):
    """The bad-input header, checked against the semantics table."""
    if not rows or rows[0] != BAD_HEADING:
        raise TableError("the heading row of the bad-input table must be: %s"
                         % " | ".join(BAD_HEADING))
    ids, entries = [], []
    for row in rows[1:]:
        if len(row) != len(BAD_HEADING):
            raise TableError("bad input %s has %d cells, expected %d"
                             % (row[0], len(row), len(BAD_HEADING)))
        name, what, answer, scope = row
        where = "bad input %s" % name
        if not INPUT_NAME.match(name):
            raise TableError("%s: an input is lower-case words joined by '-'" % where)
        ident = "MMAPDEMO_BAD_" + name.upper().replace("-", "_")
        if ident in ids:
            raise TableError("%s: two rows of that name" % where)
        ids.append(ident)
        if scope not in BAD_SCOPES:
            raise TableError("%s: strategies %r: expected one of %s"
                             % (where, scope, ", ".join(map(repr, BAD_SCOPES))))
        if ERRNO.match(answer):
            err, sig = answer, "0"
        elif answer in SIGNALS:
            err, sig = "0", answer
        elif answer in BAD_SUCCESS:
            err, sig = "0", "0"
        else:
            raise TableError("%s: answer %r: expected an errno name, %s or %s"
                             % (where, answer, " or ".join(SIGNALS),
                                " or ".join(map(repr, BAD_SUCCESS))))
        c_scope, field, refused, flag = BAD_SCOPES[scope]
        if field:
            chosen = [n for n, v in semantics.items()
                      if (v[field] != "0") == refused and
                      (not flag or flag in v["vm_flags"].split(" | "))]
            if not chosen:
                raise TableError("%s: the semantics table has no strategy where %s"
                                 % (where, scope))
            for strategy in chosen if not flag else []:
                cell = semantics[strategy][field]
                # Growth allowed means SIGBUS past the end in that table.
                expected = cell if refused else "SIGBUS"
                if answer != expected:
                    raise TableError("%s: answer %s, but the semantics table says %s "
                                     "for %s" % (where, answer, expected, strategy))
        entries.append("\t{\n"
                       "\t\t.id = %s,\n"
                       "\t\t.name = \"%s\",\n"
                       "\t\t.what = \"%s\",\n"
                       "\t\t.scope = %s,\n"
                       "\t\t.answer_errno = %s,\n"
                       "\t\t.answer_signal = %s,\n"
                       "\t},\n" % (ident, name, plain(what), c_scope, err, sig))
    out = [BAD_HEAD]
    for ident in ids:
        out.append("\t%s,\n" % ident)
    out.append(BAD_MIDDLE)
    out.extend(entries)
    out.append(BAD_TAIL)
    text = "".join(out)
    for number, line in enumerate(text.splitlines(), 1):
        if len(line.expandtabs(8)) > MAX_LINE:
            raise TableError("%s line %d would be longer than %d columns: shorten "
                             "the cell" % (os.path.basename(BAD_HEADER), number,
                                           MAX_LINE))
    return text


BAD_HEAD = """\
/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bad-input table of Documentation/misc-devices/mmapdemo.rst, in C.
 *
 * Generated from that table (mmapdemo's scripts/gen-semantics.py): change
 * the table and regenerate, never this file alone. The kselftest
 * (tools/testing/selftests/mmapdemo) includes it and tries every row on
 * every strategy the row applies to. It is plain C that C++ also accepts,
 * and it only uses errno and signal names.
 */

#ifndef _MMAPDEMO_BAD_INPUT_H
#define _MMAPDEMO_BAD_INPUT_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/signal.h>
#else
#include <errno.h>
#include <signal.h>
#endif

/* The strategies a row applies to (the "strategies" column). */
enum mmapdemo_bad_scope {
	MMAPDEMO_BAD_SCOPE_ALL,			/* "all" */
	MMAPDEMO_BAD_SCOPE_BUFFER,		/* "buffer": the file has a buffer */
	MMAPDEMO_BAD_SCOPE_PER_MAPPING,		/* "per-mapping": owned, prefault */
	MMAPDEMO_BAD_SCOPE_PRIVATE_REFUSED,	/* semantics: MAP_PRIVATE refused */
	MMAPDEMO_BAD_SCOPE_GROW_REFUSED,	/* semantics: mremap grow refused */
	MMAPDEMO_BAD_SCOPE_GROW_ALLOWED,	/* semantics: mremap grow allowed */
	MMAPDEMO_BAD_SCOPE_GROW_ALLOWED_MM,	/* the same, and VmFlags mm */
};

/* One name per row (the "input" column), in the table's order. */
enum mmapdemo_bad_input_id {
"""

BAD_MIDDLE = """\
};

/*
 * One row. With neither an errno nor a signal the call succeeds: the
 * table's "allowed", or "end of file" (read() returns 0).
 */
struct mmapdemo_bad_input {
	enum mmapdemo_bad_input_id id;
	const char *name;		/* the "input" column */
	const char *what;		/* the "what is done" column */
	enum mmapdemo_bad_scope scope;
	int answer_errno;		/* the call fails with it; 0 if it does not */
	int answer_signal;		/* the access raises it; 0 if none */
};

static const struct mmapdemo_bad_input mmapdemo_bad_inputs[] = {
"""

BAD_TAIL = """\
};

#endif /* _MMAPDEMO_BAD_INPUT_H */
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the checked-in header instead of writing it")
    args = parser.parse_args()
    try:
        rows = read_table(DOC, CAPTION)
        outputs = [(HEADER, render(rows)),
                   (BAD_HEADER, render_bad(read_table(DOC, BAD_CAPTION),
                                           semantics_rows(rows)))]
    except (TableError, OSError) as err:
        print("gen-semantics: %s" % err, file=sys.stderr)
        print("gen-semantics: fix the table in %s" % os.path.relpath(DOC, REPO),
              file=sys.stderr)
        return 2
    status = 0
    for header, text in outputs:
        rel = os.path.relpath(header, REPO)
        if args.check:
            try:
                with open(header, encoding="utf-8") as f:
                    current = f.read()
            except OSError:
                current = ""
            if current != text:
                print("gen-semantics: %s is out of date with the table in %s; run "
                      "scripts/gen-semantics.py and commit the result"
                      % (rel, os.path.relpath(DOC, REPO)), file=sys.stderr)
                status = 1
            else:
                print("gen-semantics: %s matches the documentation's table" % rel)
            continue
        with open(header, "w", encoding="utf-8") as f:
            f.write(text)
        print("gen-semantics: wrote %s" % rel)
    return status


if __name__ == "__main__":
    sys.exit(main())
