"""Run corsguard's benchmarks: `python -m benchmarks [--quick] [--only PART ...]`.

Parts: `inprocess` (the time each CORS layer adds, next to its peers), `memory` (the compiled
policy's size and memory over a long load) and `e2e` (uvicorn under load over loopback).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

PARTS = ("inprocess", "memory", "e2e")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="one origin set, one value per timing and a short load: checks that "
                             "everything runs, and its numbers mean nothing")
    parser.add_argument("--only", choices=PARTS, action="append",
                        help="run only this part (repeatable); all parts by default")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results to FILE")
    parser.add_argument("--verbose", action="store_true", help="print each median as it is measured")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    parts = arguments.only or list(PARTS)
    results: dict[str, object] = {"python": sys.version.split()[0], "machine": platform.machine()}

    if "inprocess" in parts:
        from . import inprocess, report

        rows = inprocess.run(quick=arguments.quick, verbose=arguments.verbose,
                             progress=lambda line: print(line, file=sys.stderr, flush=True))
        print(report.in_process_table(rows), flush=True)
        results["inprocess"] = report.rows_as_records(rows)
    if "memory" in parts:
        from . import memory

        results["memory"] = memory.run(quick=arguments.quick)
    if "e2e" in parts:
        from . import e2e

        results["e2e"] = e2e.run(quick=arguments.quick)

    if arguments.json is not None:
        arguments.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
