#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Copy the sources as they are into the build tree, for the daily loop.

scripts/apply.sh builds the tree from patches/, which scripts/gen-patches.sh
makes from the sources: right for a test run, but ~20 s per edit. This
copies drivers-misc-mmapdemo/, kunit/, selftests/ and Documentation/ to
where the series puts them (gen-patches.py's own table), only the files
whose bytes differ, so make rebuilds only what was edited. Files the tree
tracks in the driver's and the selftest's folders but the sources no
longer have are removed.

The copy is committed on the tree's detached HEAD ("dev-sync"), so the
tree stays clean and scripts/apply.sh later moves it back to the series
with a plain checkout, again touching only the files that differ.

Lines the series adds to existing kernel files (drivers/misc/Kconfig,
Makefile, MAINTAINERS, ...) come from scripts/series/series.json through
patches/: after changing those, run scripts/gen-patches.sh and
scripts/apply.sh.

Usage: dev-sync.py --tree DIR [--state FILE]
Prints the synced files and exits 0; exits 1 with the reason on an error.
"""

import argparse
import filecmp
import importlib.util
import os
import shutil
import subprocess
import sys

SCRIPTS = os.path.dirname(os.path.abspath(__file__))

# The kernel folders that hold nothing but the series' own files.
OWN_FOLDERS = ("drivers/misc/mmapdemo/", "tools/testing/selftests/mmapdemo/")

# A fixed identity: the commit is local to the cache and never leaves it.
IDENTITY = {
    "GIT_AUTHOR_NAME": "mmapdemo dev-sync",
    "GIT_AUTHOR_EMAIL": "mmapdemo-dev-sync@localhost",
    "GIT_COMMITTER_NAME": "mmapdemo dev-sync",
    "GIT_COMMITTER_EMAIL": "mmapdemo-dev-sync@localhost",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "LC_ALL": "C",
}


def load_generator():
    """gen-patches.py, for its source list and landing table."""
    spec = importlib.util.spec_from_file_location(
        "gen_patches", os.path.join(SCRIPTS, "gen-patches.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def git(tree, *args):
    env = dict(os.environ)
    env.update(IDENTITY)
    proc = subprocess.run(["git", "-C", tree, *args], env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("git %s failed in %s:\n%s" % (" ".join(args), tree, proc.stderr))
    return proc.stdout


def sync(tree):
    """Copy what differs, remove what went; return the changed tree paths."""
    top = subprocess.run(["git", "-C", tree, "rev-parse", "--show-toplevel"],
                         capture_output=True, text=True, check=False).stdout.strip()
    if not top or os.path.realpath(top) != os.path.realpath(tree):
        raise RuntimeError("%s is not the top of a git tree: give the build tree "
                           "scripts/apply.sh made" % tree)
    gen = load_generator()
    changed = []
    wanted = set()
    for src in gen.source_files():
        dest = gen.landing_path(src)
        wanted.add(dest)
        src_path = os.path.join(gen.REPO, src)
        dest_path = os.path.join(tree, dest)
        if os.path.isfile(dest_path) and filecmp.cmp(src_path, dest_path, shallow=False):
            continue
        os.makedirs(os.path.dirname(dest_path), exist_ok=True)
        shutil.copyfile(src_path, dest_path)
        shutil.copymode(src_path, dest_path)
        changed.append(dest)
    tracked = git(tree, "ls-files", "-z", "--", *OWN_FOLDERS).split("\0")
    for path in filter(None, tracked):
        if path not in wanted and os.path.exists(os.path.join(tree, path)):
            os.unlink(os.path.join(tree, path))
            changed.append(path)
    return changed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--tree", required=True, help="the build tree (scripts/apply.sh's)")
    parser.add_argument("--state", help="file to record the synced commit in")
    args = parser.parse_args()
    try:
        changed = sync(args.tree)
        if changed:
            # -f: Debian's tree ignores everything at its top ("/*").
            git(args.tree, "add", "-f", "-A", "--", *changed)
            git(args.tree, "commit", "-q", "--no-verify", "-m",
                "dev-sync: the mmapdemo sources as they are\n\n" + "\n".join(changed))
        head = git(args.tree, "rev-parse", "HEAD").strip()
        if args.state:
            with open(args.state, "w", encoding="utf-8") as state:
                state.write("dev-sync %s\n" % head)
    except (RuntimeError, OSError) as err:
        print("dev-sync: %s" % err, file=sys.stderr)
        return 1
    for path in changed:
        print("synced %s" % path)
    print("dev-sync: %d file(s) changed; tree at %s" % (len(changed), head[:12]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
