"""Run corsguard's benchmarks: `python -m benchmarks [--quick] [--only PART ...]`.

Parts: `inprocess` (the time each CORS layer adds, next to its peers), `memory` (the compiled
policy's size and memory over a long load) and `e2e` (uvicorn under load over loopback).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

PARTS = ("inprocess", "memory", "e2e")
# The modules each part imports beyond corsguard. The `test` extra installs all of them.
REQUIRED_MODULES = {
    "inprocess": ("pyperf", "starlette", "litestar", "flask", "flask_cors", "django", "corsheaders"),
    "memory": ("uvicorn",),
    "e2e": ("uvicorn", "starlette"),
}


def missing_modules(parts: list[str]) -> list[str]:
    """Return the required modules of `parts` that are not installed, without importing them."""
    needed = dict.fromkeys(name for part in parts for name in REQUIRED_MODULES[part])
    return [name for name in needed if importlib.util.find_spec(name) is None]


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


def run_part(part: str, quick: bool, verbose: bool) -> object:
    """Run one part in this process and return its results."""
    if part == "inprocess":
        from . import inprocess, report

        rows = inprocess.run(quick=quick, verbose=verbose,
                             progress=lambda line: print(line, file=sys.stderr, flush=True))
        print(report.in_process_table(rows), flush=True)
        return report.rows_as_records(rows)
    if part == "memory":
        from . import memory

        return memory.run(quick=quick)
    from . import e2e

    return e2e.run(quick=quick)


def run_part_in_child(part: str, quick: bool, verbose: bool) -> object:
    """Run one part in a fresh Python process, so that no part measures what another left behind."""
    with tempfile.TemporaryDirectory() as directory:
        output = Path(directory) / "part.json"
        command = [sys.executable, "-m", "benchmarks", "--only", part, "--json", str(output)]
        command += ["--quick"] if quick else []
        command += ["--verbose"] if verbose else []
        subprocess.run(command, check=True)
        return json.loads(output.read_text())[part]


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    parts = arguments.only or list(PARTS)
    missing = missing_modules(parts)
    if missing:
        print(f"python -m benchmarks: missing packages ({', '.join(missing)}); "
              "install them with: pip install -e '.[test]'", file=sys.stderr)
        return 2
    results: dict[str, object] = {"python": sys.version.split()[0], "machine": platform.machine()}
    for part in parts:
        if len(parts) == 1:
            results[part] = run_part(part, arguments.quick, arguments.verbose)
        else:
            results[part] = run_part_in_child(part, arguments.quick, arguments.verbose)
            print(flush=True)

    if arguments.json is not None:
        arguments.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
