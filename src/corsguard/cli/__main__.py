"""Allow `python -m corsguard.cli`, the same as the `corsguard` console script."""

from . import main

main(prog_name="corsguard")
