"""``.venv/bin/python -m benchmarks [--quick] [--skip-suite] [--only-query-scan] [--output PATH]``.

Measure, print, write the doc. ``--only-query-scan`` reruns only benchmark 4 (scan cost per
layout, under a minute) and replaces its section of the existing document.

A full run rewrites ``docs/performance.md``. A ``--quick`` run is a smoke run whose figures must
never replace the committed ones: it only prints, unless ``--output`` names a file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks import organization, policy, program, query_scan, report, suite
from offline.program import PROJECT_DIR

DOCUMENT = PROJECT_DIR / "docs" / "performance.md"
COMMAND = ".venv/bin/python -m benchmarks"


def main(argv: list[str]) -> None:
    """Run the benchmarks, print their tables and write them where the options say."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smallest sizes only, one run each, no suite")
    parser.add_argument("--skip-suite", action="store_true", help="do not time the test command")
    parser.add_argument(
        "--only-query-scan",
        action="store_true",
        help="run only the query scan benchmark and replace its section of the document",
    )
    parser.add_argument(
        "--output", type=Path, help=f"write the tables here (default: {DOCUMENT}; with --quick, nowhere)"
    )
    options = parser.parse_args(argv)
    output = options.output or (None if options.quick else DOCUMENT)
    scan_lines = query_scan.section(*query_scan.run(options.quick))
    if options.only_query_scan:
        if output is not None:
            output.write_text(query_scan.replace_section(DOCUMENT.read_text(), scan_lines))
        print("\n".join(scan_lines))
        return
    program_rows = program.run(options.quick)
    policy_rows = policy.run(options.quick)
    suite_rows = None if options.quick or options.skip_suite else suite.run()
    organization_lines = organization.render(*organization.run(options.quick))
    command = COMMAND + (" --quick" if options.quick else "")
    document = query_scan.replace_section(
        report.render(command, program_rows, policy_rows, suite_rows, organization_lines), scan_lines
    )
    if output is not None:
        output.write_text(document)
    print(document)


if __name__ == "__main__":
    main(sys.argv[1:])
