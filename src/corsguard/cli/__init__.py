"""The `corsguard` command line: `check`, `demo` and `explain`.

Exit statuses shared by every command: 0 success (or an allowed request), 1 a blocked request,
2 a usage, input, network or output error (stdout closed early), 3 an internal error, 130 an
interruption (Ctrl-C). Errors print one line on stderr and never a traceback, unless the
CORSGUARD_DEBUG environment variable is set.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any

import click

from .. import __version__
from .check import check as check_command
from .demo import demo as demo_command
from .errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, CLIError
from .explain import explain as explain_command

# Commands whose modules other parts of corsguard provide. The group lists them only when the
# module exists, so the rest of the command line works while they are missing.
OPTIONAL_COMMANDS = {
    "audit": "corsguard.cli.audit",
}


class InternalError(click.ClickException):
    """An unexpected exception, shown as one line instead of a traceback."""

    exit_code = EXIT_INTERNAL

    def format_message(self) -> str:
        return f"internal error: {self.message} (set CORSGUARD_DEBUG=1 to see the traceback)"


class CorsguardGroup(click.Group):
    """A click group that loads optional commands lazily and hides tracebacks."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        names.update(name for name, module in OPTIONAL_COMMANDS.items() if _module_exists(module))
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in OPTIONAL_COMMANDS:
            return command
        return _load_optional_command(cmd_name, OPTIONAL_COMMANDS[cmd_name])

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            # The reader of stdout went away (`corsguard check ... | head`). Stop quietly, and send
            # what Python flushes at exit to /dev/null so that it cannot fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(EXIT_USAGE) from None
        except Exception as exc:
            if os.environ.get("CORSGUARD_DEBUG"):
                raise
            raise InternalError(f"{type(exc).__name__}: {exc}") from exc


def _module_exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:
        return False


def _load_optional_command(name: str, module_name: str) -> click.Command | None:
    if not _module_exists(module_name):
        return None
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise CLIError(f"the {name} command failed to load: {type(exc).__name__}: {exc}") from exc
    command = getattr(module, name, None)
    if not isinstance(command, click.Command):
        raise CLIError(f"the {name} command failed to load: {module_name} defines no click command {name!r}")
    return command


@click.group(cls=CorsguardGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="corsguard", message="%(prog)s %(version)s")
def main() -> None:
    """Give a browser's CORS verdict on live servers, recorded traffic and corsguard's demo.

    \b
    Exit status: 0 allowed or success, 1 blocked, 2 usage, input or
    network error, 3 internal error, 130 interrupted.
    """


main.add_command(check_command)
main.add_command(demo_command)
main.add_command(explain_command)

__all__ = ["main"]
