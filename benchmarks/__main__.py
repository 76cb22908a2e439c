"""``uv run python -m benchmarks [--quick] [--skip-suite] [--output PATH]``: measure, print, write the doc."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks import policy, program, report, suite
from offline.program import PROJECT_DIR


def main(argv: list[str]) -> None:
    """Run the benchmarks and write their tables."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smallest sizes only, one run each, no suite")
    parser.add_argument("--skip-suite", action="store_true", help="do not time the test command")
    parser.add_argument("--output", type=Path, default=PROJECT_DIR / "docs" / "performance.md")
    options = parser.parse_args(argv)
    command = "uv run python -m benchmarks" + (" --quick" if options.quick else "")
    program_rows = program.run(options.quick)
    policy_rows = policy.run(options.quick)
    suite_rows = None if options.quick or options.skip_suite else suite.run()
    document = report.render(command, program_rows, policy_rows, suite_rows)
    options.output.write_text(document)
    print(document)


if __name__ == "__main__":
    main(sys.argv[1:])
