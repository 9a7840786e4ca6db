"""`corsguard demo`: its apps on real servers, its verdicts, and that it stops what it starts."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.parse
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from corsguard.cli import main
from corsguard.cli.demo_apps import (
    CSRF_HEADER,
    DEMO_SESSION_ID,
    SESSION_COOKIE,
    build_api,
    frontend_app,
    misconfigured_api,
)
from corsguard.servers import serve_asgi, serve_wsgi

pytestmark = pytest.mark.server

FRONTEND = "http://127.0.0.1:5173"

EXPECTED = {
    "front end, with the session cookie": ("allowed", None),
    "unknown origin https://unknown.example": ("blocked", "MissingAllowOriginHeader"),
    f"front end, {CSRF_HEADER} header (allowed)": ("allowed", None),
    "front end, X-Debug header (not allowed)": ("blocked", "PreflightMissingAllowOriginHeader"),
    "misconfigured server: ACAO * with ACAC true": ("blocked", "WildcardOriginNotAllowed"),
}


def test_api_returns_session_for_cookie() -> None:
    with serve_asgi(build_api(FRONTEND)) as api:
        response = httpx.get(f"{api}/data", headers={"Origin": FRONTEND},
                             cookies={SESSION_COOKIE: DEMO_SESSION_ID})
    assert response.status_code == 200
    assert response.json()["user"] == "ada"
    assert response.headers["access-control-allow-origin"] == FRONTEND
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["access-control-expose-headers"].lower() == "x-request-id"


def test_api_rejects_missing_cookie() -> None:
    with serve_asgi(build_api(FRONTEND)) as api:
        response = httpx.get(f"{api}/data", headers={"Origin": FRONTEND})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == FRONTEND


def test_api_answers_preflight_for_csrf_header() -> None:
    with serve_asgi(build_api(FRONTEND)) as api:
        response = httpx.options(f"{api}/data", headers={
            "Origin": FRONTEND,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": CSRF_HEADER.lower(),
        })
    assert response.status_code == 204
    assert response.headers["access-control-allow-headers"].lower() == CSRF_HEADER.lower()


def test_api_refuses_unknown_origin() -> None:
    with serve_asgi(build_api(FRONTEND)) as api:
        response = httpx.get(f"{api}/data", headers={"Origin": "https://unknown.example"})
    assert "access-control-allow-origin" not in response.headers
    assert "Origin" in response.headers["vary"]


def test_misconfigured_api_sends_wildcard_with_credentials() -> None:
    with serve_wsgi(misconfigured_api) as misconfigured:
        response = httpx.get(f"{misconfigured}/data", headers={"Origin": FRONTEND})
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-credentials"] == "true"


def test_frontend_serves_page_that_calls_api() -> None:
    with serve_asgi(frontend_app) as frontend:
        response = httpx.get(f"{frontend}/?api=http://127.0.0.1:1")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'credentials: "include"' in response.text


@pytest.fixture(scope="module")
def demo_report() -> dict[str, Any]:
    result = CliRunner().invoke(main, ["demo", "--json"])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.output)
    return report


def test_demo_reaches_expected_verdicts(demo_report: dict[str, Any]) -> None:
    results = demo_report["results"]
    assert [r["scenario"] for r in results] == list(EXPECTED)
    for result in results:
        verdict, chromium_error = EXPECTED[result["scenario"]]
        assert result["verdict"] == verdict, result["scenario"]
        error = result["error"]
        assert (error["chromium"] if error else None) == chromium_error, result["scenario"]


def test_demo_preflights_only_with_headers(demo_report: dict[str, Any]) -> None:
    needed = {r["scenario"]: r["preflight_needed"] for r in demo_report["results"]}
    assert needed == {
        "front end, with the session cookie": False,
        "unknown origin https://unknown.example": False,
        f"front end, {CSRF_HEADER} header (allowed)": True,
        "front end, X-Debug header (not allowed)": True,
        "misconfigured server: ACAO * with ACAC true": False,
    }


def test_demo_sends_cookie_from_front_end(demo_report: dict[str, Any]) -> None:
    first = demo_report["results"][0]
    assert first["credentials_attached"]["actual"] is True
    sent = dict(first["exchanges"][-1]["request_headers"])
    assert sent["cookie"] == f"{SESSION_COOKIE}={DEMO_SESSION_ID}"


def test_demo_stops_its_servers(demo_report: dict[str, Any]) -> None:
    for url in demo_report["servers"].values():
        parts = urllib.parse.urlsplit(url)
        assert parts.hostname == "127.0.0.1"
        with pytest.raises(ConnectionRefusedError), socket.create_connection((parts.hostname, parts.port),
                                                                             timeout=2):
            pass


def test_demo_prints_table_and_reasons() -> None:
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    output = result.output
    for title, (verdict, chromium_error) in EXPECTED.items():
        row = next(line for line in output.splitlines() if title in line)
        assert f"  {verdict}  " in row, row
        if chromium_error:
            assert chromium_error in row
    assert '{"user":"ada"' in output
    assert output.count("Fix: ") == 3
    assert output.count("Browser: ") == 3
    assert "X-Debug is not in the API's allow_headers" in output
    assert "servers stopped" in output


def test_demo_subprocess_exits_zero() -> None:
    completed = subprocess.run([sys.executable, "-m", "corsguard.cli", "demo"], capture_output=True,
                               text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    assert "WildcardOriginNotAllowed" in completed.stdout


def test_demo_terminal_output_uses_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "\x1b[1;32mallowed\x1b[0m" in result.output
    assert "\x1b[1;31mblocked\x1b[0m" in result.output
    assert "┃" in result.output
