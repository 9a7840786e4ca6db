"""`corsguard check`: run the browser's side of CORS against a live server and print the verdict."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click
from rich.console import Console

from .diagnose import Diagnosis, diagnose_preflight, refused_preflight
from .errors import EXIT_BLOCKED, EXIT_OK, CLIError
from .options import parse_cookie, parse_header, parse_method, parse_origin_option, parse_url
from .render import build_blocks, render_plain, render_rich

if TYPE_CHECKING:
    import httpx

    from ..browser import FetchRequest, RecordedResponse, Verdict
    from ..browser.transports import Transport, TransportError

DEFAULT_TIMEOUT_SECONDS = 10.0
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")

# Verdicts for which the page's fetch() resolves. "opaque" and "opaqueredirect" resolve too,
# although script can read neither the status, the headers nor the body.
RESOLVING_VERDICTS = frozenset({"allowed", "opaque", "opaqueredirect"})


@click.command(context_settings={"help_option_names": ["-h", "--help"]},
               short_help="Check a URL as a browser would and print the CORS verdict.")
@click.argument("url")
@click.option("--origin", "-o", required=True, metavar="ORIGIN",
              help="Origin of the page that sends the request, e.g. https://app.example.com, or null.")
@click.option("--method", "-X", default="GET", show_default=True,
              help="Request method. fetch() upper-cases DELETE, GET, HEAD, OPTIONS, POST and PUT; "
                   "other methods are case-sensitive.")
@click.option("--header", "-H", "headers", multiple=True, metavar="'NAME: VALUE'",
              help="Request header that script sets. Repeat for more headers.")
@click.option("--credentials", type=click.Choice(["omit", "same-origin", "include"]), default="same-origin",
              show_default=True, help="fetch() credentials mode; include sends cookies cross-origin.")
@click.option("--profile", type=click.Choice(["spec", "chromium", "firefox"]), default="spec",
              show_default=True, help="Follow the Fetch standard, or Chromium's or Firefox's deviations from it.")
@click.option("--mode", type=click.Choice(["cors", "no-cors", "same-origin"]), default="cors",
              show_default=True, help="fetch() request mode.")
@click.option("--redirect", type=click.Choice(["follow", "manual", "error"]), default="follow",
              show_default=True, help="fetch() redirect mode.")
@click.option("--cookie", "-b", "cookies", multiple=True, metavar="NAME=VALUE",
              help="Cookie in the browser's cookie jar for the URL, with optional attributes. Repeat for more.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT_SECONDS,
              metavar="SECONDS",
              show_default=True, help="Seconds to wait for each connection and response.")
@click.option("--diagnose/--no-diagnose", default=True, show_default=True,
              help="When the server refuses a preflight without any CORS header, send it follow-up "
                   "preflights to find whether the origin, the method or a request header is refused.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as one JSON object.")
def check(url: str, origin: str, method: str, headers: tuple[str, ...], credentials: str, profile: str,
          mode: str, redirect: str, cookies: tuple[str, ...], timeout: float, diagnose: bool,
          as_json: bool) -> None:
    """Send URL the requests a browser would send from ORIGIN and print the browser's verdict.

    Sends the preflight when a browser would, then the actual request, handles
    redirects in the --redirect mode, and applies the browser's CORS checks.
    Prints whether script may read the response, the failing stage with the
    Chromium and Firefox error ids, each exchange, the headers script can read,
    and how to fix the server.

    When the server refuses the preflight with no CORS header at all, check
    sends up to 2 + (number of requested headers) preflights of its own, each
    differing in one element. It then names the refused origin, method or
    header. --no-diagnose turns this off.

    \b
    Exit status: 0 when fetch() resolves (allowed, or an opaque response in
    no-cors mode or with --redirect manual), 1 when the browser blocks it,
    2 on invalid options or a network error.

    \b
    Example:
      corsguard check http://127.0.0.1:8000/data --origin http://127.0.0.1:5173 \\
        --credentials include --cookie sessionId=abc123 -H 'X-CSRF-Token: 1'
    """
    request = build_request(url, origin, method, headers, credentials, mode, redirect, cookies)
    verdict = run_check(request, profile, timeout)
    diagnosis = run_diagnosis(request, verdict, timeout) if diagnose else None

    if as_json:
        document = verdict.to_dict()
        document["diagnosis"] = None if diagnosis is None else diagnosis.to_dict()
        click.echo(json.dumps(document, indent=2, sort_keys=False))
    else:
        print_verdict(request, verdict, diagnosis)

    click.get_current_context().exit(EXIT_OK if verdict.verdict in RESOLVING_VERDICTS else EXIT_BLOCKED)


def build_request(url: str, origin: str, method: str, headers: tuple[str, ...], credentials: str,
                  mode: str, redirect: str, cookies: tuple[str, ...]) -> FetchRequest:
    """Validate the options and build the checker's request; raise CLIError on the first bad value."""
    parsed_url = parse_url(url)
    parsed_origin = parse_origin_option(origin)
    parsed_method = parse_method(method)
    parsed_headers = tuple(parse_header(header) for header in headers)
    parsed_cookies = tuple(parse_cookie(cookie) for cookie in cookies)

    from ..browser import FetchRequest

    return FetchRequest(url=parsed_url, origin=parsed_origin, method=parsed_method, headers=parsed_headers,
                        mode=mode, credentials=credentials, redirect=redirect, cookies=parsed_cookies)


def run_check(request: FetchRequest, profile: str, timeout: float) -> Verdict:
    """Check `request` over real HTTP; raise a one-line CLIError when a request gets no response.

    The checker reports a request that got no HTTP response as a blocked fetch, as browsers do.
    The command line reports it as a network error (status 2) because no CORS rule was involved.
    """
    from ..browser import Checker, HTTPTransport

    with make_client(timeout) as client:
        transport = FailureRecordingTransport(HTTPTransport(client))
        verdict = Checker(profile=profile).check(request, transport)
    if transport.failure is not None:
        raise CLIError(_describe_failure(transport.failure, timeout))
    return verdict


def run_diagnosis(request: FetchRequest, verdict: Verdict, timeout: float) -> Diagnosis | None:
    """Probe which element a refused preflight fails on; None unless the verdict is that case.

    A probe that gets no response ends the diagnosis and is reported in it, because the verdict
    itself is already complete.
    """
    from ..browser import HTTPTransport

    if refused_preflight(verdict) is not None:
        with make_client(timeout) as client:
            return diagnose_preflight(request, verdict, HTTPTransport(client))
    return None


def make_client(timeout: float) -> httpx.Client:
    """Build the httpx client that sends exactly the checker's requests.

    It follows no redirects and stores no cookies, because the checker decides both as a browser
    would; httpx's default cookie jar would add a `Cookie` header the browser never sends. Loopback
    hosts never go through a proxy, as in browsers; other hosts use the environment's proxies.
    """
    import http.cookiejar

    import httpx

    no_cookies = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    direct = {f"all://{host}": httpx.HTTPTransport() for host in LOOPBACK_HOSTS}
    return httpx.Client(timeout=timeout, follow_redirects=False, mounts=direct, cookies=no_cookies)


class FailureRecordingTransport:
    """Wrap a transport and keep the first TransportError, which the checker swallows."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.failure: TransportError | None = None

    def send(self, method: str, url: str, headers: tuple[tuple[str, str], ...]) -> RecordedResponse:
        from ..browser.transports import TransportError

        try:
            return self.inner.send(method, url, headers)
        except TransportError as error:
            if self.failure is None:
                self.failure = error
            raise


def _describe_failure(failure: TransportError, timeout: float) -> str:
    import httpx

    if isinstance(failure.__cause__, httpx.TimeoutException):
        return f"timed out after {timeout:g} s: {failure}"
    return f"network error: {failure}"


def print_verdict(request: FetchRequest, verdict: Verdict, diagnosis: Diagnosis | None = None) -> None:
    """Print the verdict and any diagnosis with rich on a terminal, as plain text otherwise."""
    blocks = build_blocks(request, verdict, diagnosis)
    console = Console(highlight=False)
    if console.is_terminal:
        render_rich(blocks, console)
    else:
        click.echo(render_plain(blocks), nl=False)
