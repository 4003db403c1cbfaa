#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Draw one figure per strategy for the driver's documentation.

Each figure, Documentation/misc-devices/mmapdemo-<strategy>.dot, is a
storyboard of a three-page file in six panels: after open(), after mmap()
of the whole file, after the first touch of page 0, after fork(), after
the parent's munmap() and both close()s, and after the child exits. Each
panel shows what exists then: the file descriptors, the VMAs and their
page-table entries, the open file with its buffer (or each mapping with
its own pages), and which entry points at which page.

What the tests check comes from the semantics table of the same document
(when entries are filled in, whether fork() copies them, whether they are
PFNs without a page reference); what they do not check, where the pages
live and when they are allocated, is STRATEGIES below, taken from each
strategy's source file. The kernel's Sphinx extension kfigure renders the
files with Graphviz's dot(1) when `make htmldocs` runs.

Usage:
  gen-figures.py            write the figures
  gen-figures.py --check    exit 1 if a figure is not what this script gives
"""

import argparse
import importlib.util
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC_DIR = os.path.join(REPO, "Documentation", "misc-devices")
PAGES = 3
TOUCHED = 0

_spec = importlib.util.spec_from_file_location(
    "gen_semantics", os.path.join(REPO, "scripts", "gen-semantics.py"))
semantics = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(semantics)

# Where each strategy keeps its pages and when it allocates them:
#   owner:     "file" (one buffer per open file, shared by every mapping)
#              or "mapping" (pages of each mmap(), shared only by the VMAs
#              split, moved or forked from it)
#   allocated: "open" (with the file, zeroed), "fault" (on the first
#              fault of each page, zeroed) or "mmap" (by mmap() itself)
#   buffer:    how the kernel side holds them
STRATEGIES = {
    "remap": dict(owner="file", allocated="open",
                  buffer="one physically contiguous block"),
    "insert": dict(owner="file", allocated="open", buffer="an array of pages"),
    "lazy": dict(owner="file", allocated="fault",
                 buffer="an array of slots, empty until a fault"),
    "vmfpage": dict(owner="file", allocated="open", buffer="an array of pages"),
    "owned": dict(owner="mapping", allocated="fault",
                  buffer="pages of this mapping, none until a fault"),
    "prefault": dict(owner="mapping", allocated="mmap",
                     buffer="pages of this mapping, all allocated by mmap()"),
    "batch": dict(owner="file", allocated="open", buffer="an array of pages"),
    "pfn": dict(owner="file", allocated="open", buffer="an array of pages"),
    "vmalloc": dict(owner="file", allocated="open",
                    buffer="one vmalloc_user() area"),
}

STAGES = [
    "open()",
    "mmap() of the 3 pages",
    "first touch of page 0",
    "fork()",
    "parent: munmap(); both: close()",
    "child exits",
]

MAPPED = "#9ecae1"      # a page-table entry that maps something
EMPTY = "#ffffff"       # an entry not filled in
PAGE = "#a1d99b"        # an allocated, zeroed page
HOLE = "#eeeeee"        # a slot without a page yet
FREED = "#fcbba1"       # what the last stage freed
FONT = 'fontname="Helvetica" fontsize=10'


class State:
    """What exists at one stage, for one strategy."""

    def __init__(self):
        self.fds = 0
        self.vmas = []          # [(name, [None | "page" | "pfn"] * PAGES)]
        self.file = False
        self.pages = [False] * PAGES
        self.mapping = False    # the per-mapping object (owner "mapping")
        self.freed = False

    def copy(self):
        other = State()
        other.fds, other.file, other.mapping = self.fds, self.file, self.mapping
        other.vmas = [(name, list(ptes)) for name, ptes in self.vmas]
        other.pages = list(self.pages)
        return other


def storyboard(name, row):
    """The six states of strategy @name, from its semantics row."""
    model = STRATEGIES[name]
    entry = "pfn" if "MMAPDEMO_VMF_PF" in row["vm_flags"] else "page"
    faults = row["faults"]
    by_file = model["owner"] == "file"

    s = State()
    s.fds, s.file = 1, True
    if by_file and model["allocated"] == "open":
        s.pages = [True] * PAGES
    states = [s]

    s = s.copy()
    ptes = [None] * PAGES
    if not by_file:
        s.mapping = True
        if model["allocated"] == "mmap":
            s.pages = [True] * PAGES
    if faults == "MMAPDEMO_FAULTS_NONE":
        ptes = [entry] * PAGES
    s.vmas = [("parent", ptes)]
    states.append(s)

    s = s.copy()
    ptes = s.vmas[0][1]
    if faults == "MMAPDEMO_FAULTS_PER_PAGE":
        ptes[TOUCHED] = entry
        s.pages[TOUCHED] = True
    elif faults == "MMAPDEMO_FAULTS_PER_VMA":
        ptes[:] = [entry] * PAGES
    states.append(s)

    s = s.copy()
    s.fds = 2
    copied = row["fork_child_faults"] == "MMAPDEMO_FAULTS_NONE"
    s.vmas.append(("child", list(ptes) if copied else [None] * PAGES))
    states.append(s)

    s = s.copy()
    s.fds = 0
    s.vmas = s.vmas[1:]
    states.append(s)

    s = State()
    s.freed = True
    states.append(s)
    return states


def esc(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def vma_label(who, ptes):
    rows = []
    for i, pte in enumerate(ptes):
        text = {None: "empty", "page": "page", "pfn": "PFN, no reference"}[pte]
        rows.append('<TR><TD PORT="e%d" BGCOLOR="%s">pte %d: %s</TD></TR>'
                    % (i, EMPTY if pte is None else MAPPED, i, text))
    return ('<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
            '<TR><TD PORT="hdr"><B>%s VMA</B></TD></TR>%s</TABLE>>' % (who, "".join(rows)))


def pages_label(title, subtitle, pages):
    rows = []
    for i, present in enumerate(pages):
        rows.append('<TR><TD PORT="g%d" BGCOLOR="%s">page %d: %s</TD></TR>'
                    % (i, PAGE if present else HOLE, i,
                       "zeroed" if present else "none yet"))
    return ('<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
            '<TR><TD PORT="hdr"><B>%s</B><BR/>%s</TD></TR>%s</TABLE>>'
            % (title, esc(subtitle), "".join(rows)))


def captions(name, row):
    """What each panel shows, in words, for strategy @name."""
    model = STRATEGIES[name]
    faults = row["faults"]
    if model["owner"] == "mapping":
        opened = "no pages: each mmap() gets its own"
    elif model["allocated"] == "fault":
        opened = "no pages yet: each is allocated on its first fault"
    else:
        opened = "the buffer's pages allocated and zeroed"
    if faults == "MMAPDEMO_FAULTS_NONE":
        mapped = "mmap() fills in every entry"
        touched = "no fault: page 0 was mapped already"
    else:
        mapped = "nothing mapped yet"
        touched = ("1 fault maps page 0" if faults == "MMAPDEMO_FAULTS_PER_PAGE"
                   else "1 fault maps all 3 pages")
    if model["allocated"] == "mmap":
        mapped = "mmap() allocates every page and maps it"
    if row["fork_child_faults"] == "MMAPDEMO_FAULTS_NONE":
        forked = "the entries are copied"
    else:
        forked = "the child's entries are empty: it faults again"
    return [opened, mapped, touched, forked,
            "the child's VMA keeps the file open",
            "the last VMA is gone"]


def panel(out, index, name, state, caption):
    model = STRATEGIES[name]
    p = "s%d" % index
    out.append('\tsubgraph cluster_%s {\n' % p)
    out.append('\t\tlabel="%d. %s: %s"; labeljust=l; style=rounded; color="#999999";\n'
               % (index + 1, esc(STAGES[index]), esc(caption)))
    tops = []
    if state.fds:
        out.append('\t\t%s_fd [shape=box, style=rounded, label="%s"];\n'
                   % (p, "fd" if state.fds == 1 else "fd, parent and child"))
        tops.append("%s_fd" % p)
    for who, ptes in state.vmas:
        out.append("\t\t%s_%s [shape=plain, label=%s];\n"
                   % (p, who, vma_label(who, ptes)))
        tops.append("%s_%s" % (p, who))
    if state.freed:
        out.append('\t\t%s_gone [shape=box, style="rounded,filled", '
                   'fillcolor="%s", label="file released,\\nevery page freed"];\n'
                   % (p, FREED))
        out.append("\t}\n")
        return "%s_gone" % p, "%s_gone" % p
    if not tops:
        out.append('\t\t%s_none [shape=plaintext, label="no fd, no VMA"];\n' % p)
        tops.append("%s_none" % p)

    if model["owner"] == "file":
        out.append("\t\t%s_file [shape=plain, label=%s];\n"
                   % (p, pages_label("open file and its buffer", model["buffer"],
                                     state.pages)))
        target = "%s_file" % p
    else:
        out.append('\t\t%s_file [shape=box, label="open file\\n(a size, no pages)"];\n'
                   % p)
        target = "%s_map" % p
        if state.mapping:
            out.append("\t\t%s_map [shape=plain, label=%s];\n"
                       % (p, pages_label("mapping object", model["buffer"],
                                         state.pages)))
        else:
            target = None
    hdr = ":hdr" if model["owner"] == "file" else ""
    if state.fds:
        out.append("\t\t%s_fd -> %s_file%s;\n" % (p, p, hdr))
    for who, ptes in state.vmas:
        out.append('\t\t%s_%s:hdr -> %s_file%s [style=dotted, label="vm_file"];\n'
                   % (p, who, p, hdr))
        if target and target.endswith("_map"):
            out.append('\t\t%s_%s:hdr -> %s:hdr [style=dotted, label="vm_private_data"];\n'
                       % (p, who, target))
        for i, pte in enumerate(ptes):
            if pte is None:
                continue
            style = "dashed" if pte == "pfn" else "solid"
            out.append("\t\t%s_%s:e%d:e -> %s:g%d:w [style=%s];\n"
                       % (p, who, i, target, i, style))
    if not state.fds and not state.vmas:
        out.append("\t\t%s_none -> %s_file [style=invis];\n" % (p, p))
    out.append("\t}\n")
    return tops[0], "%s_file" % p


def figure(name, row):
    out = ["/* SPDX-License-Identifier: GPL-2.0 */\n",
           "/*\n",
           " * What exists at each step of a mapping of /dev/mmapdemo-%s.\n" % name,
           " * Generated by mmapdemo's scripts/gen-figures.py from the semantics\n",
           " * table of mmapdemo.rst: change the table or the script and\n",
           " * regenerate, never this file alone.\n",
           " */\n",
           "digraph mmapdemo_%s {\n" % name,
           "\tgraph [%s, rankdir=LR, nodesep=0.15, ranksep=0.6];\n" % FONT,
           "\tnode [%s];\n" % FONT,
           "\tedge [fontname=\"Helvetica\" fontsize=8, arrowsize=0.6];\n"]
    states = storyboard(name, row)
    words = captions(name, row)
    # dot stacks the clusters of a left-to-right graph from the bottom up.
    for index in reversed(range(len(states))):
        panel(out, index, name, states[index], words[index])
    out.append("}\n")
    return "".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only compare; exit 1 if a figure differs")
    args = parser.parse_args()
    try:
        rows = semantics.read_table(semantics.DOC, semantics.CAPTION)
        table = semantics.semantics_rows(rows)
    except semantics.TableError as err:
        sys.exit("gen-figures.py: %s" % err)
    if sorted(table) != sorted(STRATEGIES):
        sys.exit("gen-figures.py: the semantics table has %s, the script knows %s"
                 % (sorted(table), sorted(STRATEGIES)))
    stale = []
    for name, row in table.items():
        path = os.path.join(DOC_DIR, "mmapdemo-%s.dot" % name)
        text = figure(name, row)
        if args.check:
            try:
                with open(path, encoding="utf-8") as f:
                    current = f.read()
            except FileNotFoundError:
                current = None
            if current != text:
                stale.append(os.path.relpath(path, REPO))
            continue
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    if stale:
        sys.exit("gen-figures.py: out of date: %s; run scripts/gen-figures.py"
                 % " ".join(stale))


if __name__ == "__main__":
    main()
