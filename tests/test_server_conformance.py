"""The server conformance table, run against the policy core, the ASGI and the WSGI middleware."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from corsguard import ConfigError, Policy
from corsguard.asgi import CORSMiddleware as ASGIMiddleware
from corsguard.asgi import read_cors_headers
from corsguard.wsgi import CORSMiddleware as WSGIMiddleware

from . import conformance

pytestmark = pytest.mark.filterwarnings("ignore::corsguard.ConfigWarning")
from .conformance import Response

REQUEST_CASES = conformance.request_cases()
APP_STATUS = 200


def run_core(case: dict[str, Any]) -> Response:
    policy = Policy(**conformance.options_for(case))
    lines = conformance.header_lines(case)
    raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in lines]
    origin, request_method, request_headers, private_network = read_cors_headers(raw)
    predicate_allows = False
    if policy.needs_predicate(origin):
        assert origin is not None
        headers = {}
        for name, value in lines:
            headers.setdefault(name.lower(), value)
        predicate_allows = policy.call_predicate(origin, headers) is True
    decision = policy.decide(case["request"]["method"], origin, request_method, request_headers,
                             private_network, predicate_allows=predicate_allows)
    added = list(decision.headers)
    if decision.vary:
        added.append(("Vary", ", ".join(decision.vary)))
    if decision.preflight_status is not None:
        return Response(decision.preflight_status, added, handler_called=False)
    return Response(APP_STATUS, added, handler_called=True)


def _added_headers(final: list[tuple[str, str]], app_headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers the middleware added; a merged Vary counts without the app's own names."""
    app_vary = {value.lower() for name, value in app_headers if name.lower() == "vary"}
    added = []
    for name, value in final:
        if name.lower() == "vary":
            names = [item.strip() for item in value.split(",") if item.strip().lower() not in app_vary]
            if names:
                added.append((name, ", ".join(names)))
        elif (name, value) not in app_headers:
            added.append((name, value))
    return added


def _app_headers(case: dict[str, Any]) -> list[tuple[str, str]]:
    headers = [("Content-Type", "text/plain")]
    vary = conformance.preexisting_vary(case)
    if vary:
        headers.append(("Vary", vary))
    return headers


def run_asgi(case: dict[str, Any]) -> Response:
    called = []
    app_headers = _app_headers(case)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        called.append(True)
        await send({"type": "http.response.start", "status": APP_STATUS,
                    "headers": [(n.lower().encode(), v.encode()) for n, v in app_headers]})
        await send({"type": "http.response.body", "body": b"ok"})

    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    middleware = ASGIMiddleware(app, **conformance.options_for(case))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": case["request"]["method"], "scheme": "http", "path": "/", "raw_path": b"/",
        "query_string": b"", "root_path": "",
        "headers": [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in conformance.header_lines(case)],
        "client": ("127.0.0.1", 1234), "server": ("127.0.0.1", 80),
    }
    asyncio.run(middleware(scope, receive, send))
    start = messages[0]
    final = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in start["headers"]]
    final = [(name, value) for name, value in final if name != "content-length"]
    app_lower = [(n.lower(), v) for n, v in app_headers]
    return Response(start["status"], _added_headers(final, app_lower), bool(called))


def wsgi_environ(case: dict[str, Any]) -> dict[str, Any]:
    """Build a WSGI environ the way servers do: repeated header lines joined with commas."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": case["request"]["method"], "PATH_INFO": "/", "SCRIPT_NAME": "",
        "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
    }
    for name, value in conformance.header_lines(case):
        key = "HTTP_" + name.upper().replace("-", "_")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def run_wsgi(case: dict[str, Any]) -> Response:
    called = []
    app_headers = _app_headers(case)

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        called.append(True)
        start_response(f"{APP_STATUS} OK", list(app_headers))
        return [b"ok"]

    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"] = int(status.split()[0])
        captured["headers"] = headers
        return lambda data: None

    middleware = WSGIMiddleware(app, **conformance.options_for(case))
    body = middleware(wsgi_environ(case), start_response)
    b"".join(body)
    final = [(name, value) for name, value in captured["headers"] if name.lower() != "content-length"]
    return Response(captured["status"], _added_headers(final, app_headers), bool(called))


LAYERS = {"core": run_core, "asgi": run_asgi, "wsgi": run_wsgi}


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("case", REQUEST_CASES, ids=list(conformance.ids(REQUEST_CASES)))
def test_request_case(case: dict[str, Any], layer: str) -> None:
    try:
        response = LAYERS[layer](case)
    except ConfigError:
        allowed, _ = conformance.DEVIATIONS.get(case["id"], (frozenset(), ""))
        assert "config" in allowed, f"{case['id']}: corsguard rejects the configuration"
        return
    conformance.check(case, response)


@pytest.mark.parametrize("case", conformance.edge_cases(), ids=list(conformance.ids(conformance.edge_cases())))
@pytest.mark.parametrize("layer", LAYERS)
def test_edge_case_does_not_raise(case: dict[str, Any], layer: str) -> None:
    response = LAYERS[layer](case)
    assert response.status in (200, 204, 403)


def test_deviations_are_documented() -> None:
    page = (conformance.REPO / "docs" / "deviations.md").read_text(encoding="utf-8")
    for case_id in conformance.DEVIATIONS:
        assert case_id in page, f"{case_id} is not listed on docs/deviations.md"


@pytest.mark.parametrize("case", conformance.server_cases("config"),
                         ids=list(conformance.ids(conformance.server_cases("config"))))
def test_config_case(case: dict[str, Any]) -> None:
    options = conformance.options_for(case)
    expected = case["expected"]
    if expected["outcome"] == "config_accepted":
        Policy(**options)
        return
    with pytest.raises(ConfigError) as caught:
        Policy(**options)
    problems = caught.value.problems
    field_prefix = {"origin": "origin", "method": "method", "request_header": "header",
                    "exposed_header": "expose", "max_age": "max-age"}
    for error in expected["config_errors"]:
        prefix = field_prefix[error["field"]]
        matching = [p for p in problems if p.code.startswith(prefix)
                    and (error["value"] is None or p.value == error["value"] or error["field"] == "max_age")]
        assert matching, f"no {prefix}* problem for {error} in {problems}"


@pytest.mark.parametrize("case", conformance.server_cases("config_normalization"),
                         ids=list(conformance.ids(conformance.server_cases("config_normalization"))))
def test_config_normalization_case(case: dict[str, Any]) -> None:
    policy = Policy(**conformance.options_for(case))
    described = policy.describe()
    names = {"allowed_origins": "allow_origins", "allowed_methods": "allow_methods",
             "allowed_request_headers": "allow_headers", "exposed_headers": "expose_headers",
             "max_age_seconds": "max_age"}
    for key, value in case["expected"]["normalized_policy"].items():
        assert described[names[key]] == value, key
