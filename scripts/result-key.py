#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Print the result cache's key of one test step of scripts/test.sh.

scripts/test.sh does not run a test step again that passed with the same
inputs (like `go test`). This computes that key for one step from exactly
what the step reads: the repository files of its entry in STEPS below,
the tools it runs (by version), the MMAPDEMO_* settings (by the content of
the files they name), KDIR, the host kernel, and, where the step uses
them, the kernel tree it tests (--tree), the base kernel commit (--base)
and the patch series it applies (--series). test.sh asks for the key
before it runs a step, as in

  key=$(scripts/result-key.py kselftest --tree "$WORK_TREE" \
        --base "$BASE_COMMIT" --series "$PATCHES_DIR" -- --fast)

stores it when the step passed, and reports the step from its cache, not
running it, while the key stays the same.

Usage:
  result-key.py STEP [--tree DIR] [--base COMMIT] [--series DIR]
                [--repo DIR] [--explain] [-- ARGS...]

  STEP       the step's label (host-tests, lint, kselftest-debug, ...)
  ARGS       the step's own command line (its options, not the path of
             its command: the key must not depend on where the checkout is)
  --tree     the kernel git tree the step tests (the applied series)
  --base     the base kernel commit
  --series   the patch series folder the step applies (default:
             $MMAPDEMO_PATCHES, else patches/, or patches-6.12/ when
             MMAPDEMO_KERNEL=6.12)
  --repo     the repository (default: the parent of this script's folder)
  --explain  print every input line that went into the key, then the key

--tree, --base and --series may be given for every step: a step's entry
says which of them it uses, the others are ignored.

Output: one line, the key (hex sha256). An empty line means "always run":
a step that is never cached (the cells, see STEPS). Nothing at
all is printed outside a git checkout (test.sh then caches nothing).
Exit status 2, with a message, for an unknown step or a --tree that a step
needs but is missing or not the top of a git tree.

Python 3 standard library only.
"""

import argparse
import concurrent.futures
import dataclasses
import fnmatch
import glob
import hashlib
import os
import re
import shlex
import subprocess
import sys

# ------------------------------------------------------------ the steps --

# What every harness run reads: the scripts test.sh runs before a step
# and around it.
HARNESS = ("scripts/lib.sh", "scripts/deps.sh", "scripts/kernel-tree.sh",
           "scripts/apply.sh", "scripts/test.sh", "scripts/result-key.py")

# What a step that builds or boots a guest kernel reads besides the tree.
GUEST = HARNESS + ("scripts/build.sh", "scripts/vm.sh", "scripts/kernel-log-check.sh",
                   "scripts/kunit.sh", "scripts/kselftest.sh", "scripts/build-check.sh",
                   "scripts/configs/guest*.config", "scripts/configs/debug.config")

# The tools a guest step runs; "qemu", "cross-compilers" and "busybox" are
# those of the step's architecture (see ARCHES).
GUEST_TOOLS = ("gcc", "g++", "gtest", "qemu", "vng", "python3", "cross-compilers", "busybox")


@dataclasses.dataclass(frozen=True)
class Step:
    """One step's inputs besides those every step has (see step_lines())."""
    files: tuple = ()   # globs of repository paths ("*" stays in a folder, "**" crosses them)
    uses: tuple = ()    # of "tree", "base", "series": the pass-through options it reads
    tools: tuple = ()   # names in TOOL_COMMANDS, or the special ones of tool_probes()


# A step that is never cached: the key is empty, the step always runs.
ALWAYS_RUN = None

# Step label patterns (fnmatch) and their inputs; the first match wins.
STEPS = (
    # The series applied with plain git am to a fresh base: nothing but
    # the series, the base commit and git decide it.  test.sh moves the
    # build tree to the series (apply.sh --build-tree) when it is cached.
    ("git-am", Step(
        files=HARNESS,
        uses=("series", "base"),
        tools=("git",))),
    # The cells: test.sh run again for another architecture or kernel,
    # whose own steps are cached by themselves.
    ("arm64", ALWAYS_RUN),
    ("riscv64", ALWAYS_RUN),
    ("kernel-[0-9]*", ALWAYS_RUN),

    ("host-tests", Step(
        # The tests and what they build (selftests/, the headers of kunit/
        # and of the driver), and the scripts they run with what those
        # read: dev-sync.py loads gen-patches.py and copies every source
        # (the driver, kunit/, Documentation/) into a scratch tree, and
        # the experiment's diff must still apply to the driver.
        files=("tests/host/**", "selftests/**", "kunit/**", "drivers-misc-mmapdemo/**",
               "Documentation/**", "scripts/bench-report.py", "scripts/dev-sync.py",
               "scripts/gen-patches.py", "scripts/result-key.py", "scripts/mutants.py",
               "tests/mutants/**", "scripts/experiments/vma-lock-opt-in.diff"),
        # The optional checks read the base tree (KERNEL_SRC).
        uses=("base",),
        # clang++: the Makefile's syntax check of the selftests, where installed.
        tools=("g++", "gcc", "clang++", "gtest", "python3", "git"))),

    ("kernel-log-check", Step(
        files=("scripts/kernel-log-check.sh", "scripts/lib.sh", "tests/host/kernel-logs/**"))),

    ("figures-sync", Step(
        # gen-figures.py draws from the semantics table, read by gen-semantics.py.
        files=("scripts/gen-figures.py", "scripts/gen-semantics.py", "Documentation/**",
               "drivers-misc-mmapdemo/include/**"),
        tools=("python3",))),

    ("semantics-sync", Step(
        # gen-semantics.py checks the table's rows against the UAPI header.
        files=("scripts/gen-semantics.py", "Documentation/**", "kunit/*.h",
               "drivers-misc-mmapdemo/include/**"),
        tools=("python3",))),

    ("patches-sync", Step(
        files=("drivers-misc-mmapdemo/**", "kunit/**", "selftests/**", "Documentation/**",
               "backport/**", "patches/**", "patches-6.12/**", "scripts/gen-patches.sh",
               "scripts/gen-patches.py", "scripts/series/**", "scripts/lib.sh",
               "scripts/kernel-tree.sh"),
        uses=("base",),
        tools=("python3", "git"))),

    ("lint", Step(
        files=HARNESS + ("scripts/lint.sh", "scripts/configs/lint-*.config",
                         # The out-of-tree check builds the driver sources
                         # themselves (for 6.12 with the backport delta
                         # applied by gen-patches.py).
                         "drivers-misc-mmapdemo/**", "backport/**", "scripts/gen-patches.py",
                         "scripts/check-rendered-figures.py"),
        uses=("series", "base"),
        tools=("gcc", "sparse", "coccinelle", "sphinx", "graphviz", "chromium", "python3",
               "perl", "git", "b4"))),

    ("kunit-um", Step(
        files=HARNESS + ("scripts/kunit.sh",),
        uses=("tree",),
        tools=("gcc", "python3"))),

    # The guest steps: KUnit under QEMU and the kselftest, of any
    # architecture and variant.
    ("kunit-*", Step(files=GUEST, uses=("tree",), tools=GUEST_TOOLS)),
    ("kselftest*", Step(files=GUEST, uses=("tree",), tools=GUEST_TOOLS)),

    # It applies the series itself (6.12) or builds the 7.3 work tree the
    # x86_64 cell applied: the series on its base is what it tests.
    ("build-check-*", Step(
        files=GUEST,
        uses=("series", "base"),
        tools=("gcc", "g++", "gtest", "cross-compilers"))),
)


@dataclasses.dataclass(frozen=True)
class Arch:
    qemu: str
    cross_prefix: str = ""     # of the cross compilers; none for the host's
    deb_arch: str = ""         # of the guest's busybox-static; none for the host's


ARCHES = {
    "x86_64": Arch("qemu-system-x86_64"),
    "arm64": Arch("qemu-system-aarch64", "aarch64-linux-gnu-", "arm64"),
    "riscv64": Arch("qemu-system-riscv64", "riscv64-linux-gnu-", "riscv64"),
}

# Tools asked for their version, by the name the table uses.
TOOL_COMMANDS = {
    "gcc": ["gcc", "--version"],
    "g++": ["g++", "--version"],
    "clang++": ["clang++", "--version"],
    "python3": ["python3", "--version"],
    "perl": ["perl", "--version"],
    "git": ["git", "--version"],
    "vng": ["vng", "--version"],
    "coccinelle": ["spatch", "--version"],
    "sphinx": ["sphinx-build", "--version"],
    "graphviz": ["dot", "-V"],
    "chromium": ["chromium", "--version"],
    "b4": ["b4", "--version"],
}

# GoogleTest and Google Benchmark, by their Debian packages.
GTEST_PACKAGES = ("libgtest-dev", "googletest", "libbenchmark-dev")

# Settings that change no result.
IGNORED_ENV = {"MMAPDEMO_LOCK_HELD", "MMAPDEMO_CACHE", "MMAPDEMO_PROGRESS_INTERVAL"}

# What of the tested tree cannot change a test's result.
TREE_EXCLUDED = ("Documentation", "MAINTAINERS")

# A caller's git environment would point every git command at another
# repository (scripts/lib.sh drops it too).
GIT_ENV_DROPPED = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                   "GIT_COMMON_DIR")


class InputError(Exception):
    """A step cannot be keyed as asked: say why (exit status 2)."""


# ------------------------------------------------------------- helpers --

def find_step(label):
    """The step's entry in STEPS: a Step, or ALWAYS_RUN."""
    for pattern, step in STEPS:
        if fnmatch.fnmatchcase(label, pattern):
            return step
    raise InputError("unknown step: %s (known: %s)"
                     % (label, " ".join(pattern for pattern, _ in STEPS)))


def glob_regex(pattern):
    """A repository path glob as a regex: "*" and "?" stay within a
    folder, "**" matches across folders, "[...]" is a class."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2:]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1:end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def git_env():
    env = {name: value for name, value in os.environ.items() if name not in GIT_ENV_DROPPED}
    # Read only: no index refresh written behind a build's back.
    env["GIT_OPTIONAL_LOCKS"] = "0"
    return env


def git(folder, *args):
    """git's stdout (bytes), or None when it fails."""
    proc = subprocess.run(["git", "-C", folder, *args], env=git_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, check=False)
    return proc.stdout if proc.returncode == 0 else None


def git_top(folder):
    """The top of the git work tree folder is in, or None."""
    out = git(folder, "rev-parse", "--show-toplevel")
    return os.fsdecode(out.strip()) if out else None


def nul_list(out):
    return sorted({os.fsdecode(item) for item in out.split(b"\0") if item})


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def path_digest(path):
    """What a file of a work tree is: its content hash (" executable" when
    it is), a symlink's target, or "missing"."""
    if os.path.islink(path):
        return "symlink " + os.readlink(path)
    if os.path.isdir(path):
        return "folder"
    try:
        digest = sha256_file(path)
    except OSError:
        return "missing"
    return digest + (" executable" if os.stat(path).st_mode & 0o111 else "")


def files_digest(top, paths):
    """One hash of paths (relative to top) and their content."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(("%s %s\n" % (path, path_digest(os.path.join(top, path)))).encode(
            "utf-8", "surrogateescape"))
    return digest.hexdigest()


def folder_files(folder):
    """Every file under folder, relative to it, sorted."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in files:
            found.append(os.path.relpath(os.path.join(root, name), folder))
    return sorted(found)


def folder_digest(folder):
    if not os.path.isdir(folder):
        return "missing"
    return files_digest(folder, folder_files(folder))


def file_digest(path):
    try:
        return sha256_file(path)
    except OSError:
        return "missing"


# ------------------------------------------------------------- inputs --

def repo_files(repo):
    """The repository's files (tracked, and untracked but not ignored),
    or None when repo is not the top of a git checkout."""
    top = git_top(repo)
    if top is None or os.path.realpath(top) != os.path.realpath(repo):
        return None
    out = git(repo, "ls-files", "-z", "-c", "-o", "--exclude-standard")
    return None if out is None else nul_list(out)


def file_lines(repo, paths, globs):
    """The repository files that a glob matches, by content."""
    patterns = [glob_regex(g) for g in globs]
    return ["file %s %s" % (path, path_digest(os.path.join(repo, path)))
            for path in paths if any(p.match(path) for p in patterns)]


def env_lines(env):
    """The MMAPDEMO_* settings; those that name files by their content."""
    lines = []
    for name in sorted(env):
        if not name.startswith("MMAPDEMO_") or name in IGNORED_ENV:
            continue
        value = env[name]
        if name == "MMAPDEMO_PATCHES" and value:
            value = "folder " + folder_digest(value)
        elif name == "MMAPDEMO_EXTRA_CONFIG":
            value = " ".join(file_digest(path) for path in value.split())
        lines.append("env %s=%s" % (name, value))
    return lines


def dirty_lines(prefix, top, pathspec=()):
    """A git tree's state besides its HEAD: uncommitted changes and the
    untracked, not ignored files (within pathspec)."""
    diff = git(top, "diff", "HEAD", "--binary", "--no-color", "--no-ext-diff",
               "--no-textconv", "--", *pathspec)
    untracked = git(top, "ls-files", "-z", "-o", "--exclude-standard", "--", *pathspec)
    if diff is None:
        changes = "unknown"
    else:
        changes = hashlib.sha256(diff).hexdigest() if diff else "none"
    if untracked is None:
        extra = "unknown"
    else:
        paths = nul_list(untracked)
        extra = "%d file(s) %s" % (len(paths), files_digest(top, paths)) if paths else "none"
    return ["%s uncommitted %s" % (prefix, changes), "%s untracked %s" % (prefix, extra)]


def kdir_lines(kdir):
    """KDIR by its HEAD and dirty state, not by its path."""
    top = git_top(kdir)
    if top is None:
        return ["kdir not a git tree"]
    head = git(top, "rev-parse", "-q", "--verify", "HEAD^{commit}")
    lines = ["kdir HEAD %s" % (os.fsdecode(head.strip()) if head else "none")]
    return lines + dirty_lines("kdir", top)


def tree_lines(tree):
    """What a guest or build reads from the tested tree: its top-level
    entries but TREE_EXCLUDED, and its dirty state outside them."""
    if not tree:
        raise InputError("this step tests a kernel tree: give it with --tree DIR")
    if not os.path.isdir(tree):
        raise InputError("--tree %s: no such folder" % tree)
    top = git_top(tree)
    if top is None or os.path.realpath(top) != os.path.realpath(tree):
        raise InputError("--tree %s is not the top of a git tree" % tree)
    listing = git(tree, "ls-tree", "-z", "HEAD")
    if listing is None:
        raise InputError("--tree %s has no commit" % tree)
    lines = []
    # In git's own order: "MODE TYPE OBJECT\tNAME".
    for entry in filter(None, os.fsdecode(listing).split("\0")):
        name = entry.split("\t", 1)[1]
        if name not in TREE_EXCLUDED:
            lines.append("tree " + entry.replace("\t", " "))
    pathspec = ["."] + [":!" + name for name in TREE_EXCLUDED]
    return lines + dirty_lines("tree", tree, pathspec)


def default_series(repo, env):
    """The series scripts/lib.sh applies (its PATCHES_DIR)."""
    if env.get("MMAPDEMO_PATCHES"):
        return env["MMAPDEMO_PATCHES"]
    kernel = env.get("MMAPDEMO_KERNEL", "")
    return os.path.join(repo, "patches" if kernel in ("", "7.3") else "patches-" + kernel)


def series_lines(folder):
    """The series by content: each patch's name in the folder and hash (the
    steps apply *.patch and nothing else of the folder)."""
    if not os.path.isdir(folder):
        return ["series missing"]
    names = [name for name in folder_files(folder) if name.endswith(".patch")]
    if not names:
        return ["series empty"]
    return ["series %s %s" % (name, path_digest(os.path.join(folder, name))) for name in names]


def cache_dir(env):
    """$MMAPDEMO_CACHE as scripts/lib.sh sets it."""
    cache = env.get("MMAPDEMO_CACHE") or os.path.join(
        env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "mmapdemo")
    return os.path.abspath(cache)


def step_arch(label, env):
    """The architecture a label names (kunit-arm64), else MMAPDEMO_ARCH's."""
    for part in label.split("-"):
        if part in ARCHES:
            return part
    return env.get("MMAPDEMO_ARCH") or "x86_64"


def installed_packages(packages):
    """"PACKAGE VERSION" of those of packages that are installed."""
    try:
        proc = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\\n", *packages],
                              stdin=subprocess.DEVNULL, capture_output=True, check=False)
    except OSError:
        return ""
    # The packages that are not installed are only named on stderr.
    return ", ".join(sorted(os.fsdecode(proc.stdout).splitlines()))


def tool_probes(names, arch, env):
    """(name, how to ask) for each tool of names: the command that prints
    its version, or a function that returns it."""
    probes = []
    for name in names:
        if name in TOOL_COMMANDS:
            probes.append((name, TOOL_COMMANDS[name]))
        elif name == "gtest":
            probes.append(("GoogleTest/Benchmark", lambda: installed_packages(GTEST_PACKAGES)))
        elif name == "sparse":
            # scripts/lint.sh's own build of sparse.
            probes.append((name, [os.path.join(cache_dir(env), "tools/sparse/bin/sparse"),
                                  "--version"]))
        elif name == "qemu" and arch:
            probes.append((arch.qemu, [arch.qemu, "--version"]))
        elif name == "cross-compilers" and arch and arch.cross_prefix:
            for compiler in ("gcc", "g++"):
                tool = arch.cross_prefix + compiler
                probes.append((tool, [tool, "--version"]))
        elif name == "busybox" and arch and arch.deb_arch:
            # The guest's busybox-static: its version is in the file name.
            debs = glob.glob(os.path.join(cache_dir(env), "apt/debs",
                                          "busybox-static_*_%s.deb" % arch.deb_arch))
            probes.append(("busybox-" + arch.deb_arch,
                           lambda debs=debs: " ".join(sorted(map(os.path.basename, debs)))))
    return probes


def tool_version(command):
    """The first line a tool prints for its version, or "absent"."""
    if callable(command):
        return command() or "absent"
    tool_env = dict(os.environ, LC_ALL="C")
    try:
        proc = subprocess.run(command, env=tool_env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "absent"
    for stream in (proc.stdout, proc.stderr):
        for line in os.fsdecode(stream).splitlines():
            if line.strip():
                return line.strip()
    return "absent"


def tool_lines(probes):
    """ "tool NAME: VERSION", sorted; the tools are asked in parallel, as
    a few of them take a second to start."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        versions = pool.map(lambda probe: tool_version(probe[1]), probes)
        return sorted("tool %s: %s" % (name, version)
                      for (name, _), version in zip(probes, versions))


def step_lines(label, step, options, paths):
    """Every input of the step, one readable line each, in a fixed order."""
    env = os.environ
    arch = ARCHES.get(step_arch(label, env))
    lines = ["step " + label, ("args " + shlex.join(options.args)).rstrip()]
    lines += env_lines(env)
    if env.get("KDIR"):
        lines += kdir_lines(env["KDIR"])
    # It decides whether the guests run under KVM or TCG.
    lines.append("host-kernel " + os.uname().release)
    lines += tool_lines(tool_probes(step.tools, arch, env))
    if "base" in step.uses:
        lines.append("base " + (options.base or "none"))
    if "series" in step.uses:
        lines += series_lines(options.series or default_series(options.repo, env))
    if "tree" in step.uses:
        lines += tree_lines(options.tree)
    lines += file_lines(options.repo, paths, step.files)
    return lines


def parse_args(argv):
    """The options, and after "--" the step's own command line."""
    args = []
    if "--" in argv:
        split = argv.index("--")
        argv, args = argv[:split], argv[split + 1:]
    parser = argparse.ArgumentParser(
        prog="result-key.py",
        description="Print the result cache's key of one test step of scripts/test.sh.",
        epilog="ARGS after -- are the step's own command line. An empty key means "
               "the step always runs.")
    parser.add_argument("step", metavar="STEP", help="the step's label")
    parser.add_argument("--tree", metavar="DIR", help="the kernel git tree the step tests")
    parser.add_argument("--base", metavar="COMMIT", help="the base kernel commit")
    parser.add_argument("--series", metavar="DIR", help="the patch series folder it applies")
    parser.add_argument("--repo", metavar="DIR",
                        default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        help="the repository (default: the parent of scripts/)")
    parser.add_argument("--explain", action="store_true",
                        help="print every input line before the key")
    options = parser.parse_args(argv)
    options.args = args
    return options


def main(argv):
    options = parse_args(argv)
    try:
        step = find_step(options.step)
        if step is ALWAYS_RUN:
            print()
            return 0
        paths = repo_files(options.repo)
        if paths is None:
            # Not a git checkout: no key, nothing is cached.
            return 0
        lines = step_lines(options.step, step, options, paths)
    except InputError as err:
        print("result-key.py: %s" % err, file=sys.stderr)
        return 2
    if options.explain:
        for line in lines:
            print(line)
    print(hashlib.sha256("".join(line + "\n" for line in lines).encode(
        "utf-8", "surrogateescape")).hexdigest())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
