"""Regression tests for real bug reports against CORS middleware (bug-cases.jsonl, server side).

Each test is named after the case id. corsguard configured the same way must either give the
right response or reject the configuration with a clear error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from flask import Blueprint, Flask
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from corsguard import ConfigError
from corsguard.asgi import CORSMiddleware as ASGIMiddleware
from corsguard.wsgi import CORSMiddleware as WSGIMiddleware

from . import conformance

APP_ORIGIN = "https://app.example.com"
BUG_IDS = {case["id"] for case in conformance.load("bug-cases.jsonl")
           if case["kind"] in ("server-middleware", "both")}


async def _hello(request: Request) -> Response:
    return PlainTextResponse("hello")


def _flask_app() -> Flask:
    app = Flask("bug_regressions")

    @app.route("/", methods=["GET", "POST"], provide_automatic_options=False)
    def hello() -> str:
        return "hello"

    return app


def asgi_client(**options: Any) -> TestClient:
    app = Starlette(routes=[Route("/", _hello, methods=["GET", "POST"])])
    return TestClient(ASGIMiddleware(app, **options), base_url="http://api.test")


def wsgi_client(**options: Any) -> httpx.Client:
    app = WSGIMiddleware(_flask_app(), **options)
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://api.test")


CLIENTS: dict[str, Callable[..., Any]] = {"asgi": asgi_client, "wsgi": wsgi_client}


def _problem_codes(**options: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        asgi_client(**options)
    return [problem.code for problem in caught.value.problems]


def test_every_server_bug_case_has_a_test() -> None:
    names = {name.removeprefix("test_").replace("_", "-") for name in globals() if name.startswith("test_")}
    missing = {case_id for case_id in BUG_IDS if not any(name.startswith(case_id) for name in names)}
    assert not missing


@pytest.mark.parametrize("layer", CLIENTS)
def test_starlette_acac_on_rejected_origin(layer: str) -> None:
    assert _problem_codes(allow_origins=["api.example.com:9999"], allow_credentials=True) == ["origin-invalid"]
    client = CLIENTS[layer](allow_origins=[APP_ORIGIN], allow_credentials=True, max_age=3600)
    response = client.get("/", headers={"Origin": "https://other.example.com"})
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-credentials" not in response.headers
    assert response.headers["vary"] == "Origin"


@pytest.mark.parametrize("layer", CLIENTS)
def test_starlette_bearer_token_gets_wildcard_origin(layer: str) -> None:
    assert _problem_codes(allow_origins=["*"], allow_credentials=True) == ["origin-wildcard-with-credentials"]
    client = CLIENTS[layer](allow_origins=[APP_ORIGIN], allow_credentials=True, allow_headers=["Authorization"])
    response = client.get("/", headers={"Origin": APP_ORIGIN, "Authorization": "Bearer token"})
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["vary"] == "Origin"


@pytest.mark.parametrize("layer", CLIENTS)
def test_starlette_graphql_preflight_400(layer: str) -> None:
    assert _problem_codes(allow_origins=[APP_ORIGIN], allow_headers=["Access-Control-Allow-Origin"]) == [
        "header-prohibited"]
    preflight = {"Origin": APP_ORIGIN, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "access-control-allow-origin,authorization,content-type"}
    refused = CLIENTS[layer](allow_origins=[APP_ORIGIN], allow_methods=["GET"]).options("/", headers=preflight)
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers

    client = CLIENTS[layer](allow_origins=[APP_ORIGIN], allow_methods=["POST"],
                            allow_headers=["Authorization", "Content-Type"])
    preflight["Access-Control-Request-Headers"] = "authorization,content-type"
    allowed = client.options("/", headers=preflight)
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-headers"] == "authorization,content-type"


@pytest.mark.parametrize("layer", CLIENTS)
def test_fastapi_options_405_not_a_preflight(layer: str) -> None:
    client = CLIENTS[layer](allow_origins=[APP_ORIGIN])
    response = client.options("/", headers={"Accept": "*/*"})
    assert response.status_code == 405
    assert "access-control-allow-origin" not in response.headers


def test_flask_cors_false_string_enables_credentials() -> None:
    assert _problem_codes(allow_origins=[APP_ORIGIN], allow_credentials="False") == ["option-type"]


def test_flask_cors_preflight_trailing_slash_redirect() -> None:
    app = Flask("journal")
    journal = Blueprint("journal", "journal")

    @journal.get("/")
    def entries() -> dict[str, list[str]]:
        return {"entries": []}

    app.register_blueprint(journal, url_prefix="/journal")
    options = {"allow_origins": [APP_ORIGIN], "allow_credentials": True,
               "allow_headers": ["Content-Type", "Authorization"]}
    client = httpx.Client(transport=httpx.WSGITransport(app=WSGIMiddleware(app, **options)),
                          base_url="http://api.test")
    assert client.get("/journal").status_code == 308
    response = client.options("/journal", headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "GET",
                                                    "Access-Control-Request-Headers": "authorization"})
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["access-control-allow-headers"] == "authorization"


@pytest.mark.parametrize("layer", CLIENTS)
def test_django_cors_allow_all_plus_credentials_wildcard(layer: str) -> None:
    assert _problem_codes(allow_origins=["*"], allow_credentials=True) == ["origin-wildcard-with-credentials"]
    client = CLIENTS[layer](allow_origins=["https://example.com"], allow_credentials=True)
    response = client.get("/", headers={"Origin": "https://example.com", "Cookie": "sessionid=fake123"})
    assert response.headers["access-control-allow-origin"] == "https://example.com"
    assert response.headers["vary"] == "Origin"


async def _protected(request: Request) -> Response:
    if request.headers.get("authorization") != "Bearer token":
        return JSONResponse({"detail": "unauthorized"}, status_code=401)
    return JSONResponse({"data": 1})


def test_aiohttp_cors_auth_middleware_rejects_preflight() -> None:
    app = Starlette(routes=[Route("/api/data", _protected, methods=["GET"])])
    client = TestClient(ASGIMiddleware(app, allow_origins=[APP_ORIGIN], allow_headers=["Authorization"]))
    preflight = client.options("/api/data", headers={
        "Origin": APP_ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-headers"] == "authorization"
    anonymous = client.get("/api/data", headers={"Origin": APP_ORIGIN})
    assert anonymous.status_code == 401
    assert anonymous.headers["access-control-allow-origin"] == APP_ORIGIN
    authorized = client.get("/api/data", headers={"Origin": APP_ORIGIN, "Authorization": "Bearer token"})
    assert authorized.json() == {"data": 1}


def test_express_cors_credentials_with_default_wildcard() -> None:
    assert _problem_codes(allow_origins=["*"], allow_credentials=True) == ["origin-wildcard-with-credentials"]


@pytest.mark.parametrize("layer", CLIENTS)
def test_express_cors_no_vary_on_rejected_origin(layer: str) -> None:
    client = CLIENTS[layer](allow_origins=[APP_ORIGIN])
    rejected = client.get("/", headers={"Origin": "https://evil.example.net"})
    assert "access-control-allow-origin" not in rejected.headers
    assert rejected.headers["vary"] == "Origin"
    allowed = client.get("/", headers={"Origin": APP_ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
    assert allowed.headers["vary"] == "Origin"
