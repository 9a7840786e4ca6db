"""`corsguard check`: option parsing, exit statuses, output formats, and network errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.parse
from collections.abc import Iterable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console

from corsguard import __version__
from corsguard.cli import OPTIONAL_COMMANDS, main
from corsguard.cli.errors import CLIError
from corsguard.cli.options import parse_cookie, parse_header, parse_method, parse_origin_option, parse_url
from corsguard.servers import serve_wsgi
from corsguard.wsgi import CORSMiddleware

FRONTEND = "http://127.0.0.1:5173"


# --- option parsing -------------------------------------------------------------------------


def test_header_strips_value_whitespace() -> None:
    assert parse_header("X-CSRF-Token:  abc \t") == ("X-CSRF-Token", "abc")


def test_header_keeps_colons_in_value() -> None:
    assert parse_header("X-Time: 12:30") == ("X-Time", "12:30")


def test_header_allows_empty_value() -> None:
    assert parse_header("X-Empty:") == ("X-Empty", "")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("X-Foo", "expected 'Name: value'"),
        ("X Foo: 1", "is not an HTTP token"),
        ("X-Foo : 1", "is not an HTTP token"),
        (": 1", "is not an HTTP token"),
        ("X-Foo: a\r\nX-Bar: b", "CR, LF or NUL"),
        ("X-Foo: \u20ac", "outside Latin-1"),
    ],
)
def test_header_rejects_bad_syntax(text: str, message: str) -> None:
    with pytest.raises(CLIError) as raised:
        parse_header(text)
    assert message in raised.value.message


def test_cookie_splits_name_and_value() -> None:
    assert parse_cookie("sessionId=abc123") == ("sessionId", "abc123")


def test_cookie_keeps_attributes() -> None:
    assert parse_cookie("sid=abc;  SameSite=None; Secure ") == ("sid", "abc; SameSite=None; Secure")


def test_cookie_accepts_quoted_value() -> None:
    assert parse_cookie('sid="abc"') == ("sid", '"abc"')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sessionId", "expected 'name=value'"),
        ("=abc", "is not an HTTP token"),
        ("sid=a b", "the value contains ' '"),
        ("sid=a,b", "the value contains ','"),
    ],
)
def test_cookie_rejects_bad_syntax(text: str, message: str) -> None:
    with pytest.raises(CLIError) as raised:
        parse_cookie(text)
    assert message in raised.value.message


@pytest.mark.parametrize("origin", ["http://127.0.0.1:5173", "https://app.example.com", "null"])
def test_origin_accepts_serialized_origins(origin: str) -> None:
    assert parse_origin_option(origin) == origin


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("http://127.0.0.1:5173/", "http://127.0.0.1:5173"),
        ("HTTPS://App.Example.com", "https://app.example.com"),
        ("https://app.example.com:443/login", "https://app.example.com"),
        ("app.example.com", "https://app.example.com"),
        ("localhost:5173", "http://localhost:5173"),
        ("127.0.0.1:5173/", "http://127.0.0.1:5173"),
        ("app example", None),
    ],
)
def test_origin_rejects_non_serialized(text: str, suggestion: str | None) -> None:
    with pytest.raises(CLIError) as raised:
        parse_origin_option(text)
    assert "invalid --origin" in raised.value.message
    if suggestion is None:
        assert "did you mean" not in raised.value.message
    else:
        assert f"did you mean {suggestion}?" in raised.value.message


@pytest.mark.parametrize("url", ["", "/data", "127.0.0.1:8000/data", "http://", "http://127.0.0.1:99999/",
                                 "http://127.0.0.1/a b"])
def test_url_rejects_non_absolute(url: str) -> None:
    with pytest.raises(CLIError, match="invalid URL"):
        parse_url(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("htp:/127.0.0.1/data", "the scheme 'htp' is not http or https; did you mean http://127.0.0.1/data?"),
        ("htps://127.0.0.1/data", "the scheme 'htps' is not http or https; did you mean https://127.0.0.1/data?"),
        ("ftp://127.0.0.1/data", "the scheme 'ftp' is not http or https"),
        ("http:/127.0.0.1/data", ("expected an absolute URL such as http://127.0.0.1:8000/data; "
                                 "did you mean http://127.0.0.1/data?")),
        ("localhost:8000/data", "did you mean http://localhost:8000/data?"),
    ],
)
def test_url_scheme_errors_suggest_fix(url: str, message: str) -> None:
    with pytest.raises(CLIError) as raised:
        parse_url(url)
    assert raised.value.message.startswith(f"invalid URL {url!r}: ")
    assert raised.value.message.endswith(message)


def test_url_without_typo_gets_no_suggestion() -> None:
    for url in ("ftp://127.0.0.1/data", "data:text/plain,hi", "/data"):
        with pytest.raises(CLIError) as raised:
            parse_url(url)
        assert "did you mean" not in raised.value.message


def test_method_keeps_case() -> None:
    assert parse_method("patch") == "patch"


def test_method_rejects_non_token() -> None:
    with pytest.raises(CLIError, match="not|token"):
        parse_method("GET X")


# --- usage errors through the command line ------------------------------------------------------


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def assert_one_line_error(result: Any, fragment: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("Error: "), result.output
    assert fragment in lines[-1]
    assert "Traceback" not in result.output


def test_version_prints_package_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"corsguard {__version__}"


def test_help_lists_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    assert "check" in result.output
    assert "demo" in result.output
    assert "Exit status" in result.output


def test_check_requires_origin() -> None:
    assert_one_line_error(invoke("check", "http://127.0.0.1:1/data"), "--origin")


def test_check_rejects_bad_header() -> None:
    assert_one_line_error(invoke("check", "http://127.0.0.1:1/", "--origin", FRONTEND, "-H", "X-Foo"),
                          "invalid header 'X-Foo'")


def test_check_rejects_bad_origin() -> None:
    assert_one_line_error(invoke("check", "http://127.0.0.1:1/", "--origin", "http://127.0.0.1:5173/"),
                          "did you mean http://127.0.0.1:5173?")


def test_check_rejects_bad_url() -> None:
    assert_one_line_error(invoke("check", "127.0.0.1:8000", "--origin", FRONTEND), "invalid URL")


def test_check_rejects_unknown_credentials_mode() -> None:
    assert_one_line_error(invoke("check", "http://127.0.0.1:1/", "--origin", FRONTEND,
                                 "--credentials", "always"), "always")


def test_check_rejects_zero_timeout() -> None:
    assert_one_line_error(invoke("check", "http://127.0.0.1:1/", "--origin", FRONTEND, "--timeout", "0"),
                          "--timeout")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_check_connection_refused() -> None:
    result = invoke("check", f"http://127.0.0.1:{closed_port()}/data", "--origin", FRONTEND)
    assert_one_line_error(result, "network error")


def test_check_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        result = invoke("check", f"http://127.0.0.1:{port}/data", "--origin", FRONTEND, "--timeout", "0.2")
    assert_one_line_error(result, "timed out after 0.2 s")


def test_internal_error_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.delenv("CORSGUARD_DEBUG", raising=False)
    monkeypatch.setattr("corsguard.cli.check.run_check", explode)
    result = invoke("check", "http://127.0.0.1:1/", "--origin", FRONTEND)
    assert result.exit_code == 3
    assert result.output.strip() == ("Error: internal error: ZeroDivisionError: boom "
                                     "(set CORSGUARD_DEBUG=1 to see the traceback)")


def test_missing_optional_command_is_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(OPTIONAL_COMMANDS, "audit", "corsguard.cli.no_such_module")
    assert "audit" not in invoke("--help").output
    assert invoke("audit").exit_code == 2


def test_broken_optional_command_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(OPTIONAL_COMMANDS, "audit", "corsguard.cli.errors")
    result = invoke("audit")
    assert_one_line_error(result, "the audit command failed to load")


# --- verdicts, exit statuses and output formats against a loopback server -----------------------


COOKIES_SEEN: list[tuple[str, str | None]] = []


def probe_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Allow FRONTEND with credentials on /data; /redirect sends a CORS-approved 302.

    The redirect goes to the URL in the query string, or to /data without one, and sets a cookie.
    Every request's path and Cookie header go to COOKIES_SEEN.
    """
    COOKIES_SEEN.append((environ["PATH_INFO"], environ.get("HTTP_COOKIE")))
    if environ["PATH_INFO"] == "/redirect":
        location = urllib.parse.unquote(environ["QUERY_STRING"]) or "/data"
        start_response("302 Found", [("Location", location), ("Access-Control-Allow-Origin", FRONTEND),
                                     ("Access-Control-Allow-Credentials", "true"), ("Content-Length", "0"),
                                     ("Set-Cookie", "tracker=1; Path=/")])
        return [b""]
    body = b'{"ok": true}'
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                              ("X-Secret", "1")])
    return [body]


@pytest.fixture(scope="module")
def probe_url() -> Iterator[str]:
    app = CORSMiddleware(probe_app, allow_origins=[FRONTEND], allow_credentials=True,
                         allow_methods=["PUT", "PATCH"], allow_headers=["Authorization"])
    with serve_wsgi(app) as url:
        yield url


def check_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = invoke("check", *args, "--json")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


def documented_json_keys() -> set[str]:
    """Read the keys listed in the JSON table of docs/cli.md, the reference for `--json`."""
    text = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    section = text.split("### JSON output", 1)[1].split("\n### ", 1)[0]
    keys: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            cell = line.split("|")[1]
            keys.update(part.strip(" `") for part in cell.split(","))
    return keys


@pytest.mark.server
def test_json_keys_are_documented(probe_url: str) -> None:
    status, verdict = check_json(f"{probe_url}/data", "--origin", FRONTEND)
    assert status == 0
    assert set(verdict) == documented_json_keys()
    assert set(verdict["credentials_attached"]) == {"preflight", "actual"}
    exchange = verdict["exchanges"][0]
    assert set(exchange) == {"stage", "method", "url", "request_headers", "response"}
    assert set(exchange["response"]) == {"status", "headers"}


@pytest.mark.server
def test_json_error_fields(probe_url: str) -> None:
    status, verdict = check_json(f"{probe_url}/data", "--origin", "https://other.example")
    assert status == 1
    assert set(verdict["error"]) == {"stage", "code", "chromium", "firefox", "failed_parameter"}
    assert verdict["error"]["chromium"] == "MissingAllowOriginHeader"


@pytest.mark.server
def test_exposed_headers_exclude_unlisted(probe_url: str) -> None:
    _, verdict = check_json(f"{probe_url}/data", "--origin", FRONTEND, "--credentials", "include")
    assert verdict["verdict"] == "allowed"
    assert "content-type" in verdict["visible_headers"]
    assert "x-secret" not in verdict["visible_headers"]


@pytest.mark.server
def test_no_cors_opaque_exits_zero(probe_url: str) -> None:
    status, verdict = check_json(f"{probe_url}/data", "--origin", "https://other.example", "--mode", "no-cors")
    assert status == 0
    assert verdict["verdict"] == "opaque"
    assert verdict["status"] == 0


@pytest.mark.server
def test_same_origin_mode_blocks_before_sending(probe_url: str) -> None:
    status, verdict = check_json(f"{probe_url}/data", "--origin", FRONTEND, "--mode", "same-origin")
    assert status == 1
    assert verdict["error"]["stage"] == "request"
    assert verdict["error"]["chromium"] == "DisallowedByMode"
    assert verdict["exchanges"] == []


@pytest.mark.server
def test_redirect_follow_checks_each_hop(probe_url: str) -> None:
    status, verdict = check_json(f"{probe_url}/redirect", "--origin", FRONTEND, "--credentials", "include")
    assert status == 0
    assert verdict["verdict"] == "allowed"
    assert [exchange["url"] for exchange in verdict["exchanges"]] == [f"{probe_url}/redirect", f"{probe_url}/data"]
    assert verdict["final_url"] == f"{probe_url}/data"


@pytest.mark.server
def test_cross_origin_redirect_removes_authorization(probe_url: str) -> None:
    with serve_wsgi(probe_app) as other:
        target = urllib.parse.quote(f"{other}/data", safe="")
        result = invoke("check", f"{probe_url}/redirect?{target}", "--origin", FRONTEND,
                        "-H", "Authorization: Bearer t0ken")
    assert result.exit_code == 1  # the second server has no CORS middleware
    lines = result.output.splitlines()
    assert "removed on redirect: authorization" in lines
    final_request = lines[lines.index(f"Step 3: actual  GET {other}/data  -> 200") + 1:]
    assert "  > origin: null" in final_request
    assert not any("Authorization" in line for line in final_request if line.startswith("  >"))


@pytest.mark.server
def test_http_client_keeps_no_cookies(probe_url: str) -> None:
    COOKIES_SEEN.clear()
    status, _ = check_json(f"{probe_url}/redirect", "--origin", FRONTEND, "--credentials", "omit")
    assert status == 0
    assert COOKIES_SEEN == [("/redirect", None), ("/data", None)]


@pytest.mark.server
@pytest.mark.parametrize(
    ("options", "phrase"),
    [
        (["--credentials", "include", "--cookie", "sid=1"], "(with cookies)"),
        (["--credentials", "include"], "(with credentials: credentials mode include, but no cookie was sent)"),
        (["--credentials", "same-origin", "--cookie", "sid=1"], "(without credentials)"),
    ],
)
def test_allowed_explanation_names_credentials(probe_url: str, options: list[str], phrase: str) -> None:
    status, verdict = check_json(f"{probe_url}/data", "--origin", FRONTEND, *options)
    assert status == 0
    assert phrase in verdict["explanation"]


@pytest.mark.server
def test_redirect_manual_exits_zero(probe_url: str) -> None:
    status, verdict = check_json(f"{probe_url}/redirect", "--origin", FRONTEND, "--redirect", "manual")
    assert status == 0
    assert verdict["verdict"] == "opaqueredirect"


@pytest.mark.server
def test_redirect_error_blocks(probe_url: str) -> None:
    status, verdict = check_json(f"{probe_url}/redirect", "--origin", FRONTEND, "--redirect", "error")
    assert status == 1
    assert verdict["error"]["stage"] == "redirect"


@pytest.mark.server
def test_forbidden_header_is_dropped(probe_url: str) -> None:
    _, verdict = check_json(f"{probe_url}/data", "--origin", FRONTEND, "-H", "Cookie: a=1")
    assert verdict["request_headers_dropped"] == ["cookie"]
    sent = [name.lower() for name, _ in verdict["exchanges"][-1]["request_headers"]]
    assert "cookie" not in sent


@pytest.mark.server
def test_method_case_reaches_preflight(probe_url: str) -> None:
    status, verdict = check_json(f"{probe_url}/data", "--origin", FRONTEND, "--method", "patch")
    assert status == 1
    assert dict(verdict["preflight_request"])["access-control-request-method"] == "patch"
    assert verdict["error"]["chromium"] == "PreflightMissingAllowOriginHeader"


@pytest.mark.server
def test_method_put_is_normalized(probe_url: str) -> None:
    status, verdict = check_json(f"{probe_url}/data", "--origin", FRONTEND, "--method", "put")
    assert status == 0
    assert dict(verdict["preflight_request"])["access-control-request-method"] == "PUT"


@pytest.mark.server
@pytest.mark.parametrize(("typed", "headline"), [("put", "ALLOWED  PUT "), ("patch", "BLOCKED  patch ")])
def test_headline_shows_sent_method(probe_url: str, typed: str, headline: str) -> None:
    result = invoke("check", f"{probe_url}/data", "--origin", FRONTEND, "--method", typed, "--no-diagnose")
    assert result.output.startswith(headline), result.output


@pytest.mark.server
def test_profile_is_reported(probe_url: str) -> None:
    for profile in ("spec", "chromium", "firefox"):
        _, verdict = check_json(f"{probe_url}/data", "--origin", FRONTEND, "--profile", profile)
        assert verdict["profile"] == profile


def test_profile_choices_match_checker() -> None:
    from corsguard.browser import PROFILES

    result = invoke("check", "--help")
    assert "[spec|chromium|firefox]" in result.output
    assert set(PROFILES) == {"spec", "chromium", "firefox"}


@pytest.mark.server
def test_plain_output_has_no_escapes(probe_url: str) -> None:
    result = invoke("check", f"{probe_url}/data", "--origin", FRONTEND, "--credentials", "include")
    assert result.exit_code == 0
    assert result.output.startswith(f"ALLOWED  GET {probe_url}/data from {FRONTEND}\n")
    assert "Step 1: actual  GET" in result.output
    assert 'body:             {"ok": true}' in result.output
    assert "\x1b[" not in result.output


@pytest.mark.server
def test_terminal_output_uses_colour(probe_url: str) -> None:
    from corsguard.browser import Checker, HTTPTransport
    from corsguard.cli.check import build_request
    from corsguard.cli.render import build_blocks, render_rich

    request = build_request(f"{probe_url}/data", "https://other.example", "GET", (), "include", "cors",
                            "follow", ())
    with HTTPTransport() as transport:
        verdict = Checker().check(request, transport)
    output = StringIO()
    render_rich(build_blocks(request, verdict), Console(file=output, force_terminal=True, width=120))
    text = output.getvalue()
    assert "\x1b[1;31mBLOCKED\x1b[0m" in text
    assert "MissingAllowOriginHeader" in text
    assert "Exchanges" in text


@pytest.mark.server
@pytest.mark.parametrize(
    ("args", "expected_status"),
    [
        (["--origin", FRONTEND], 0),
        (["--origin", "https://other.example"], 1),
        (["--origin", FRONTEND, "-H", "bad header"], 2),
    ],
)
def test_subprocess_exit_status(probe_url: str, args: list[str], expected_status: int) -> None:
    completed = subprocess.run([sys.executable, "-m", "corsguard.cli", "check", f"{probe_url}/data", *args],
                               capture_output=True, text=True, timeout=60, check=False,
                               env={**os.environ, "NO_COLOR": "1"})
    assert completed.returncode == expected_status, completed.stderr
    assert "Traceback" not in completed.stderr


def test_subprocess_connection_refused() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "corsguard.cli", "check", f"http://127.0.0.1:{closed_port()}/", "-o", FRONTEND,
         "--json"],
        capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.startswith("Error: network error: GET http://127.0.0.1:")
    assert completed.stderr.count("\n") == 1


def test_explain_command_is_registered() -> None:
    result = invoke("--help")
    assert "explain" in result.output
    assert invoke("explain", "--help").exit_code == 0


@pytest.mark.server
def test_loopback_bypasses_proxy(probe_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = f"http://127.0.0.1:{closed_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, proxy)
    status, verdict = check_json(f"{probe_url}/data", "--origin", FRONTEND)
    assert status == 0
    assert verdict["verdict"] == "allowed"


@pytest.mark.server
def test_closed_stdout_exits_quietly(probe_url: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "corsguard.cli", "check", f"{probe_url}/data", "-o", FRONTEND, "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()
    assert process.wait(timeout=60) == 2
    assert process.stderr.read() == b""


def test_interrupt_exits_130() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(60)
        port = listener.getsockname()[1]
        process = subprocess.Popen(
            [sys.executable, "-m", "corsguard.cli", "check", f"http://127.0.0.1:{port}/", "-o", FRONTEND],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        connection, _ = listener.accept()  # the request is in flight once the command connects
        with connection:
            process.send_signal(signal.SIGINT)
            status = process.wait(timeout=60)
    assert status == 130
    assert process.stderr is not None
    assert process.stderr.read() == b"Interrupted.\n"


# --- rendering of recorded responses, in process ------------------------------------------------


def render_recorded(body: bytes, headers: tuple[tuple[str, str], ...] = ()) -> str:
    from corsguard.browser import Checker, FetchRequest, RecordedResponse, RecordedTransport
    from corsguard.cli.render import build_blocks, render_plain

    request = FetchRequest(url="http://127.0.0.1:8000/data", origin=FRONTEND)
    response = RecordedResponse(200, (("Access-Control-Allow-Origin", FRONTEND), *headers), body=body)
    verdict = Checker().check(request, RecordedTransport([response]))
    return render_plain(build_blocks(request, verdict))


def test_body_preview_collapses_whitespace() -> None:
    output = render_recorded(b'{\n  "user": "ada",\n  "plan": "pro"\n}')
    assert 'body:             { "user": "ada", "plan": "pro" }' in output


def test_body_preview_is_truncated() -> None:
    output = render_recorded(b"x" * 1000)
    assert "body:             " + "x" * 300 + "... (1000 bytes)" in output


def test_binary_body_shows_size() -> None:
    output = render_recorded(bytes(range(256)))
    assert "body:             (256 bytes of binary data)" in output


def test_other_response_headers_are_counted() -> None:
    output = render_recorded(b"", (("Date", "x"), ("Server", "y"), ("Vary", "Origin")))
    assert "  < Vary: Origin" in output
    assert "  < (2 other response headers; --json shows them)" in output
    assert "Date" not in output


def test_terminal_output_shows_markup_literally() -> None:
    from corsguard.browser import Checker, FetchRequest, RecordedResponse, RecordedTransport
    from corsguard.cli.render import build_blocks, render_rich

    request = FetchRequest(url="http://127.0.0.1:8000/data", origin=FRONTEND)
    response = RecordedResponse(200, (("Access-Control-Allow-Origin", "[red]x[/red]"),))
    verdict = Checker().check(request, RecordedTransport([response]))
    output = StringIO()
    render_rich(build_blocks(request, verdict), Console(file=output, force_terminal=True, width=200))
    assert "[red]x[/red]" in output.getvalue()
