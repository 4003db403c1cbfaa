#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn drivers-misc-mmapdemo/, kunit/, selftests/, Documentation/ into patches/.

With --kernel 6.12 it writes patches-6.12/ instead: the same sources and
scripts/series/, copied to a temporary folder with the delta of
backport/6.12/*.patch applied (in name order), give the 6.12 LTS series.
The delta is the only 6.12-specific text: the driver is never copied.
--backport-tree DIR writes that patched copy as a git repository, for
editing; --backport-save DIR turns its changes back into the delta.

The source folders hold the final state of every file. The series in
scripts/series/series.json says which patch introduces what: the files it
adds, the lines it adds to existing kernel files, and the "features" it
brings in. A feature is a set of patterns; until the patch that brings a
feature in, lines (or, where the rule says so, blank-line separated
paragraphs) matching its patterns are left out of the files. That is how
one final core.c yields the core patch with only the first strategy and a
later patch per strategy.

The commits are built with git plumbing on a temporary index of the base
tree (no checkout), with fixed identity and dates, then exported with
`git format-patch`, so the same sources give byte-identical patches on any
machine.

Usage:
  gen-patches.py --base-tree DIR [--base REV] [--out DIR]   write the series
  gen-patches.py --base-tree DIR [--base REV] --check        compare with patches/
  gen-patches.py --kernel 6.12 --base-tree DIR ...           the same for patches-6.12/
  gen-patches.py --kernel 6.12 --backport-tree DIR           sources + delta, to edit
  gen-patches.py --kernel 6.12 --backport-save DIR           DIR's changes -> the delta
  gen-patches.py --base-tree DIR --author "NAME <EMAIL>" --out DIR
                                    the series as NAME's own: author, sign-off,
                                    MAINTAINERS entry

--author makes the series one person's to submit: that person is the
author of every patch and the maintainer in MAINTAINERS, and every patch
ends with their Signed-off-by: after the Assisted-by: trailer. The
default series, patches/, is nobody's: it has no Signed-off-by:, because
only the person who submits it can certify its origin
(Documentation/process/coding-assistants.rst), so --author needs an --out
of its own. In scripts/series/cover.msg a paragraph that starts with
"[unsigned] " is kept only in the default series, one that starts with
"[signed] " only in a series with --author.
"""

import argparse
import contextlib
import difflib
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Where the sources are read from: the repository, or for a backport a
# temporary copy with the delta applied (use_sources()).
SRC = REPO
SERIES_DIR = os.path.join(SRC, "scripts", "series")

# What a backport delta may change: the sources and the series description.
SOURCE_TOPS = ("drivers-misc-mmapdemo", "kunit", "selftests", "Documentation")
DELTA_TOPS = SOURCE_TOPS + ("scripts/series",)

# Where each source folder lands in the kernel tree, most specific first.
LANDING = [
    ("drivers-misc-mmapdemo/include/", "include/"),
    ("drivers-misc-mmapdemo/", "drivers/misc/mmapdemo/"),
    ("kunit/.kunitconfig", "drivers/misc/mmapdemo/.kunitconfig"),
    ("kunit/", "drivers/misc/mmapdemo/tests/"),
    ("selftests/", "tools/testing/selftests/mmapdemo/"),
    ("Documentation/", "Documentation/"),
]

# Fixed identity and time: the commit hashes, and so the patches, depend on
# nothing but the sources and the base tree.
IDENTITY = {
    "GIT_AUTHOR_NAME": "mmapdemo developers",
    "GIT_AUTHOR_EMAIL": "mmapdemo@example.org",
    "GIT_COMMITTER_NAME": "mmapdemo developers",
    "GIT_COMMITTER_EMAIL": "mmapdemo@example.org",
}
EPOCH = 1764028800  # 2025-11-25 00:00:00 UTC; one minute more per patch
# The maintainer line of MAINTAINERS in the default series; --author
# replaces it with the author's.
DEFAULT_MAINTAINER = "M:\t%s <%s>" % (IDENTITY["GIT_AUTHOR_NAME"], IDENTITY["GIT_AUTHOR_EMAIL"])
AUTHOR = re.compile(r"^([^<>\n]*[^<>\s])\s+<([^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)>$")

# The user's and the system's git configuration must not change the output
# (format.signoff, diff.noprefix, format.thread with its message ids, ...).
GIT_ENV_CLEAN = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                 "LC_ALL": "C", "TZ": "UTC"}


class SeriesError(Exception):
    """A problem with the series description or the sources: say what."""


def git(tree, *args, env=None, stdin=None, text=True):
    full_env = dict(os.environ)
    full_env.update(GIT_ENV_CLEAN)
    if env:
        full_env.update(env)
    proc = subprocess.run(["git", "-C", tree, *args], input=stdin, env=full_env,
                          capture_output=True, text=text)
    if proc.returncode != 0:
        raise SeriesError("git %s failed:\n%s" % (" ".join(args), proc.stderr))
    return proc.stdout


def landing_path(src):
    for prefix, dest in LANDING:
        if src == prefix or (prefix.endswith("/") and src.startswith(prefix)):
            return dest + src[len(prefix):] if prefix.endswith("/") else dest
    raise SeriesError("no landing place for %s" % src)


def source_files():
    """Every file of the source folders, as repository paths."""
    found = []
    for top in SOURCE_TOPS:
        for root, dirs, files in os.walk(os.path.join(SRC, top)):
            dirs.sort()
            for name in sorted(files):
                found.append(os.path.relpath(os.path.join(root, name), SRC))
    return found


def paragraphs(lines):
    """Split into runs of lines separated by blank lines (kept with the run before)."""
    runs, run = [], []
    for line in lines:
        run.append(line)
        if not line.strip():
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def filter_text(path, text, hidden_rules):
    """Leave out what belongs to features not brought in yet."""
    lines = text.splitlines(keepends=True)
    for rule in hidden_rules:
        if not fnmatch.fnmatch(path, rule["files"]):
            continue
        pattern = re.compile(rule["pattern"])
        if rule.get("scope") == "paragraph":
            kept = []
            for run in paragraphs(lines):
                if not any(pattern.search(line) for line in run):
                    kept.extend(run)
            lines = kept
        else:
            lines = [line for line in lines if not pattern.search(line)]
    text_out = "".join(lines)
    # Dropping the last lines of a file must not leave blank lines at its end.
    if text_out.endswith("\n\n") and not text.endswith("\n\n"):
        text_out = text_out.rstrip("\n") + "\n"
    return text_out


def apply_edit(text, edit, path):
    """Add edit["line"] (or the list edit["lines"]) to an existing kernel
    file, next to a unique anchor."""
    anchor = re.compile(edit["anchor"])
    lines = text.splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if anchor.search(line)]
    if len(hits) != 1:
        raise SeriesError("%s: anchor %r matches %d lines, not 1; adjust "
                          "scripts/series/series.json" % (path, edit["anchor"], len(hits)))
    at = hits[0] + (1 if edit.get("where", "after") == "after" else 0)
    added = edit["lines"] if "lines" in edit else [edit["line"]]
    lines[at:at] = [line + "\n" for line in added]
    return "".join(lines)


def parse_author(text):
    """(name, email) of "NAME <EMAIL>", or a SeriesError saying what is wrong."""
    found = AUTHOR.match(text or "")
    if not found:
        raise SeriesError("--author %r: expected \"Full Name <address@example.org>\"" % text)
    return found.group(1), found.group(2)


def load_series(author=None):
    with open(os.path.join(SERIES_DIR, "series.json"), encoding="utf-8") as f:
        series = json.load(f)
    series["author"] = author
    if author:
        # The author maintains what they submit.
        for patch in series["patches"]:
            for edit in patch.get("edits", []):
                lines = edit.get("lines")
                if lines and DEFAULT_MAINTAINER in lines:
                    edit["lines"] = ["M:\t%s <%s>" % author if line == DEFAULT_MAINTAINER
                                     else line for line in lines]
    every_file = source_files()
    claimed = {}
    for patch in series["patches"]:
        # A folder (ending in "/") stands for every file below it.
        expanded = []
        for entry in patch.get("files", []):
            if entry.endswith("/"):
                expanded.extend(src for src in every_file if src.startswith(entry))
            else:
                expanded.append(entry)
        patch["files"] = expanded
        for src in expanded:
            if src in claimed:
                raise SeriesError("%s is added by two patches" % src)
            claimed[src] = patch["slug"]
    unclaimed = [src for src in every_file if src not in claimed]
    missing = [src for src in claimed if not os.path.exists(os.path.join(SRC, src))]
    if unclaimed:
        raise SeriesError("files no patch adds (list them in series.json): %s"
                          % ", ".join(unclaimed))
    if missing:
        raise SeriesError("series.json names missing files: %s" % ", ".join(missing))
    return series


def read_message(slug):
    with open(os.path.join(SERIES_DIR, slug + ".msg"), encoding="utf-8") as f:
        return f.read().strip() + "\n"


def identity_of(series):
    """The git identity of the series: the fixed one, or its --author's."""
    identity = dict(IDENTITY)
    if series["author"]:
        name, email = series["author"]
        identity.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email,
                        GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)
    return identity


def signoff_of(series):
    """The line the --author adds after the trailer; nothing without one."""
    return "\nSigned-off-by: %s <%s>" % series["author"] if series["author"] else ""


def build_commits(tree, base, series):
    """Create the series as commits on top of base; return the last hash."""
    features = {f["name"]: f["rules"] for f in series["features"]}
    index = tempfile.NamedTemporaryFile(prefix="mmapdemo-index-", delete=False)
    index.close()
    env = {"GIT_INDEX_FILE": index.name}
    try:
        git(tree, "read-tree", base, env=env)
        parent = base
        brought_in = set()
        edited = {}
        trailer = series["trailer"] + signoff_of(series)
        identity = identity_of(series)
        for number, patch in enumerate(series["patches"], start=1):
            brought_in.update(patch.get("features", []))
            hidden = [rule for name, rules in features.items()
                      if name not in brought_in for rule in rules]
            # Every file added so far is re-rendered: a new feature may add
            # lines to files of earlier patches.
            added_so_far = [src for p in series["patches"][:number]
                            for src in p.get("files", [])]
            for src in added_so_far:
                with open(os.path.join(SRC, src), encoding="utf-8") as f:
                    text = filter_text(src, f.read(), hidden)
                dest = landing_path(src)
                mode = "100755" if os.access(os.path.join(SRC, src), os.X_OK) else "100644"
                blob = git(tree, "hash-object", "-w", "--stdin", stdin=text).strip()
                git(tree, "update-index", "--add", "--cacheinfo",
                    "%s,%s,%s" % (mode, blob, dest), env=env)
            for edit in patch.get("edits", []):
                path = edit["path"]
                if path not in edited:
                    edited[path] = git(tree, "show", "%s:%s" % (base, path))
                edited[path] = apply_edit(edited[path], edit, path)
                blob = git(tree, "hash-object", "-w", "--stdin", stdin=edited[path]).strip()
                git(tree, "update-index", "--add", "--cacheinfo",
                    "100644,%s,%s" % (blob, path), env=env)
            tree_hash = git(tree, "write-tree", env=env).strip()
            when = "@%d +0000" % (EPOCH + 60 * number)
            message = read_message(patch["slug"]) + "\n" + trailer + "\n"
            commit_env = dict(identity, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
            parent = git(tree, "commit-tree", tree_hash, "-p", parent,
                         env=commit_env, stdin=message).strip()
        return parent
    finally:
        os.unlink(index.name)


def cover_blurb(text, signed):
    """The cover letter's text for a signed or the unsigned series."""
    kept = []
    for paragraph in text.split("\n\n"):
        if paragraph.startswith("[signed] "):
            if signed:
                kept.append(paragraph[len("[signed] "):])
        elif paragraph.startswith("[unsigned] "):
            if not signed:
                kept.append(paragraph[len("[unsigned] "):])
        else:
            kept.append(paragraph)
    return "\n\n".join(kept)


def format_series(tree, base, head, series, out):
    os.makedirs(out, exist_ok=True)
    git(tree, "format-patch", "--quiet", "--cover-letter", "--zero-commit",
        "--no-signature", "--abbrev=12", "--base=%s" % base, "--subject-prefix=PATCH",
        "-o", out, "%s..%s" % (base, head),
        env=dict(identity_of(series), GIT_COMMITTER_DATE="@%d +0000" % EPOCH))
    cover_path = [os.path.join(out, n) for n in os.listdir(out)
                  if n.startswith("0000-")][0]
    with open(cover_path, encoding="utf-8") as f:
        cover = f.read()
    with open(os.path.join(SERIES_DIR, "cover.msg"), encoding="utf-8") as f:
        subject, _, blurb = f.read().strip().partition("\n\n")
    blurb = cover_blurb(blurb, bool(series["author"]))

    if "*** SUBJECT HERE ***" not in cover or "*** BLURB HERE ***" not in cover:
        raise SeriesError("git format-patch wrote an unexpected cover letter")
    cover = cover.replace("*** SUBJECT HERE ***", subject)
    cover = cover.replace("*** BLURB HERE ***",
                          blurb.rstrip() + "\n\n" + series["trailer"] + signoff_of(series))
    with open(cover_path, "w", encoding="utf-8") as f:
        f.write(cover)


def generate(tree, base, out, author=None):
    series = load_series(author)
    base = git(tree, "rev-parse", "--verify", base + "^{commit}").strip()
    head = build_commits(tree, base, series)
    format_series(tree, base, head, series, out)
    return head


def comparable(text):
    # The base-commit line names the hash of the base tree's import: it moves
    # if Debian's linux-source-7.3 moves, while the patches themselves do not.
    return [line for line in text.splitlines(keepends=True)
            if not line.startswith("base-commit: ")]


def check(tree, base, patches_dir):
    scratch = tempfile.mkdtemp(prefix="mmapdemo-patches-")
    shown = os.path.basename(os.path.normpath(patches_dir))
    try:
        generate(tree, base, scratch)
        want = sorted(os.listdir(scratch))
        have = sorted(n for n in os.listdir(patches_dir) if n.endswith(".patch")) \
            if os.path.isdir(patches_dir) else []
        problems = []
        for name in sorted(set(want) | set(have)):
            if name not in have:
                problems.append("missing: %s/%s" % (shown, name))
            elif name not in want:
                problems.append("stale: %s/%s (no longer generated)" % (shown, name))
            else:
                with open(os.path.join(scratch, name), encoding="utf-8") as f:
                    new = comparable(f.read())
                with open(os.path.join(patches_dir, name), encoding="utf-8") as f:
                    old = comparable(f.read())
                if new != old:
                    diff = "".join(list(difflib.unified_diff(
                        old, new, shown + "/" + name, "generated/" + name))[:40])
                    problems.append("differs: %s/%s\n%s" % (shown, name, diff))
        return problems
    finally:
        shutil.rmtree(scratch)


def delta_dir(kernel):
    return os.path.join(REPO, "backport", kernel)


def delta_patches(kernel):
    """The delta's patch files, in the order they are applied."""
    folder = delta_dir(kernel)
    if not os.path.isdir(folder):
        raise SeriesError("no delta for Linux %s: %s does not exist" % (kernel, folder))
    return [os.path.join(folder, n) for n in sorted(os.listdir(folder)) if n.endswith(".patch")]


def copy_sources(dest):
    for top in DELTA_TOPS:
        shutil.copytree(os.path.join(REPO, top), os.path.join(dest, top), symlinks=True)


def apply_delta(kernel, dest):
    """Apply backport/KERNEL/*.patch to the copy of the sources in dest."""
    for patch in delta_patches(kernel):
        rel = os.path.relpath(patch, REPO)
        proc = subprocess.run(["git", "apply", "--check", "--verbose", patch], cwd=dest,
                              capture_output=True, text=True,
                              env=dict(os.environ, **GIT_ENV_CLEAN))
        if proc.returncode == 0:
            proc = subprocess.run(["git", "apply", patch], cwd=dest,
                                  capture_output=True, text=True,
                                  env=dict(os.environ, **GIT_ENV_CLEAN))
        if proc.returncode != 0:
            failed = sorted(set(re.findall(r"patch failed: ([^:\n]+)", proc.stderr)) |
                            set(re.findall(r"error: ([^:\n]+): No such file", proc.stderr)))
            raise SeriesError(
                "the %s delta no longer applies to the sources: %s fails on %s\n%s\n"
                "what to do: the sources changed under the delta. Run\n"
                "  scripts/gen-patches.sh --kernel %s --backport-tree /tmp/bp\n"
                "(it applies what it can and leaves *.rej files), make the 6.12 "
                "version of the rejected hunks by hand in /tmp/bp, then\n"
                "  scripts/gen-patches.sh --kernel %s --backport-save /tmp/bp\n"
                "and regenerate: scripts/gen-patches.sh"
                % (kernel, rel, ", ".join(failed) or "(see git's message)",
                   "\n".join(line for line in proc.stderr.strip().splitlines()
                             if not line.startswith("Checking patch")),
                   kernel, kernel))


@contextlib.contextmanager
def use_sources(kernel):
    """Read the sources from a patched copy while the block runs."""
    global SRC, SERIES_DIR
    if kernel is None:
        yield
        return
    tmp = tempfile.mkdtemp(prefix="mmapdemo-backport-")
    try:
        copy_sources(tmp)
        apply_delta(kernel, tmp)
        SRC, SERIES_DIR = tmp, os.path.join(tmp, "scripts", "series")
        yield
    finally:
        SRC, SERIES_DIR = REPO, os.path.join(REPO, "scripts", "series")
        shutil.rmtree(tmp)


def git_in(tree, *args):
    proc = subprocess.run(["git", *args], cwd=tree, capture_output=True, text=True,
                          env=dict(os.environ, **GIT_ENV_CLEAN, **IDENTITY))
    if proc.returncode != 0:
        raise SeriesError("git %s in %s failed:\n%s" % (" ".join(args), tree, proc.stderr))
    return proc.stdout


def backport_tree(kernel, dest):
    """dest: a git repository whose commit is the sources and whose working
    tree has the delta applied (rejected hunks left in *.rej files)."""
    if os.path.exists(dest):
        raise SeriesError("%s exists; give a new folder" % dest)
    os.makedirs(dest)
    copy_sources(dest)
    git_in(dest, "init", "-q")
    git_in(dest, "add", "-A")
    git_in(dest, "commit", "-q", "-m", "sources of %s" % git_in(REPO, "rev-parse", "HEAD").strip())
    rejected = []
    for patch in delta_patches(kernel):
        proc = subprocess.run(["git", "apply", "--reject", patch], cwd=dest,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            rejected.append(os.path.relpath(patch, REPO))
    print("wrote %s: the sources, with the %s delta applied as uncommitted changes" % (dest, kernel))
    if rejected:
        print("hunks that did not apply are in *.rej files (from %s): redo them by hand"
              % ", ".join(rejected))
    print("then: scripts/gen-patches.sh --kernel %s --backport-save %s" % (kernel, dest))


def backport_save(kernel, tree):
    """Write tree's uncommitted changes as the delta: one patch per folder."""
    folder = delta_dir(kernel)
    leftovers = [line for line in git_in(tree, "status", "--porcelain").splitlines()
                 if line.endswith(".rej") or line.endswith(".orig")]
    if leftovers:
        raise SeriesError("%s still has .rej/.orig files: %s" % (tree, ", ".join(leftovers)))
    git_in(tree, "add", "-A")
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".patch"):
            os.unlink(os.path.join(folder, name))
    # One file per source folder keeps each reviewable; the numbers fix the
    # order they are applied in.
    for number, top in enumerate(DELTA_TOPS, start=1):
        diff = git_in(tree, "diff", "--cached", "--no-color", "--no-ext-diff",
                      "--no-renames", "HEAD", "--", top)
        if diff:
            name = "%02d-%s.patch" % (number, top.replace("/", "-"))
            with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                f.write(diff)
            print("wrote %s" % os.path.relpath(os.path.join(folder, name), REPO))
    git_in(tree, "reset", "-q")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-tree",
                        help="git tree of the base kernel (scripts/kernel-tree.sh)")
    parser.add_argument("--base", default="mmapdemo-base",
                        help="base commit (default: the tag mmapdemo-base)")
    parser.add_argument("--out", default=None,
                        help="where to write the series (default: patches/, "
                        "or patches-KERNEL/ with --kernel)")
    parser.add_argument("--kernel", default=None,
                        help="a backport: 6.12 applies backport/6.12/ to the sources")
    parser.add_argument("--backport-tree", metavar="DIR",
                        help="write the sources with the --kernel delta applied to DIR")
    parser.add_argument("--backport-save", metavar="DIR",
                        help="write DIR's changes as the --kernel delta")
    parser.add_argument("--check", action="store_true",
                        help="only compare the generated series with --out")
    parser.add_argument("--author", metavar='"NAME <EMAIL>"',
                        help="the person who submits the series: its author, "
                        "maintainer and signer (needs an --out of its own)")
    args = parser.parse_args()
    # 7.3 is the sources' own kernel: no delta.
    kernel = None if args.kernel in (None, "7.3") else args.kernel
    if args.out is None:
        args.out = os.path.join(REPO, "patches" + ("-" + kernel if kernel else ""))
    shown = os.path.basename(os.path.normpath(args.out))

    try:
        if args.backport_tree or args.backport_save:
            if not kernel:
                raise SeriesError("--backport-tree and --backport-save need --kernel 6.12")
            if args.backport_tree:
                backport_tree(kernel, os.path.abspath(args.backport_tree))
            else:
                backport_save(kernel, os.path.abspath(args.backport_save))
            return 0
        with use_sources(kernel):
            return run(args, shown)
    except SeriesError as err:
        print("gen-patches: %s" % err, file=sys.stderr)
        return 1


def run(args, shown):
    """Write the series to args.out, or with --check compare it."""
    if not args.base_tree:
        raise SeriesError("--base-tree is needed")
    author = None
    if args.author is not None:
        author = parse_author(args.author)
        committed = [os.path.join(REPO, n) for n in os.listdir(REPO) if n.startswith("patches")]
        if args.check or any(os.path.realpath(args.out) == os.path.realpath(c)
                             for c in committed):
            raise SeriesError("--author writes a series of its own: give it an --out "
                              "outside the repository's patches folders, and no --check")
    if args.check:
        problems = check(args.base_tree, args.base, args.out)
        if problems:
            print("%s/ is out of sync with the sources:" % shown, file=sys.stderr)
            for problem in problems:
                print("  " + problem, file=sys.stderr)
            print("Regenerate it with scripts/gen-patches.sh and commit the result.",
                  file=sys.stderr)
            return 1
        print("%s/ is in sync with the sources" % shown)
        return 0
    for name in os.listdir(args.out) if os.path.isdir(args.out) else []:
        if name.endswith(".patch"):
            os.unlink(os.path.join(args.out, name))
    generate(args.base_tree, args.base, args.out, author)
    print("wrote %s%s" % (args.out, " (author and sign-off: %s <%s>)" % author if author else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
