"""`corsguard check`'s preflight diagnosis against real servers on 127.0.0.1.

Each server runs corsguard's own ASGI middleware (or a small app with another preflight rule)
under uvicorn and records every OPTIONS request it receives, so the tests can compare the probes
that the report lists with what reached the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console

from corsguard.asgi import CORSMiddleware, Receive, Scope, Send
from corsguard.browser import Checker, FetchRequest, RecordedResponse, RecordedTransport
from corsguard.browser.model import HeaderLines
from corsguard.browser.transports import TransportError
from corsguard.cli import main
from corsguard.cli.diagnose import diagnose_preflight, refused_preflight
from corsguard.cli.render import build_blocks, render_rich
from corsguard.servers import serve_asgi

FRONTEND = "http://localhost:5173"
OTHER_ORIGIN = "http://localhost:5174"

pytestmark = pytest.mark.server


class RecordingApp:
    """Wrap an ASGI app and keep the CORS request headers of every OPTIONS request it receives."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.preflights: list[dict[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
            self.preflights.append({name: value for name, value in headers.items()
                                    if name in ("origin", "access-control-request-method",
                                                "access-control-request-headers")})
        await self.app(scope, receive, send)


async def data_app(scope: Scope, receive: Receive, send: Send) -> None:
    body = b'{"ok": true}'
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def one_header_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Grant preflights that request at most one header; refuse others with 403 and no CORS header."""
    headers = dict(scope["headers"])
    requested = headers.get(b"access-control-request-headers", b"")
    origin = headers.get(b"origin", b"")
    if scope["method"] != "OPTIONS":
        await data_app(scope, receive, send)
        return
    if b"," in requested:
        await send({"type": "http.response.start", "status": 403, "headers": [(b"content-length", b"0")]})
    else:
        grant = [(b"access-control-allow-origin", origin), (b"access-control-allow-credentials", b"true"),
                 (b"access-control-allow-methods", b"PUT"), (b"access-control-allow-headers", requested),
                 (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 204, "headers": grant})
    await send({"type": "http.response.body", "body": b""})


@pytest.fixture(scope="module")
def strict_server() -> Iterator[tuple[str, RecordingApp]]:
    """corsguard allowing FRONTEND with credentials, method PUT and request header Content-Type."""
    app = RecordingApp(CORSMiddleware(data_app, allow_origins=[FRONTEND], allow_credentials=True,
                                      allow_methods=["PUT"], allow_headers=["Content-Type"]))
    with serve_asgi(app) as url:
        yield f"{url}/data", app


@pytest.fixture(scope="module")
def one_header_server() -> Iterator[str]:
    with serve_asgi(one_header_app) as url:
        yield f"{url}/data"


def run_check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.output


def check_json(*args: str) -> dict[str, Any]:
    status, output = run_check(*args, "--json")
    assert status == 1
    document: dict[str, Any] = json.loads(output)
    return document


def line_starting(output: str, prefix: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(prefix))


def results(diagnosis: dict[str, Any]) -> dict[str, str]:
    found = {"origin": diagnosis["origin"]["result"], "method": diagnosis["method"]["result"]}
    found.update({header["value"]: header["result"] for header in diagnosis["headers"]})
    return found


# --- a refused request header ------------------------------------------------------------------


PUT_WITH_TRACE = ("--origin", FRONTEND, "--method", "PUT", "--credentials", "include",
                  "-H", "Content-Type: application/json", "-H", "X-Trace: 1")


def test_refused_header_text(strict_server: tuple[str, RecordingApp]) -> None:
    url, _ = strict_server
    status, output = run_check(url, *PUT_WITH_TRACE)

    assert status == 1
    assert output.startswith("BLOCKED  PUT ")
    assert "Diagnosis: corsguard sent these preflights itself" in output
    assert "a browser does not send them" in output
    assert line_starting(output, "Probe 1:").endswith("-> 204 accepted")
    assert line_starting(output, "Probe 3:").startswith("Probe 3: header x-trace alone, method PUT")
    assert line_starting(output, "Probe 3:").endswith("-> 403 refused")
    assert line_starting(output, "Finding:") == (
        "Finding: The server refuses request header x-trace; origin http://localhost:5173, method PUT "
        "and request header content-type are accepted.")
    fix = line_starting(output, "Fix:")
    assert '`allow_headers=[..., "X-Trace"]`' in fix
    assert "allow_methods" not in fix
    assert "allow_origins" not in fix


def test_probes_come_after_browser_steps(strict_server: tuple[str, RecordingApp]) -> None:
    url, _ = strict_server
    _, output = run_check(url, *PUT_WITH_TRACE)

    assert "Step 2:" not in output
    assert output.index("Step 1: preflight") < output.index("Why:") < output.index("Diagnosis:")
    assert output.index("Diagnosis:") < output.index("Fix:")


def test_refused_header_json(strict_server: tuple[str, RecordingApp]) -> None:
    url, app = strict_server
    app.preflights.clear()
    document = check_json(url, *PUT_WITH_TRACE)

    assert document["verdict"] == "blocked"
    assert len(document["exchanges"]) == 1
    diagnosis = document["diagnosis"]
    assert "a browser does not send them" in diagnosis["note"]
    assert results(diagnosis) == {"origin": "accepted", "method": "accepted", "content-type": "accepted",
                                  "x-trace": "refused"}
    assert diagnosis["origin"]["value"] == FRONTEND
    assert diagnosis["method"]["value"] == "PUT"
    assert diagnosis["fix"].startswith('Add X-Trace to the allowed request headers')
    assert [probe["accepted"] for probe in diagnosis["probes"]] == [True, True, False]
    assert [probe["response"]["status"] for probe in diagnosis["probes"]] == [204, 204, 403]
    assert {probe["method"] for probe in diagnosis["probes"]} == {"OPTIONS"}
    assert {probe["url"] for probe in diagnosis["probes"]} == {url}


def test_server_received_listed_probes(strict_server: tuple[str, RecordingApp]) -> None:
    url, app = strict_server
    app.preflights.clear()
    document = check_json(url, *PUT_WITH_TRACE)

    browser, *probes = app.preflights
    assert browser["access-control-request-headers"] == "content-type,x-trace"
    assert probes == [
        {"origin": FRONTEND, "access-control-request-method": "PUT"},
        {"origin": FRONTEND, "access-control-request-method": "PUT", "access-control-request-headers": "content-type"},
        {"origin": FRONTEND, "access-control-request-method": "PUT", "access-control-request-headers": "x-trace"},
    ]
    assert len(probes) == len(document["diagnosis"]["probes"])


def test_probe_copies_other_headers(strict_server: tuple[str, RecordingApp]) -> None:
    url, _ = strict_server
    document = check_json(url, *PUT_WITH_TRACE)

    browser_names = [name for name, _ in document["exchanges"][0]["request_headers"]]
    first_probe = dict(document["diagnosis"]["probes"][0]["request_headers"])
    assert list(first_probe) == [name for name in browser_names if name != "access-control-request-headers"]
    assert first_probe["sec-fetch-mode"] == "cors"


# --- a refused method and a refused origin ------------------------------------------------------


def test_refused_method_text(strict_server: tuple[str, RecordingApp]) -> None:
    url, app = strict_server
    app.preflights.clear()
    status, output = run_check(url, "--origin", FRONTEND, "--method", "delete")

    assert status == 1
    assert output.startswith("BLOCKED  DELETE ")
    assert line_starting(output, "Probe 1:").startswith("Probe 1: method GET alone")
    assert "Probe 2:" not in output
    assert line_starting(output, "Finding:") == (
        "Finding: The server refuses method DELETE; origin http://localhost:5173 is accepted.")
    fix = line_starting(output, "Fix:")
    assert '`allow_methods=[..., "DELETE"]`' in fix
    assert "allow_headers" not in fix
    assert len(app.preflights) == 2


def test_refused_method_and_header_json(strict_server: tuple[str, RecordingApp]) -> None:
    url, app = strict_server
    app.preflights.clear()
    document = check_json(url, "--origin", FRONTEND, "--method", "DELETE", "-H", "X-Trace: 1",
                          "-H", "Content-Type: application/json")

    diagnosis = document["diagnosis"]
    assert results(diagnosis) == {"origin": "accepted", "method": "refused", "content-type": "accepted",
                                  "x-trace": "refused"}
    assert [probe["purpose"] for probe in diagnosis["probes"]] == [
        "method DELETE alone", "method GET alone", "header content-type alone, method GET",
        "header x-trace alone, method GET"]
    assert '`allow_methods=[..., "DELETE"]`' in diagnosis["fix"]
    assert '`allow_headers=[..., "X-Trace"]`' in diagnosis["fix"]
    assert "allow_origins" not in diagnosis["fix"]
    assert len(diagnosis["probes"]) == 1 + 2 + 1  # the bound: 1 + requested headers + 1
    assert len(app.preflights) == 1 + len(diagnosis["probes"])


def test_refused_origin_text(strict_server: tuple[str, RecordingApp]) -> None:
    url, _ = strict_server
    status, output = run_check(url, "--origin", OTHER_ORIGIN, "--method", "PUT", "-H", "X-Trace: 1")

    assert status == 1
    assert "which requested method PUT and header x-trace." in line_starting(output, "Why:")
    assert line_starting(output, "Probe 1:").endswith("-> 403 refused")
    assert line_starting(output, "Probe 2:").startswith("Probe 2: method GET alone")
    assert line_starting(output, "Probe 2:").endswith("-> 403 refused")
    assert line_starting(output, "Finding:").startswith(
        "Finding: The server refuses every preflight from origin http://localhost:5174, even one for GET")
    fix = line_starting(output, "Fix:")
    assert fix.startswith("Fix: Add http://localhost:5174 to the allowed origins")
    assert '`allow_origins=[..., "http://localhost:5174"]`' in fix
    assert "X-Trace" not in fix
    assert "PUT" not in fix


def test_refused_origin_json(strict_server: tuple[str, RecordingApp]) -> None:
    url, _ = strict_server
    document = check_json(url, "--origin", OTHER_ORIGIN, "--method", "PUT", "-H", "X-Trace: 1")

    assert results(document["diagnosis"]) == {"origin": "refused", "method": "untested", "x-trace": "untested"}
    assert len(document["diagnosis"]["probes"]) == 2


def test_policy_without_methods_names_the_header() -> None:
    """A policy that lists no method or header still grants the GET probe, so the cause is exact."""
    app = CORSMiddleware(data_app, allow_origins=[FRONTEND])
    with serve_asgi(app) as base:
        document = check_json(f"{base}/data", "--origin", FRONTEND, "-H", "X-Trace: 1")

    assert results(document["diagnosis"]) == {"origin": "accepted", "method": "accepted", "x-trace": "refused"}
    assert '`allow_headers=[..., "X-Trace"]`' in document["diagnosis"]["fix"]


def test_null_origin_fix(strict_server: tuple[str, RecordingApp]) -> None:
    url, _ = strict_server
    document = check_json(url, "--origin", "null", "--method", "PUT")

    diagnosis = document["diagnosis"]
    assert diagnosis["origin"] == {"value": "null", "result": "refused"}
    assert "serve the page from a real origin" in diagnosis["fix"]


# --- when no diagnosis runs ------------------------------------------------------------------------


def test_no_diagnose_sends_nothing_more(strict_server: tuple[str, RecordingApp]) -> None:
    url, app = strict_server
    app.preflights.clear()
    status, output = run_check(url, *PUT_WITH_TRACE, "--no-diagnose")

    assert status == 1
    assert "Diagnosis" not in output
    assert "Probe 1" not in output
    assert "`allow_methods` contains `PUT`" in line_starting(output, "Fix:")
    assert len(app.preflights) == 1


def test_no_diagnose_json_is_null(strict_server: tuple[str, RecordingApp]) -> None:
    url, _ = strict_server
    document = check_json(url, *PUT_WITH_TRACE, "--no-diagnose")

    assert document["diagnosis"] is None


def test_allowed_request_not_diagnosed(strict_server: tuple[str, RecordingApp]) -> None:
    url, app = strict_server
    app.preflights.clear()
    result = CliRunner().invoke(main, ["check", url, "--origin", FRONTEND, "--method", "PUT",
                                       "-H", "Content-Type: application/json", "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["diagnosis"] is None
    assert len(app.preflights) == 1


def test_actual_stage_block_not_diagnosed(strict_server: tuple[str, RecordingApp]) -> None:
    url, app = strict_server
    app.preflights.clear()
    document = check_json(url, "--origin", OTHER_ORIGIN)

    assert document["error"]["stage"] == "actual"
    assert document["diagnosis"] is None
    assert app.preflights == []


def test_preflight_with_cors_headers_not_diagnosed(one_header_server: str) -> None:
    document = check_json(one_header_server, "--origin", FRONTEND, "--method", "PATCH", "--credentials", "include")

    assert document["error"]["chromium"] == "MethodDisallowedByPreflightResponse"
    assert document["diagnosis"] is None


def test_explain_never_diagnoses(tmp_path: Path) -> None:
    # The recording names a closed loopback port, so a request sent by mistake stays on this machine.
    recording = ("PUT http://127.0.0.1:9/data HTTP/1.1\nOrigin: http://localhost:5173\nX-Trace: 1\n\n"
                 "OPTIONS http://127.0.0.1:9/data HTTP/1.1\nOrigin: http://localhost:5173\n"
                 "Access-Control-Request-Method: PUT\nAccess-Control-Request-Headers: x-trace\n\n"
                 "HTTP/1.1 403 Forbidden\nContent-Length: 0\n\n")
    path = tmp_path / "refused.http"
    path.write_text(recording)

    result = CliRunner().invoke(main, ["explain", str(path), "--json"])

    assert result.exit_code == 1, result.output
    verdict = json.loads(result.output)["fetches"][0]["verdict"]
    assert verdict["error"]["chromium"] == "PreflightMissingAllowOriginHeader"
    assert "diagnosis" not in verdict
    assert "Diagnosis" not in CliRunner().invoke(main, ["explain", str(path), "-v"]).output


# --- servers that refuse the combination, and probes without a response ----------------------------


def test_combination_refusal_keeps_verdict_fix(one_header_server: str) -> None:
    status, output = run_check(one_header_server, "--origin", FRONTEND, "--method", "PUT",
                               "--credentials", "include", "-H", "X-One: 1", "-H", "X-Two: 2")

    assert status == 1
    assert line_starting(output, "Finding:").startswith(
        "Finding: The server accepts origin http://localhost:5173, method PUT and each requested header alone, "
        "but refuses the full preflight.")
    assert "`allow_methods` contains `PUT`" in line_starting(output, "Fix:")


class FailingTransport:
    """Return the listed responses in turn, then raise TransportError as a refused connection does."""

    def __init__(self, responses: list[RecordedResponse]) -> None:
        self.responses = responses
        self.sent: list[str] = []

    def send(self, method: str, url: str, headers: HeaderLines) -> RecordedResponse:
        self.sent.append(method)
        if not self.responses:
            raise TransportError(f"{method} {url} failed: connection refused")
        return self.responses.pop(0)


def refused_verdict() -> tuple[FetchRequest, Any]:
    request = FetchRequest(url="http://127.0.0.1:9/data", origin=FRONTEND, method="PUT",
                           headers=(("X-One", "1"), ("X-Two", "2")))
    verdict = Checker().check(request, RecordedTransport([RecordedResponse(403)]))
    return request, verdict


def test_probe_failure_stops_diagnosis() -> None:
    request, verdict = refused_verdict()
    granted = RecordedResponse(204, (("Access-Control-Allow-Origin", FRONTEND),
                                     ("Access-Control-Allow-Methods", "PUT")))
    transport = FailingTransport([granted])

    diagnosis = diagnose_preflight(request, verdict, transport)

    assert diagnosis is not None
    assert transport.sent == ["OPTIONS", "OPTIONS"]
    assert [probe.accepted for probe in diagnosis.probes] == [True, None]
    assert diagnosis.header_results == (("x-one", "untested"), ("x-two", "untested"))
    assert diagnosis.finding.startswith("The diagnosis is incomplete because diagnostic preflight 2 got no response")
    assert diagnosis.fix == ""
    assert diagnosis.to_dict()["fix"] is None


def test_refused_preflight_needs_no_cors_headers() -> None:
    request, verdict = refused_verdict()
    assert refused_preflight(verdict) is not None

    partial = RecordedResponse(403, (("Access-Control-Allow-Origin", FRONTEND),))
    verdict = Checker().check(request, RecordedTransport([partial]))
    assert verdict.error is not None
    assert verdict.error.stage == "preflight"
    assert refused_preflight(verdict) is None


def test_rich_output_labels_probes(strict_server: tuple[str, RecordingApp]) -> None:
    from corsguard.browser import HTTPTransport
    from corsguard.cli.check import make_client

    url, _ = strict_server
    request = FetchRequest(url=url, origin=FRONTEND, method="PUT", headers=(("X-Trace", "1"),))
    with make_client(5.0) as client:
        transport = HTTPTransport(client)
        verdict = Checker().check(request, transport)
        diagnosis = diagnose_preflight(request, verdict, transport)
    output = StringIO()

    render_rich(build_blocks(request, verdict, diagnosis), Console(file=output, force_terminal=True, width=200))

    text = output.getvalue()
    assert "a browser does not send them" in text
    assert "header x-trace alone" in text
    assert "403 refused" in text
    assert 'allow_headers=[..., "X-Trace"]' in text
