"""`corsguard demo`: serve an example API behind corsguard on loopback and check it like a browser."""

from __future__ import annotations

import json
import time
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .check import DEFAULT_TIMEOUT_SECONDS, make_client
from .demo_apps import (
    CSRF_HEADER,
    DEMO_SESSION_ID,
    SESSION_COOKIE,
    build_api,
    frontend_app,
    misconfigured_api,
)
from .errors import EXIT_OK, CLIError
from .render import VERDICT_STYLES, render_table

if TYPE_CHECKING:
    from ..browser import FetchRequest, Verdict

UNKNOWN_ORIGIN = "https://unknown.example"
COLUMNS = ["#", "scenario", "request", "preflight", "verdict", "Chromium error", "script reads"]
REASONS_TITLE = "Why each blocked request is blocked, and what would allow it:"


@dataclass(frozen=True, slots=True)
class Scenario:
    """One request of the demo and the verdict a browser gives it."""

    title: str
    request: FetchRequest
    expected: str
    note: str = ""  # what the demo's servers did, printed before the checker's explanation


@dataclass(frozen=True, slots=True)
class Result:
    scenario: Scenario
    verdict: Verdict


def build_scenarios(frontend: str, api: str, misconfigured: str) -> list[Scenario]:
    """Build the demo's requests: all credentialed, and from the front end except the second."""
    from ..browser import FetchRequest

    cookie = ((SESSION_COOKIE, DEMO_SESSION_ID),)

    def request(url: str, origin: str, headers: tuple[tuple[str, str], ...] = ()) -> FetchRequest:
        return FetchRequest(url=url, origin=origin, credentials="include", headers=headers, cookies=cookie)

    return [
        Scenario("front end, with the session cookie", request(f"{api}/data", frontend), "allowed"),
        Scenario(f"unknown origin {UNKNOWN_ORIGIN}", request(f"{api}/data", UNKNOWN_ORIGIN), "blocked",
                 "The example API allows only the front end, so corsguard sends no CORS headers to "
                 "other origins."),
        Scenario(f"front end, {CSRF_HEADER} header (allowed)",
                 request(f"{api}/data", frontend, ((CSRF_HEADER, "d3m0"),)), "allowed"),
        Scenario("front end, X-Debug header (not allowed)",
                 request(f"{api}/data", frontend, (("X-Debug", "1"),)), "blocked",
                 "X-Debug is not in the API's allow_headers, so corsguard answers the preflight with 403 "
                 "and no CORS headers. Adding it to allow_headers would allow the request."),
        Scenario("misconfigured server: ACAO * with ACAC true",
                 request(f"{misconfigured}/data", frontend), "blocked",
                 "A server behind corsguard cannot send this pair: allow_origins=['*'] with "
                 "allow_credentials=True raises ConfigError at start-up."),
    ]


def run_scenarios(scenarios: list[Scenario]) -> list[Result]:
    """Check each scenario over real HTTP with a fresh checker, so no preflight cache carries over."""
    from ..browser import Checker, HTTPTransport

    results = []
    with make_client(DEFAULT_TIMEOUT_SECONDS) as client:
        transport = HTTPTransport(client)
        for scenario in scenarios:
            verdict = Checker(profile="chromium").check(scenario.request, transport)
            results.append(Result(scenario, verdict))
    return results


@click.command(context_settings={"help_option_names": ["-h", "--help"]},
               short_help="Serve an example API on loopback and check it as a browser would.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as one JSON object.")
def demo(as_json: bool) -> None:
    """Serve an example API behind corsguard on 127.0.0.1 and check it as a browser would.

    Starts three servers on free loopback ports. The front end serves a page.
    The example API's GET /data reads a sessionId cookie and returns JSON;
    corsguard's ASGI middleware allows the front end with credentials. The
    misconfigured API sends "Access-Control-Allow-Origin: *" with
    "Access-Control-Allow-Credentials: true". Sends five credentialed
    requests to them the way Chromium would, prints one table of verdicts,
    then stops the servers.

    Exit status 0 when every verdict is the expected one, 1 otherwise,
    2 when a server cannot start.
    """
    from ..servers import serve_asgi, serve_wsgi

    started = time.monotonic()
    try:
        with serve_asgi(frontend_app) as frontend, serve_asgi(build_api(frontend)) as api, \
                serve_wsgi(misconfigured_api) as misconfigured:
            results = run_scenarios(build_scenarios(frontend, api, misconfigured))
    except (RuntimeError, OSError) as exc:
        raise CLIError(f"could not run the demo servers on 127.0.0.1: {exc}") from None
    elapsed = time.monotonic() - started

    unexpected = [r for r in results if r.verdict.verdict != r.scenario.expected]
    if as_json:
        click.echo(json.dumps(_results_json(frontend, api, misconfigured, results), indent=2))
    else:
        _print_report(frontend, api, misconfigured, results, elapsed)
    if unexpected:
        titles = "; ".join(f"{r.scenario.title}: {r.verdict.verdict}, expected {r.scenario.expected}"
                           for r in unexpected)
        raise click.ClickException(f"unexpected verdicts: {titles}")
    click.get_current_context().exit(EXIT_OK)


def _results_json(frontend: str, api: str, misconfigured: str, results: list[Result]) -> dict[str, object]:
    return {
        "servers": {"frontend": frontend, "api": api, "misconfigured": misconfigured},
        "results": [
            {"scenario": r.scenario.title, "expected": r.scenario.expected, **r.verdict.to_dict()}
            for r in results
        ],
    }


def _row(number: int, result: Result) -> list[str]:
    request, verdict = result.scenario.request, result.verdict
    headers = "".join(f", {name}" for name, _ in request.headers)
    preflight = "no"
    for exchange in verdict.exchanges:
        if exchange.stage == "preflight":
            preflight = f"{exchange.method} {exchange.response.status if exchange.response else 'not sent'}"
    error = verdict.error.chromium if verdict.error is not None else None
    return [str(number), result.scenario.title, f"{request.method} {_path(request.url)}{headers}", preflight,
            verdict.verdict, error or "-", _readable(verdict)]


def _path(url: str) -> str:
    return urllib.parse.urlsplit(url).path or "/"


def _readable(verdict: Verdict) -> str:
    if verdict.verdict != "allowed" or not verdict.exchanges:
        return "nothing"
    response = verdict.exchanges[-1].response
    if response is None:
        return "nothing"
    body = response.body.decode("utf-8", errors="replace")
    return f"{verdict.status} {body[:60]}"


def _print_report(frontend: str, api: str, misconfigured: str, results: list[Result], elapsed: float) -> None:
    console = Console(highlight=False)
    intro = [
        f"front end:          {frontend}",
        f"example API:        {api}  (corsguard allows {frontend} with credentials, header {CSRF_HEADER})",
        f"misconfigured API:  {misconfigured}  (Access-Control-Allow-Origin: * with credentials)",
        f"every request: credentials 'include', cookie {SESSION_COOKIE}={DEMO_SESSION_ID}, Chromium's rules",
    ]
    rows = [_row(number, result) for number, result in enumerate(results, 1)]
    reasons = [(number, r) for number, r in enumerate(results, 1) if r.verdict.verdict != "allowed"]
    outro = f"{len(results)} checks, servers stopped, {elapsed:.1f} s. Check your own server with: " \
            "corsguard check URL --origin ORIGIN --credentials include"

    if not console.is_terminal:
        click.echo("\n".join(intro) + "\n")
        click.echo(render_table(COLUMNS, rows) + "\n")
        click.echo(REASONS_TITLE + "\n")
        for number, result in reasons:
            click.echo(f"{number}. {result.scenario.note}\n   Browser: {result.verdict.explanation}\n"
                       f"   Fix: {result.verdict.fix}\n")
        click.echo(outro)
        return

    for line in intro:
        console.print(Text(line))
    table = Table(title="corsguard demo", show_lines=False)
    for column in COLUMNS:
        table.add_column(column, overflow="fold")
    for row in rows:
        cells = [Text(cell) for cell in row]
        cells[4].stylize(VERDICT_STYLES.get(row[4], "bold"))
        table.add_row(*cells)
    console.print(table)
    console.print(Text(REASONS_TITLE, style="bold"))
    for number, result in reasons:
        console.print(Text.assemble((f"{number}. ", "bold"), result.scenario.note))
        console.print(Text.assemble(("   Browser: ", "bold"), result.verdict.explanation))
        console.print(Text.assemble(("   Fix: ", "bold"), result.verdict.fix))
    console.print(Text(outro))
