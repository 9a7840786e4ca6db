"""Exit statuses and the error type that every `corsguard` command raises for bad input."""

from __future__ import annotations

import click

EXIT_OK = 0
EXIT_BLOCKED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130  # the shell's status for a process stopped by SIGINT (128 + 2)


class CLIError(click.ClickException):
    """A usage, input or network error: click prints "Error: <message>" and exits with status 2."""

    exit_code = EXIT_USAGE
