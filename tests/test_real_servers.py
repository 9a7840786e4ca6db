"""`corsguard check` over sockets against FastAPI under uvicorn and Flask under waitress.

Both apps sit behind corsguard's middleware with the same policy, so every case must reach the
same verdict on both servers. The apps record the Cookie header they receive.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi import FastAPI, Request, Response
from flask import Flask, jsonify, request

from corsguard.asgi import CORSMiddleware as ASGICORSMiddleware
from corsguard.cli import main
from corsguard.servers import serve_asgi, serve_wsgi
from corsguard.wsgi import CORSMiddleware as WSGICORSMiddleware

pytestmark = pytest.mark.server

FRONTEND = "http://127.0.0.1:5173"
POLICY: dict[str, Any] = {
    "allow_origins": [FRONTEND],
    "allow_credentials": True,
    "allow_methods": ["GET", "PUT"],
    "allow_headers": ["X-CSRF-Token"],
    "expose_headers": ["X-Total-Count"],
}


@dataclass
class Server:
    """A running app: its base URL and the Cookie header of every request it handled."""

    url: str
    cookies_seen: list[str | None] = field(default_factory=list)


@contextlib.contextmanager
def fastapi_server() -> Iterator[Server]:
    app = FastAPI()
    seen: list[str | None] = []

    @app.get("/items")
    def list_items(request: Request, response: Response) -> dict[str, Any]:
        seen.append(request.headers.get("cookie"))
        response.headers["X-Total-Count"] = "2"
        response.headers["X-Internal"] = "hidden"
        return {"items": ["a", "b"], "session": request.cookies.get("sessionId")}

    @app.put("/items")
    def replace_items(request: Request) -> dict[str, Any]:
        seen.append(request.headers.get("cookie"))
        return {"replaced": True}

    app.add_middleware(ASGICORSMiddleware, **POLICY)
    with serve_asgi(app) as url:
        yield Server(url, seen)


@contextlib.contextmanager
def flask_server() -> Iterator[Server]:
    app = Flask(__name__)
    seen: list[str | None] = []

    @app.get("/items")
    def list_items() -> Any:
        seen.append(request.headers.get("Cookie"))
        response = jsonify(items=["a", "b"], session=request.cookies.get("sessionId"))
        response.headers["X-Total-Count"] = "2"
        response.headers["X-Internal"] = "hidden"
        return response

    @app.put("/items")
    def replace_items() -> Any:
        seen.append(request.headers.get("Cookie"))
        return jsonify(replaced=True)

    app.wsgi_app = WSGICORSMiddleware(app.wsgi_app, **POLICY)
    with serve_wsgi(app) as url:
        yield Server(url, seen)


SERVERS: dict[str, Callable[[], AbstractContextManager[Server]]] = {
    "fastapi-uvicorn": fastapi_server,
    "flask-waitress": flask_server,
}


@pytest.fixture(scope="module", params=list(SERVERS))
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    with SERVERS[request.param]() as running:
        yield running


def check(server: Server, *args: str) -> tuple[int, dict[str, Any]]:
    server.cookies_seen.clear()
    result = CliRunner().invoke(main, ["check", f"{server.url}/items", "--json", *args])
    assert result.exit_code in (0, 1), result.output
    verdict: dict[str, Any] = json.loads(result.output)
    return result.exit_code, verdict


def test_allowed_origin_reads_response(server: Server) -> None:
    status, verdict = check(server, "--origin", FRONTEND, "--credentials", "include")
    assert status == 0
    assert verdict["verdict"] == "allowed"
    assert verdict["preflight_needed"] is False
    assert verdict["error"] is None
    assert verdict["status"] == 200
    assert "x-total-count" in verdict["visible_headers"]
    assert "content-type" in verdict["visible_headers"]
    assert "x-internal" not in verdict["visible_headers"]


def test_unknown_origin_is_blocked(server: Server) -> None:
    status, verdict = check(server, "--origin", "https://evil.example", "--credentials", "include")
    assert status == 1
    assert verdict["verdict"] == "blocked"
    assert verdict["error"]["stage"] == "actual"
    assert verdict["error"]["chromium"] == "MissingAllowOriginHeader"
    assert verdict["error"]["firefox"] == "CORSMissingAllowOrigin"
    assert verdict["visible_headers"] is None


def test_preflight_allowed_for_listed_header(server: Server) -> None:
    status, verdict = check(server, "--origin", FRONTEND, "--method", "PUT", "-H", "X-CSRF-Token: 1",
                            "--credentials", "include")
    assert status == 0
    assert verdict["verdict"] == "allowed"
    assert verdict["preflight_needed"] is True
    preflight = dict(verdict["preflight_request"])
    assert preflight["access-control-request-method"] == "PUT"
    assert preflight["access-control-request-headers"] == "x-csrf-token"
    assert [exchange["method"] for exchange in verdict["exchanges"]] == ["OPTIONS", "PUT"]


def test_preflight_refused_for_unlisted_header(server: Server) -> None:
    status, verdict = check(server, "--origin", FRONTEND, "-H", "X-Debug: 1", "--credentials", "include")
    assert status == 1
    assert verdict["verdict"] == "blocked"
    assert verdict["error"]["stage"] == "preflight"
    assert verdict["error"]["chromium"] == "PreflightMissingAllowOriginHeader"
    assert server.cookies_seen == []


def test_preflight_refused_for_unlisted_method(server: Server) -> None:
    status, verdict = check(server, "--origin", FRONTEND, "--method", "DELETE")
    assert status == 1
    assert verdict["error"]["stage"] == "preflight"
    assert [exchange["method"] for exchange in verdict["exchanges"]] == ["OPTIONS"]


def test_credentials_include_sends_cookie(server: Server) -> None:
    status, verdict = check(server, "--origin", FRONTEND, "--credentials", "include",
                            "--cookie", "sessionId=abc123")
    assert status == 0
    assert verdict["credentials_attached"]["actual"] is True
    assert server.cookies_seen == ["sessionId=abc123"]


def test_credentials_omit_sends_no_cookie(server: Server) -> None:
    status, verdict = check(server, "--origin", FRONTEND, "--credentials", "omit", "--cookie", "sessionId=abc123")
    assert status == 0
    assert verdict["credentials_attached"]["actual"] is False
    assert server.cookies_seen == [None]


def test_plain_output_names_error_and_fix(server: Server) -> None:
    result = CliRunner().invoke(main, ["check", f"{server.url}/items", "--origin", "https://evil.example"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"BLOCKED  GET {server.url}/items from https://evil.example")
    assert any(line.startswith("Chromium error:") and "MissingAllowOriginHeader" in line for line in lines)
    assert any(line.startswith("Why: ") for line in lines)
    assert any(line.startswith("Fix: ") for line in lines)
    assert "\x1b[" not in result.output


@pytest.mark.parametrize(
    ("args", "expected_status"),
    [
        (["--origin", FRONTEND, "--credentials", "include"], 0),
        (["--origin", "https://evil.example"], 1),
        (["--origin", "not an origin"], 2),
    ],
)
def test_console_script_exit_status(server: Server, args: list[str], expected_status: int) -> None:
    script = os.path.join(os.path.dirname(sys.executable), "corsguard")
    command = [script] if os.path.exists(script) else [sys.executable, "-m", "corsguard.cli"]
    completed = subprocess.run([*command, "check", f"{server.url}/items", *args], capture_output=True,
                               text=True, timeout=60, check=False)
    assert completed.returncode == expected_status, completed.stdout + completed.stderr
    assert "Traceback" not in completed.stderr
    if expected_status == 2:
        assert completed.stderr.count("\n") == 1
