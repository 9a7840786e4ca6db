"""Turn a browser `Verdict` into text: rich tables and colours on a terminal, plain text otherwise.

Both outputs come from one list of blocks, so they always carry the same facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..fetch import ACRH, ACRM, normalize_method
from .diagnose import NOTE as DIAGNOSIS_NOTE

if TYPE_CHECKING:
    from ..browser import CookieOutcome, CorsFailure, Exchange, FetchRequest, Verdict
    from .diagnose import Diagnosis, Probe

# Response headers worth showing in the step-by-step view; `--json` carries all of them.
_SHOWN_RESPONSE_HEADERS = frozenset({"vary", "location", "set-cookie", "content-type"})
_BODY_PREVIEW_CHARACTERS = 300
VERDICT_STYLES = {"allowed": "bold green", "blocked": "bold red", "opaque": "bold yellow",
                  "opaqueredirect": "bold yellow"}


@dataclass(frozen=True, slots=True)
class Headline:
    verdict: str
    text: str


@dataclass(frozen=True, slots=True)
class Fields:
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    stage: str
    method: str
    url: str
    status: str
    sent: tuple[tuple[str, str], ...]
    received: tuple[tuple[str, str], ...]
    hidden_count: int


@dataclass(frozen=True, slots=True)
class Steps:
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Items:
    title: str
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Paragraph:
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class ProbeLine:
    number: int
    purpose: str
    url: str
    varied: tuple[tuple[str, str], ...]  # the ACRM and ACRH lines, the only ones that differ
    outcome: str


@dataclass(frozen=True, slots=True)
class Probes:
    """corsguard's own diagnostic preflights, kept apart from the browser's exchanges."""

    probes: tuple[ProbeLine, ...]
    finding: str


Block = Headline | Fields | Steps | Items | Paragraph | Probes


def build_blocks(request: FetchRequest, verdict: Verdict, diagnosis: Diagnosis | None = None) -> list[Block]:
    """Describe a verdict as blocks: headline, error ids, exchanges, exposure, cookies, reason.

    A diagnosis adds its probes and finding after the reason, and its fix, when it has one,
    replaces the verdict's broader fix.
    """
    method = normalize_method(request.method)
    blocks: list[Block] = [
        Headline(verdict.verdict, f"{method} {request.url} from {request.origin}"),
        Fields(_settings_rows(request, verdict)),
    ]
    if verdict.error is not None:
        blocks.append(Fields(_error_rows(verdict.error)))
    if verdict.request_headers_dropped:
        dropped = ", ".join(verdict.request_headers_dropped)
        blocks.append(Fields((("headers not sent", f"{dropped} (script may not set them)"),)))
    if verdict.headers_removed_on_redirect:
        removed = ", ".join(verdict.headers_removed_on_redirect)
        blocks.append(Fields((("removed on redirect", removed),)))
    if verdict.exchanges:
        blocks.append(Steps(tuple(_step(n, exchange) for n, exchange in enumerate(verdict.exchanges, 1))))
    exposure = _exposure_rows(verdict)
    if verdict.final_url and verdict.final_url != request.url:
        exposure = (("final URL", f"{verdict.final_method or method} {verdict.final_url}"), *exposure)
    blocks.append(Fields(exposure))
    cookies = tuple(describe_cookie(outcome) for outcome in verdict.cookies)
    if cookies:
        blocks.append(Items("Cookies", cookies))
    if verdict.warnings:
        blocks.append(Items("Warnings", tuple(verdict.warnings)))
    if verdict.explanation:
        blocks.append(Paragraph("Why", verdict.explanation))
    if diagnosis is not None:
        blocks.append(Probes(tuple(_probe_line(n, probe) for n, probe in enumerate(diagnosis.probes, 1)),
                             diagnosis.finding))
    fix = diagnosis.fix if diagnosis is not None and diagnosis.fix else verdict.fix
    if fix:
        blocks.append(Paragraph("Fix", fix))
    return blocks


def _probe_line(number: int, probe: Probe) -> ProbeLine:
    varied = tuple((name, value) for name, value in probe.request_headers if name.lower() in (ACRM, ACRH))
    if probe.response is None:
        outcome = f"no response: {probe.error}"
    else:
        outcome = f"{probe.response.status} {'accepted' if probe.accepted else 'refused'}"
    return ProbeLine(number, probe.purpose, probe.url, varied, outcome)


def _settings_rows(request: FetchRequest, verdict: Verdict) -> tuple[tuple[str, str], ...]:
    if verdict.preflight_needed:
        preflight = "sent"
    elif verdict.preflight_from_cache:
        preflight = "needed, answered from the preflight cache"
    else:
        preflight = "not needed"
    return (
        ("mode", request.mode),
        ("credentials", request.credentials),
        ("redirect", request.redirect),
        ("profile", verdict.profile),
        ("preflight", preflight),
    )


def _error_rows(error: CorsFailure) -> tuple[tuple[str, str], ...]:
    rows = [("failed at", error.stage)]
    if error.code != error.chromium:
        rows.append(("error", error.code))
    rows += [
        ("Chromium error", error.chromium or "(none: the console shows no CORS error id)"),
        ("Firefox reason", error.firefox or "(none)"),
    ]
    if error.failed_parameter == "":
        rows.append(("failed parameter", "'' (the header is missing or empty)"))
    elif error.failed_parameter is not None:
        rows.append(("failed parameter", repr(error.failed_parameter)))
    return tuple(rows)


def _step(number: int, exchange: Exchange) -> Step:
    response = exchange.response
    if response is None:
        return Step(number, exchange.stage, exchange.method, exchange.url, "not sent",
                    tuple(exchange.request_headers), (), 0)
    displayed = tuple(
        (name, value) for name, value in response.headers
        if name.lower().startswith("access-control-") or name.lower() in _SHOWN_RESPONSE_HEADERS
    )
    return Step(number, exchange.stage, exchange.method, exchange.url, str(response.status),
                tuple(exchange.request_headers), displayed, len(response.headers) - len(displayed))


def _exposure_rows(verdict: Verdict) -> tuple[tuple[str, str], ...]:
    if verdict.visible_headers is None:
        readable = "nothing: fetch() rejects with a TypeError"
    else:
        headers = ", ".join(verdict.visible_headers) or "(none)"
        readable = f"status {verdict.status}; headers {headers}"
        if verdict.verdict in ("opaque", "opaqueredirect"):
            readable = f"an {verdict.verdict} response: status 0, no headers, no body"
    rows = [("script can read", readable)]
    body = _readable_body(verdict)
    if body is not None:
        rows.append(("body", body))
    attached = ", ".join(f"{stage} {_yes_no(value)}" for stage, value in verdict.credentials_attached.items())
    rows.append(("credentials flag", attached or "(no request sent)"))
    return tuple(rows)


def _readable_body(verdict: Verdict) -> str | None:
    if verdict.verdict != "allowed" or not verdict.exchanges:
        return None
    response = verdict.exchanges[-1].response
    if response is None or not response.body:
        return None
    text = response.body.decode("utf-8", errors="replace")
    if any(ord(ch) < 0x20 and ch not in "\t\n\r" for ch in text) or "\ufffd" in text:
        return f"({len(response.body)} bytes of binary data)"
    text = " ".join(text.split())
    if len(text) > _BODY_PREVIEW_CHARACTERS:
        text = text[:_BODY_PREVIEW_CHARACTERS] + f"... ({len(response.body)} bytes)"
    return text


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "n/a"
    return "yes" if value else "no"


def describe_cookie(outcome: CookieOutcome) -> str:
    """Describe one cookie outcome as "name: action at URL (reason): detail"."""
    text = f"{outcome.name}: {outcome.action} at {outcome.url}"
    if outcome.reason:
        text += f" ({outcome.reason})"
    return f"{text}: {outcome.detail}" if outcome.detail else text


def render_plain(blocks: Iterable[Block]) -> str:
    """Render blocks as plain text with aligned labels and no escape sequences."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Headline):
            lines.append(f"{block.verdict.upper()}  {block.text}")
        elif isinstance(block, Fields):
            lines.extend(_plain_fields(block.rows))
        elif isinstance(block, Steps):
            lines.extend(_plain_steps(block.steps))
        elif isinstance(block, Items):
            lines.append(f"{block.title}:")
            lines.extend(f"  - {item}" for item in block.items)
        elif isinstance(block, Probes):
            lines.extend(_plain_probes(block))
        else:
            lines.append(f"{block.title}: {block.text}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _plain_probes(block: Probes) -> list[str]:
    lines = [(f"Diagnosis: {DIAGNOSIS_NOTE}. Each copies the refused preflight and changes only "
             "the lines shown (--json shows every header).")]
    for probe in block.probes:
        lines.append(f"Probe {probe.number}: {probe.purpose}  OPTIONS {probe.url}  -> {probe.outcome}")
        lines.extend(f"  > {name}: {value}" for name, value in probe.varied)
    lines.append(f"Finding: {block.finding}")
    return lines


def _plain_fields(rows: Sequence[tuple[str, str]]) -> list[str]:
    width = max(len(label) for label, _ in rows)
    return [f"{label + ':':<{width + 1}} {value}" for label, value in rows]


def _plain_steps(steps: Sequence[Step]) -> list[str]:
    lines: list[str] = []
    for step in steps:
        if lines:
            lines.append("")
        lines.append(f"Step {step.number}: {step.stage}  {step.method} {step.url}  -> {step.status}")
        lines.extend(f"  > {name}: {value}" for name, value in step.sent)
        lines.extend(f"  < {name}: {value}" for name, value in step.received)
        if step.hidden_count:
            lines.append(f"  < ({_other_headers(step.hidden_count)}; --json shows them)")
    return lines


def _other_headers(count: int) -> str:
    return "1 other response header" if count == 1 else f"{count} other response headers"


def render_rich(blocks: Iterable[Block], console: Console) -> None:
    """Print blocks to a terminal with colours and tables."""
    for block in blocks:
        if isinstance(block, Headline):
            style = VERDICT_STYLES.get(block.verdict, "bold")
            console.print(Text.assemble((block.verdict.upper(), style), f"  {block.text}"))
        elif isinstance(block, Fields):
            console.print(_rich_fields(block.rows))
        elif isinstance(block, Steps):
            console.print(_rich_steps(block.steps))
        elif isinstance(block, Items):
            console.print(Text(block.title, style="bold"))
            for item in block.items:
                console.print(Text(f"  - {item}"))
        elif isinstance(block, Probes):
            console.print(_rich_probes(block.probes))
            console.print(Text.assemble(("Finding: ", "bold"), block.finding))
        else:
            console.print(Text.assemble((f"{block.title}: ", "bold"), block.text))
        console.print()


def _rich_fields(rows: Sequence[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for label, value in rows:
        table.add_row(label, Text(value))
    return table


def _rich_steps(steps: Sequence[Step]) -> Table:
    table = Table(title="Exchanges", title_justify="left", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("stage")
    table.add_column("request")
    table.add_column("status")
    table.add_column("headers sent (>) and received (<)")
    for step in steps:
        headers = [f"> {name}: {value}" for name, value in step.sent]
        headers += [f"< {name}: {value}" for name, value in step.received]
        if step.hidden_count:
            headers.append(f"< ({_other_headers(step.hidden_count)})")
        table.add_row(str(step.number), Text(step.stage), Text(f"{step.method} {step.url}"), Text(step.status),
                      Text("\n".join(headers)))
    return table


def _rich_probes(probes: Sequence[ProbeLine]) -> Table:
    table = Table(title=f"Diagnosis: {DIAGNOSIS_NOTE}", title_justify="left", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("varies")
    table.add_column("request")
    table.add_column("result")
    table.add_column("changed request headers (>)")
    for probe in probes:
        changed = "\n".join(f"> {name}: {value}" for name, value in probe.varied)
        table.add_row(str(probe.number), Text(probe.purpose), Text(f"OPTIONS {probe.url}"), Text(probe.outcome),
                      Text(changed))
    return table


def render_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Render a table as plain text, each column as wide as its widest cell."""
    widths = [max(len(cell) for cell in column) for column in zip(columns, *rows)]
    lines = []
    for cells in (columns, *rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
