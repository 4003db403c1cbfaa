#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Open the driver's rendered documentation in headless Chromium and check
that every figure loads.

`make htmldocs` turns each `.. kernel-figure:: NAME.dot` of the .rst into an
SVG image, or, when Graphviz is missing or fails, into a literal block of
DOT source: the page still builds, and only a reader sees the difference.
This script loads the page as a reader's browser does and asks the browser,
once the page has loaded, which images it has and what size each decoded
to. Every figure the .rst names must be among them with a width and height
above zero, and no DOT source may be left on the page. It also keeps a
screenshot of the page's section of figures, for a person to look at.

Usage:
  check-rendered-figures.py --rst FILE --html FILE --screenshot PNG

Output: one line per problem found (nothing when all is well), then exit
status 1 if there was one; exit status 2 when the browser could not run.
Python 3 standard library only; needs chromium.
"""

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

CHECK_ID = "mmapdemo-figure-check"
# Runs in the page once it has loaded: what the browser made of each image.
PROBE = """<script>
window.addEventListener("load", function () {
  var images = Array.prototype.map.call(document.images, function (img) {
    return {src: img.getAttribute("src"), complete: img.complete,
            width: img.naturalWidth, height: img.naturalHeight};
  });
  var out = document.createElement("pre");
  out.id = "%s";
  out.textContent = JSON.stringify(images);
  document.body.appendChild(out);
});
</script>
""" % CHECK_ID
# For the screenshot: the page with nothing but its section of figures
# (headless Chromium shoots a blank page once it has scrolled).
SECTION_ONLY = """<script>
var section = document.getElementById("%s");
if (section) {
  document.body.innerHTML = "";
  document.body.appendChild(section);
}
</script>
"""
FIGURES_SECTION = "what-exists-when"
# Virtual time the browser grants the page before it dumps or shoots it.
BUDGET_MS = "15000"


def browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("check-rendered-figures.py: no chromium found; "
             "install it (scripts/deps.sh does) and rerun")


def run_browser(profile, args):
    command = [browser(), "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-dev-shm-usage", "--hide-scrollbars",
               "--user-data-dir=" + profile,
               "--virtual-time-budget=" + BUDGET_MS] + args
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        sys.exit("check-rendered-figures.py: %s exited with %d"
                 % (os.path.basename(command[0]), done.returncode))
    return done.stdout


def figures_named(rst):
    with open(rst, encoding="utf-8") as f:
        names = re.findall(r"^\.\. kernel-figure:: (\S+)$", f.read(), re.M)
    return [os.path.splitext(os.path.basename(name))[0] for name in names]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rst", required=True, help="the .rst the page was made from")
    parser.add_argument("--html", required=True, help="the page make htmldocs wrote")
    parser.add_argument("--screenshot", required=True, help="where to keep the screenshot")
    args = parser.parse_args()

    expected = figures_named(args.rst)
    with open(args.html, encoding="utf-8") as f:
        page = f.read()
    problems = []
    if not expected:
        problems.append("%s names no kernel-figure" % args.rst)
    if "digraph " in page:
        problems.append("the page shows DOT source instead of a figure: "
                        "Graphviz's dot(1) was missing or failed (see the htmldocs log)")

    # The probe goes into a copy beside the page, so that the page's
    # relative links (its images, its style sheets) still resolve.
    folder = os.path.dirname(os.path.abspath(args.html))
    if "</body>" not in page:
        sys.exit("check-rendered-figures.py: %s has no </body>" % args.html)
    with tempfile.TemporaryDirectory(prefix="figures-") as profile, \
            tempfile.NamedTemporaryFile("w", suffix=".html", dir=folder,
                                        encoding="utf-8") as probe, \
            tempfile.NamedTemporaryFile("w", suffix=".html", dir=folder,
                                        encoding="utf-8") as shot:
        probe.write(page.replace("</body>", PROBE + "</body>", 1))
        probe.flush()
        shot.write(page.replace("</body>", SECTION_ONLY % FIGURES_SECTION + "</body>", 1))
        shot.flush()
        dom = run_browser(profile, ["--dump-dom", "file://" + probe.name])
        found = re.search(r'<pre id="%s">(.*?)</pre>' % CHECK_ID, dom, re.S)
        if not found:
            sys.exit("check-rendered-figures.py: the page's load event never came "
                     "within %s ms of virtual time" % BUDGET_MS)
        images = json.loads(html.unescape(found.group(1)))

        run_browser(profile, ["--window-size=1000,2400",
                              "--screenshot=" + os.path.abspath(args.screenshot),
                              "file://" + shot.name])

    for name in expected:
        shown = [img for img in images
                 if os.path.basename(img["src"] or "") == name + ".svg"]
        if not shown:
            problems.append("figure %s: no %s.svg image on the page" % (name, name))
        elif not all(img["complete"] and img["width"] > 0 and img["height"] > 0
                     for img in shown):
            problems.append("figure %s: %s did not load (width %d, height %d)"
                            % (name, shown[0]["src"], shown[0]["width"],
                               shown[0]["height"]))
    for line in problems:
        print(line)
    print("%d of %d figures loaded; screenshot: %s"
          % (len(expected) - sum(p.startswith("figure ") for p in problems),
             len(expected), args.screenshot), file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
