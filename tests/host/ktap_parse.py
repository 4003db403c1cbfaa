#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse KTAP from stdin with the kernel's own parser (kunit_parser.py).

Usage: ktap_parse.py <kernel source tree> < output

Prints the overall status and the parser's counts on the first line
("errors" counts the parser's complaints about the format), then one line
per test: its status, its name and, for a skip, " # " and the reason.
Plain lines, so a caller can compare them without a JSON library.
"""

import inspect
import os
import re
import sys


def skip_reason(test, lines) -> str:
    """The parser's skip reason; 6.12's parser keeps none, so there it
    is read from the result line of the test the parser said skipped."""
    if hasattr(test, 'skip_reason'):
        return test.skip_reason or ''
    if test.status.name != 'SKIPPED':
        return ''
    for line in lines:
        match = re.match(r'\s*ok \d+ (.*?) # SKIP\s*(.*)$', line)
        if match and match.group(1) == test.name:
            return match.group(2).strip()
    return ''


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    sys.path.insert(0, os.path.join(sys.argv[1], 'tools', 'testing', 'kunit'))
    import kunit_parser  # pylint: disable=import-outside-toplevel
    from kunit_printer import Printer  # pylint: disable=import-outside-toplevel

    lines = sys.stdin.read().splitlines()
    if len(inspect.signature(kunit_parser.parse_run_tests).parameters) > 1:
        # The parser reports format errors through its printer: keep them.
        test = kunit_parser.parse_run_tests(lines, Printer(print=False))
    else:
        # 6.12's parser prints to a module-level printer, which would mix
        # into this output; its counts are kept all the same.
        with open(os.devnull, 'w', encoding='utf-8') as devnull:
            kunit_parser.stdout = Printer(devnull)
            test = kunit_parser.parse_run_tests(lines)
    counts = test.counts
    print(f'status={test.status.name} passed={counts.passed} '
          f'failed={counts.failed} skipped={counts.skipped} '
          f'crashed={counts.crashed} errors={counts.errors}')
    for sub in test.subtests:
        reason = f' # {skip_reason(sub, lines)}' if skip_reason(sub, lines) else ''
        print(f'{sub.status.name} {sub.name}{reason}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
