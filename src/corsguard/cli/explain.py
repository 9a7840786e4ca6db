"""`corsguard explain`: give the browser's CORS verdict on recorded traffic, offline.

Reads a HAR file exported from Chrome's or Firefox's DevTools (or recorded by Playwright), or a
request and its responses written as raw HTTP text, and replays every cross-origin fetch in it
through the checker. Nothing is sent over the network.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..fetch import normalize_method
from .errors import EXIT_BLOCKED, EXIT_OK, CLIError
from .render import VERDICT_STYLES, build_blocks, render_plain, render_rich, render_table

if TYPE_CHECKING:
    from ..browser.recording import RecordedFetch, RecordedVerdict

# Outcomes for which the page's fetch() resolved: every other outcome makes the exit status 1.
RESOLVING_OUTCOMES = frozenset({"allowed", "opaque", "opaqueredirect"})
PROFILE_CHOICES = ["auto", "spec", "chromium", "firefox"]
_URL_COLUMN_CHARACTERS = 60


@click.command(context_settings={"help_option_names": ["-h", "--help"]},
               short_help="Explain the CORS verdict of every cross-origin request in a HAR or HTTP text file.")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--profile", type=click.Choice(PROFILE_CHOICES), default="auto", show_default=True,
              help="Browser rules to apply; auto picks the browser named in the HAR file, else spec.")
@click.option("--credentials", type=click.Choice(["auto", "omit", "same-origin", "include"]), default="auto",
              show_default=True,
              help="fetch() credentials mode; auto assumes include when a request carried cookies.")
@click.option("--origin", "-o", metavar="ORIGIN",
              help="Origin of the page, when the recording shows no Origin or Referer header.")
@click.option("--verbose", "-v", is_flag=True, help="Show each fetch's exchanges step by step.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with every verdict.")
def explain(files: tuple[str, ...], profile: str, credentials: str, origin: str | None, verbose: bool,
            as_json: bool) -> None:
    """Replay recorded cross-origin requests and explain what the browser did with each.

    FILES is one HAR file, or raw HTTP text files with a request followed by
    its responses. An OPTIONS request written before a response marks that
    response as the preflight's; other responses are used in the order given.

    Prints each cross-origin fetch with its verdict, the failing check with the
    Chromium and Firefox error ids, an explanation and the server-side fix, then
    a summary table. Facts the recording lacks (credentials mode, a preflight
    the browser did not record) are inferred and listed as notes.

    \b
    Exit status: 0 when every fetch resolved (allowed, or opaque in no-cors
    mode), 1 when any was blocked or cannot be decided from the recording, 2
    for usage errors and unreadable, malformed or truncated files.
    """
    from ..browser.recording import RecordingError, check_recorded

    credentials_mode = None if credentials == "auto" else credentials
    try:
        fetches, detected_profile = _load(files, credentials_mode, origin)
        chosen = detected_profile if profile == "auto" else profile
        results = [check_recorded(fetch, chosen) for fetch in fetches]
    except RecordingError as error:
        raise CLIError(str(error)) from None

    if as_json:
        click.echo(json.dumps(_as_json(results, chosen), indent=2))
    elif _is_terminal():
        _print_rich(results, chosen, verbose)
    else:
        click.echo(_plain_report(results, chosen, verbose), nl=False)
    blocked = any(result.outcome not in RESOLVING_OUTCOMES for result in results)
    click.get_current_context().exit(EXIT_BLOCKED if blocked else EXIT_OK)


def _load(files: tuple[str, ...], credentials: str | None,
          origin: str | None) -> tuple[list[RecordedFetch], str]:
    from ..browser.har import parse_har
    from ..browser.http_text import parse_http_text

    if origin is not None:
        from .options import parse_origin_option

        origin = parse_origin_option(origin)
    contents = [(path, _read(path)) for path in files]
    first_path, first = contents[0]
    if first_path.lower().endswith(".har") or first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        if len(contents) > 1:
            raise CLIError(f"{first_path} is a HAR file: pass a single HAR file, or only HTTP text files")
        return parse_har(first, first_path, credentials, origin), _profile_of_har(first)
    texts = []
    for path, data in contents:
        try:
            texts.append((path, data.decode("utf-8")))
        except UnicodeDecodeError as error:
            raise CLIError(f"{path} is not UTF-8 text (invalid byte at offset {error.start})") from None
    return [parse_http_text(texts, credentials, origin)], "spec"


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError as error:
        raise CLIError(f"cannot read {path}: {error.strerror or error}") from None


def _profile_of_har(data: bytes) -> str:
    """Return the profile for the browser a HAR file names in log.browser or log.creator."""
    try:
        log = json.loads(data.decode("utf-8-sig")).get("log", {})
    except (ValueError, AttributeError):
        return "spec"
    names = " ".join(str((log.get(key) or {}).get("name", "")) for key in ("browser", "creator")).lower()
    if "firefox" in names:
        return "firefox"
    if "chrom" in names or "webinspector" in names or "edge" in names:
        return "chromium"
    return "spec"


def _is_terminal() -> bool:
    return sys.stdout.isatty()


def _error_id(result: RecordedVerdict) -> str:
    error = result.verdict.error
    if result.outcome == "blocked-unrecorded":
        return result.fetch.failure or "not recorded"
    if error is None:
        return ""
    return error.chromium or error.code


def _summary_rows(results: list[RecordedVerdict]) -> list[list[str]]:
    rows = []
    for number, result in enumerate(results, start=1):
        request = result.fetch.request
        url = request.url if len(request.url) <= _URL_COLUMN_CHARACTERS else request.url[:57] + "..."
        stage = result.verdict.error.stage if result.verdict.error and result.outcome == "blocked" else ""
        rows.append([str(number), normalize_method(request.method), url, request.origin, result.outcome, stage, _error_id(result)])
    return rows


SUMMARY_COLUMNS = ("#", "method", "url", "page origin", "verdict", "stage", "error")


def _detail_lines(number: int, result: RecordedVerdict) -> list[str]:
    verdict = result.verdict
    request = result.fetch.request
    method = normalize_method(request.method)
    lines = [f"{number}. {result.outcome.upper()}  {method} {request.url} from {request.origin}",
             f"   recorded as: {result.fetch.label}"]
    if verdict.error is not None and result.outcome == "blocked":
        error = verdict.error
        lines.append(f"   failed at: {error.stage} (Chromium {error.chromium or '-'}, "
                     f"Firefox {error.firefox or '-'})")
    if result.outcome != "blocked-unrecorded":
        lines.append(f"   why: {verdict.explanation}")
        if verdict.fix:
            lines.append(f"   fix: {verdict.fix}")
    lines += [f"   warning: {warning}" for warning in verdict.warnings]
    lines += [f"   note: {note}" for note in result.notes]
    return lines


def _counts(results: list[RecordedVerdict]) -> str:
    counts = Counter(result.outcome for result in results)
    parts = [f"{count} {outcome}" for outcome, count in sorted(counts.items())]
    noun = "cross-origin fetch" if len(results) == 1 else "cross-origin fetches"
    return f"{len(results)} {noun}: " + (", ".join(parts) if parts else "none")


def _plain_report(results: list[RecordedVerdict], profile: str, verbose: bool) -> str:
    lines = [f"Profile: {profile}", ""]
    for number, result in enumerate(results, start=1):
        lines += _detail_lines(number, result)
        if verbose:
            lines.append(render_plain(build_blocks(result.fetch.request, result.verdict)))
        lines.append("")
    if results:
        lines.append(render_table(SUMMARY_COLUMNS, _summary_rows(results)))
    lines.append(_counts(results))
    return "\n".join(lines) + "\n"


def _print_rich(results: list[RecordedVerdict], profile: str, verbose: bool) -> None:
    console = Console()
    console.print(Text.assemble(("Profile: ", "bold"), profile))
    for number, result in enumerate(results, start=1):
        first, *rest = _detail_lines(number, result)
        console.print(Text(first, style=VERDICT_STYLES.get(result.outcome, "bold red")))
        for line in rest:
            console.print(Text(line))
        if verbose:
            render_rich(build_blocks(result.fetch.request, result.verdict), console)
        console.print()
    table = Table(title="Summary", title_justify="left")
    for column in SUMMARY_COLUMNS:
        table.add_column(column)
    for row in _summary_rows(results):
        table.add_row(*row[:4], Text(row[4], style=VERDICT_STYLES.get(row[4], "bold red")), *row[5:])
    console.print(table)
    console.print(_counts(results))


def _as_json(results: list[RecordedVerdict], profile: str) -> dict[str, Any]:
    return {
        "profile": profile,
        "fetches": [
            {
                "label": result.fetch.label,
                "entries": list(result.fetch.entries),
                "outcome": result.outcome,
                "request": {
                    "url": result.fetch.request.url,
                    "origin": result.fetch.request.origin,
                    "method": result.fetch.request.method,
                    "mode": result.fetch.request.mode,
                    "credentials": result.fetch.request.credentials,
                },
                "recorded_failure": result.fetch.failure,
                "notes": list(result.notes),
                "verdict": result.verdict.to_dict(),
            }
            for result in results
        ],
        "summary": dict(Counter(result.outcome for result in results)),
    }
