"""`corsguard check`: option parsing, exit statuses, output formats, and network errors."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from click.testing import CliRunner

from corsguard import __version__
from corsguard.cli import OPTIONAL_COMMANDS, main
from corsguard.cli.errors import CLIError
from corsguard.cli.options import parse_cookie, parse_header, parse_method, parse_origin_option, parse_url

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
        ("app.example.com", None),
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
    monkeypatch.setitem(OPTIONAL_COMMANDS, "explain", "corsguard.cli.no_such_module")
    assert "explain" not in invoke("--help").output
    assert invoke("explain").exit_code == 2


def test_broken_optional_command_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(OPTIONAL_COMMANDS, "explain", "corsguard.cli.errors")
    result = invoke("explain")
    assert_one_line_error(result, "the explain command failed to load")
