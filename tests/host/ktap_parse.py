#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse KTAP from stdin with the kernel's own parser (kunit_parser.py).

Usage: ktap_parse.py <kernel source tree> < output

Prints the overall status and the parser's counts on the first line
("errors" counts the parser's complaints about the format), then one line
per test: its status, its name and, for a skip, " # " and the reason.
Plain lines, so a caller can compare them without a JSON library.
"""

import os
import sys


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    sys.path.insert(0, os.path.join(sys.argv[1], 'tools', 'testing', 'kunit'))
    import kunit_parser  # pylint: disable=import-outside-toplevel
    from kunit_printer import Printer  # pylint: disable=import-outside-toplevel

    # The parser reports format errors through its printer: keep them.
    test = kunit_parser.parse_run_tests(sys.stdin.read().splitlines(),
                                        Printer(print=False))
    counts = test.counts
    print(f'status={test.status.name} passed={counts.passed} '
          f'failed={counts.failed} skipped={counts.skipped} '
          f'crashed={counts.crashed} errors={counts.errors}')
    for sub in test.subtests:
        reason = f' # {sub.skip_reason}' if sub.skip_reason else ''
        print(f'{sub.status.name} {sub.name}{reason}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
