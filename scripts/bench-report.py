#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn mmapdemo_bench's Google Benchmark JSON into a table and a plot.

Usage: bench-report.py [--text FILE] [--svg FILE] BENCH.json

The JSON is what selftests/mmapdemo_bench.cpp writes with
--benchmark_out_format=json (scripts/bench.sh: results/bench.json). Each
benchmark is named <strategy>/<pages>[/...]; its counters are nanoseconds
per page (mmap_ns, touch1_ns, touch2_ns, munmap_ns, map_touch_ns, and
open_ns and close_ns, the file around them, in newer runs) and
faults per page (faults: the driver's fault handler; minflt: the
process's minor faults). With repetitions, the "median" aggregate is the
value and "cv" (or, without it, "stddev" / "mean") the spread; without
aggregates the median of the repetitions is computed here.

The text (stdout, and FILE with --text) has the run's context, then the
ratio of each strategy's mmap + first touch per page to the anonymous
first touch (the "anon" anchor, mmap + first touch) at the same size, in
the same run; then every measured value. The SVG plots mmap + first touch
per page against the size, both axes logarithmic, one line per strategy.

Python 3 standard library only. Exit status 1, with a message, when the
JSON cannot be read or holds no mmapdemo_bench result.
"""

import argparse
import json
import math
import statistics
import sys
from xml.sax.saxutils import escape

ANCHORS = ("anon", "anon-populate", "memfd")
# kStrategies' order (selftests/mmapdemo_common.hpp); others come after.
STRATEGIES = ("remap", "insert", "lazy", "vmfpage", "owned", "prefault", "batch",
              "pfn", "vmalloc")
BASELINE = "anon"
# Issue 6's goals, as ratios to anonymous first touch in the same run.
# Strategies that map everything at mmap() time need no fault and no
# zeroing at first touch; the insert-on-fault ones should cost about what
# an anonymous fault costs.
GOAL_AT_MMAP = (("remap", "batch", "prefault", "vmalloc"), 0.5)
GOAL_ON_FAULT = (("insert", "lazy", "vmfpage", "owned", "pfn"), 1.2)
# Cost per page flat within +-50 % from 64 pages up (no linear scan, no
# global lock per fault): each size within that of the median over sizes.
FLAT_FROM_PAGES = 64
FLAT_TOLERANCE = 0.5
COUNTERS = ("mmap_ns", "touch1_ns", "touch2_ns", "munmap_ns", "map_touch_ns",
            "open_ns", "close_ns", "faults", "minflt")
# Colour-blind friendly (Okabe-Ito, then Tol's muted) for up to 12 lines.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
           "#F0E442", "#332288", "#882255", "#117733", "#999933", "#000000")


class ReportError(Exception):
    """The input cannot be turned into a report: say why."""


def parse_name(entry):
    """(strategy, pages) of a benchmark entry, or None if not ours."""
    name = entry.get("run_name") or entry.get("name", "")
    parts = name.split("/")
    if len(parts) < 2 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


def load(path):
    """Context and results: {(strategy, pages): {counter: value, "cv": x}}."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as err:
        raise ReportError("cannot read %s: %s" % (path, err.strerror)) from err
    except ValueError as err:
        raise ReportError("%s is not JSON: %s" % (path, err)) from err
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise ReportError("%s has no \"benchmarks\" list: not Google Benchmark's JSON"
                          % path)

    aggregates = {}   # (key) -> {aggregate_name: entry}
    iterations = {}   # (key) -> [entry, ...]
    errors = {}
    for entry in data["benchmarks"]:
        key = parse_name(entry)
        if key is None:
            continue
        if entry.get("error_occurred"):
            errors[key] = entry.get("error_message", "error")
            continue
        if entry.get("run_type") == "aggregate":
            aggregates.setdefault(key, {})[entry.get("aggregate_name")] = entry
        else:
            iterations.setdefault(key, []).append(entry)

    results = {}
    for key in set(aggregates) | set(iterations):
        aggs = aggregates.get(key, {})
        row = {}
        if "median" in aggs:
            for counter in COUNTERS:
                if counter in aggs["median"]:
                    row[counter] = float(aggs["median"][counter])
            cv = aggs.get("cv", {}).get("map_touch_ns")
            if cv is None and "stddev" in aggs and "mean" in aggs:
                mean = aggs["mean"].get("map_touch_ns")
                stddev = aggs["stddev"].get("map_touch_ns")
                if mean and stddev is not None:
                    cv = stddev / mean
            if cv is not None:
                row["cv"] = float(cv)
            row["repetitions"] = int(aggs["median"].get("repetitions", 0))
        else:
            runs = iterations[key]
            for counter in COUNTERS:
                values = [float(r[counter]) for r in runs if counter in r]
                if values:
                    row[counter] = statistics.median(values)
            values = [float(r["map_touch_ns"]) for r in runs if "map_touch_ns" in r]
            if len(values) > 1 and statistics.mean(values):
                row["cv"] = statistics.stdev(values) / statistics.mean(values)
            row["repetitions"] = len(runs)
        if "map_touch_ns" not in row:
            continue
        results[key] = row
    if not results and not errors:
        raise ReportError("%s holds no mmapdemo_bench result (benchmarks named "
                          "<strategy>/<pages> with a map_touch_ns counter)" % path)
    return data.get("context", {}), results, errors


def strategy_order(results):
    """The driver's strategies in kStrategies' order, then the anchors."""
    names = {strategy for strategy, _ in results}
    known = [s for s in STRATEGIES if s in names]
    others = sorted(names - set(STRATEGIES) - set(ANCHORS))
    return known + others + [s for s in ANCHORS if s in names]


def fmt_ns(value):
    if value is None:
        return "-"
    if value >= 1e6:
        return "%.2fms" % (value / 1e6)
    if value >= 1e4:
        return "%.1fus" % (value / 1e3)
    if value >= 100:
        return "%.0fns" % value
    return "%.1fns" % value


def fmt_tick(ns):
    """A power of ten of nanoseconds: 100ns, 1us, 10us, 1ms ..."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return "%gs" % (ns / scale) if unit == "s" else "%g%s" % (ns / scale, unit)
    return "%gns" % ns


def fmt_pages(pages):
    if pages >= 1024 and pages % 1024 == 0:
        return "%dKi" % (pages // 1024)
    return str(pages)


def cycle_ns(row):
    """open + mmap + first touch + munmap + close, if the run has them all."""
    parts = ("open_ns", "mmap_ns", "touch1_ns", "munmap_ns", "close_ns")
    if not row or any(part not in row for part in parts):
        return None
    return sum(row[part] for part in parts)


def ratio(results, strategy, pages, value=lambda row: row and row.get("map_touch_ns")):
    mine = value(results.get((strategy, pages)))
    base = value(results.get((BASELINE, pages)))
    if mine is None or not base:
        return None
    return mine / base


def goal_lines(results, order):
    """The goals, judged on this run: a report, not a test verdict."""
    lines = ["Goals (mmap + first touch per page, ratio to %s, same run):" % BASELINE]
    for (names, limit), what in ((GOAL_AT_MMAP, "maps everything at mmap()"),
                                 (GOAL_ON_FAULT, "inserts on fault")):
        lines.append("  %s: at most %.1f at the largest size measured" % (what, limit))
        for strategy in names:
            sizes = sorted(p for s, p in results if s == strategy and ratio(results, s, p))
            if not sizes:
                lines.append("    %-10s -" % strategy)
                continue
            got = ratio(results, strategy, sizes[-1])
            lines.append("    %-10s %5.2f at %-6s %s" % (
                strategy, got, fmt_pages(sizes[-1]), "met" if got <= limit else "NOT MET"))
    lines.append("  flat: each size from %d pages up within %d %% of the median "
                 "over those sizes (ns per page)" % (FLAT_FROM_PAGES, 100 * FLAT_TOLERANCE))
    for strategy in order:
        points = [(row["map_touch_ns"], p) for (s, p), row in sorted(results.items())
                  if s == strategy and p >= FLAT_FROM_PAGES and row.get("map_touch_ns")]
        if len(points) < 2:
            lines.append("    %-14s -" % strategy)
            continue
        middle = statistics.median(value for value, _ in points)
        low, high = min(points), max(points)
        flat = low[0] / middle >= 1 - FLAT_TOLERANCE and high[0] / middle <= 1 + FLAT_TOLERANCE
        lines.append("    %-14s median %8s over %d sizes; min %.2f (%s), max %.2f (%s): %s" % (
            strategy, fmt_ns(middle), len(points), low[0] / middle, fmt_pages(low[1]),
            high[0] / middle, fmt_pages(high[1]), "met" if flat else "NOT MET"))
    lines.append("")
    return lines


def text_report(context, results, errors):
    lines = []
    sizes = sorted({pages for _, pages in results} | {pages for _, pages in errors})
    order = strategy_order(set(results) | set(errors))

    lines.append("mmapdemo_bench: time per page, median of the repetitions")
    for key, label in (("accelerator", "accelerator"), ("kernel_release", "kernel"),
                       ("date", "date"), ("mode", "mode"), ("repetitions", "repetitions"),
                       ("page_size", "page size"), ("num_cpus", "guest CPUs"),
                       ("host_load", "host load"),
                       ("thp_enabled", "THP"), ("skipped", "left out")):
        if context.get(key) not in (None, ""):
            lines.append("  %-12s %s" % (label + ":", context[key]))
    lines.append("")

    lines.append("Ratio of mmap + first touch per page to anonymous first touch (%s) "
                 "at the same size, same run;" % BASELINE)
    lines.append("below 1 is faster than anonymous memory; '-' not measured.")
    width = 9
    header = "%-14s" % "pages" + "".join("%*s" % (width, fmt_pages(p)) for p in sizes)

    def ratio_rows(value):
        lines.append(header)
        for strategy in order:
            cells = []
            for pages in sizes:
                if (strategy, pages) in errors:
                    cells.append("%*s" % (width, "error"))
                    continue
                got = ratio(results, strategy, pages, value)
                cells.append("%*s" % (width, "-" if got is None else "%.2f" % got))
            lines.append("%-14s" % strategy + "".join(cells))
        lines.append("")

    ratio_rows(lambda row: row and row.get("map_touch_ns"))
    if any(cycle_ns(row) is not None for row in results.values()):
        lines.append("The same for the whole cycle: open + mmap + first touch + munmap + "
                     "close per page")
        lines.append("(where each strategy allocates, zeroes and frees its pages).")
        ratio_rows(cycle_ns)

    lines.extend(goal_lines(results, order))

    lines.append("Per page: mmap + first touch (spread: cv over the repetitions), "
                 "its parts, second touch, munmap;")
    lines.append("open and close of the file around them (a buffer strategy allocates "
                 "and zeroes at open, frees at close);")
    lines.append("faults per page: the driver's fault handler, the process's minor faults")
    lines.append("%-14s %7s %10s %6s %10s %10s %10s %10s %10s %10s %7s %7s" % (
        "strategy", "pages", "map+touch", "cv", "mmap", "touch1", "touch2", "munmap",
        "open", "close", "faults", "minflt"))
    for pages in sizes:
        for strategy in order:
            key = (strategy, pages)
            if key in errors:
                lines.append("%-14s %7s  error: %s" % (strategy, fmt_pages(pages), errors[key]))
                continue
            row = results.get(key)
            if not row:
                continue
            cv = row.get("cv")
            faults = row.get("faults")
            minflt = row.get("minflt")
            lines.append("%-14s %7s %10s %6s %10s %10s %10s %10s %10s %10s %7s %7s" % (
                strategy, fmt_pages(pages), fmt_ns(row["map_touch_ns"]),
                "-" if cv is None else "%.0f%%" % (100 * cv),
                fmt_ns(row.get("mmap_ns")), fmt_ns(row.get("touch1_ns")),
                fmt_ns(row.get("touch2_ns")), fmt_ns(row.get("munmap_ns")),
                fmt_ns(row.get("open_ns")), fmt_ns(row.get("close_ns")),
                "-" if faults is None else "%.3g" % faults,
                "-" if minflt is None else "%.3g" % minflt))
    if errors:
        lines.append("")
        lines.append("%d benchmark(s) failed: see the error lines above" % len(errors))
    return "\n".join(lines) + "\n"


def log_ticks(low, high):
    """Powers of ten covering [low, high]."""
    first = math.floor(math.log10(low))
    last = math.ceil(math.log10(high))
    if first == last:
        last += 1
    return [10.0 ** e for e in range(first, last + 1)]


def svg_report(context, results):
    """A log-log line plot, written by hand: no plotting library needed."""
    order = strategy_order(results)
    sizes = sorted({pages for _, pages in results})
    values = [row["map_touch_ns"] for row in results.values() if row["map_touch_ns"] > 0]
    if not values:
        raise ReportError("no positive time to plot")

    width, height = 900, 560
    left, right, top, bottom = 80, 190, 50, 60
    plot_w, plot_h = width - left - right, height - top - bottom

    x_low, x_high = min(sizes), max(sizes)
    if x_low == x_high:
        x_low, x_high = x_low / 2, x_high * 2
    y_ticks = log_ticks(min(values), max(values))
    y_low, y_high = y_ticks[0], y_ticks[-1]

    def x_of(pages):
        return left + plot_w * (math.log(pages) - math.log(x_low)) / \
            (math.log(x_high) - math.log(x_low))

    def y_of(ns):
        return top + plot_h * (1 - (math.log(ns) - math.log(y_low)) /
                               (math.log(y_high) - math.log(y_low)))

    out = []
    out.append('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
               'viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">'
               % (width, height, width, height))
    out.append('<rect width="100%" height="100%" fill="white"/>')
    title = "mmapdemo: mmap + first touch, time per page"
    sub = ", ".join("%s %s" % (label, context[key]) for key, label in
                    (("accelerator", "accelerator"), ("kernel_release", "kernel"),
                     ("mode", "mode")) if key in context)
    out.append('<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>'
               % (left, escape(title)))
    if sub:
        out.append('<text x="%d" y="39" fill="#555">%s</text>' % (left, escape(sub)))

    # Grid and ticks.
    for ns in y_ticks:
        y = y_of(ns)
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>'
                   % (left, y, left + plot_w, y))
        out.append('<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">'
                   '%s</text>' % (left - 6, y, escape(fmt_tick(ns))))
    for pages in sizes:
        x = x_of(pages)
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/>'
                   % (x, top, x, top + plot_h))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                   % (x, top + plot_h + 18, escape(fmt_pages(pages))))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>'
               % (left, top, plot_w, plot_h))
    out.append('<text x="%.1f" y="%d" text-anchor="middle">size in pages (log scale)</text>'
               % (left + plot_w / 2, height - 15))
    out.append('<text transform="translate(18,%.1f) rotate(-90)" text-anchor="middle">'
               'time per page (log scale)</text>' % (top + plot_h / 2))

    # One line per strategy; the anchors dashed.
    for index, strategy in enumerate(order):
        colour = COLOURS[index % len(COLOURS)]
        dash = ' stroke-dasharray="6,4"' if strategy in ANCHORS else ""
        points = [(x_of(p), y_of(results[(strategy, p)]["map_touch_ns"]))
                  for p in sizes if (strategy, p) in results
                  and results[(strategy, p)]["map_touch_ns"] > 0]
        if not points:
            continue
        out.append('<g><title>%s</title>' % escape(strategy))
        if len(points) > 1:
            out.append('<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>'
                       % (colour, dash, " ".join("%.1f,%.1f" % p for p in points)))
        for x, y in points:
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (x, y, colour))
        out.append('</g>')
        # Legend entry.
        ly = top + 10 + 20 * index
        lx = left + plot_w + 15
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                   % (lx, ly, lx + 28, ly, colour, dash))
        out.append('<text x="%d" y="%d" dominant-baseline="middle">%s</text>'
                   % (lx + 34, ly, escape(strategy)))
    out.append('</svg>')
    return "\n".join(out) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("json", help="mmapdemo_bench's --benchmark_out file")
    parser.add_argument("--text", help="also write the table to this file")
    parser.add_argument("--svg", help="write the plot to this file")
    args = parser.parse_args(argv)
    try:
        context, results, errors = load(args.json)
        text = text_report(context, results, errors)
        svg = svg_report(context, results) if args.svg and results else None
    except ReportError as err:
        print("bench-report: %s" % err, file=sys.stderr)
        return 1
    if args.text:
        with open(args.text, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    if args.svg:
        if svg is None:
            print("bench-report: nothing to plot: every benchmark failed", file=sys.stderr)
            return 1
        with open(args.svg, "w", encoding="utf-8") as f:
            f.write(svg)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
