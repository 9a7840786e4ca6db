"""Real bug reports against CORS middleware, replayed through every framework integration.

Each server-side case of the bug table is written here as corsguard options plus requests and the
right outcome; `test_every_server_bug_case_is_replayed` keeps this list in step with the table.
Every integration serves the same small API: `/data` (GET, POST), `/journal/` (GET) and
`/private` (GET, 401 unless `Authorization: Bearer good`, checked by the framework's usual
authentication layer).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import Depends, FastAPI, HTTPException, Request

from corsguard import ConfigError

from .. import conformance
from .django_project import configure

configure()

APP_ORIGIN = "https://app.example.com"
EVIL_ORIGIN = "https://evil.example"
Send = Callable[[str, str, Mapping[str, str]], tuple[int, dict[str, str]]]

# --- one app per framework ------------------------------------------------------------------


def _require_token(request: Request) -> None:
    if request.headers.get("authorization") != "Bearer good":
        raise HTTPException(status_code=401, detail="not authenticated")


def starlette_app(options: dict[str, Any]) -> Send:
    from starlette.testclient import TestClient

    from corsguard.contrib.starlette import install

    app = FastAPI()
    app.add_api_route("/data", lambda: "ok", methods=["GET", "POST"])
    app.add_api_route("/journal/", lambda: "journal", methods=["GET"])
    app.add_api_route("/private", lambda: "secret", methods=["GET"], dependencies=[Depends(_require_token)])
    install(app, **options)
    client = TestClient(app)

    def send(method: str, path: str, headers: Mapping[str, str]) -> tuple[int, dict[str, str]]:
        response = client.request(method, path, headers=_latin1(headers), follow_redirects=False)
        return response.status_code, {name.lower(): value for name, value in response.headers.items()}

    return send


def _latin1(headers: Mapping[str, str]) -> dict[bytes, bytes]:
    """Encode headers as servers receive them, so that test clients accept any Latin-1 text."""
    return {name.encode("latin-1"): value.encode("latin-1") for name, value in headers.items()}


def flask_app(options: dict[str, Any]) -> Send:
    from flask import Flask, request

    from corsguard.contrib.flask import CORS

    app = Flask("bug_cases")
    app.add_url_rule("/data", "data", lambda: "ok", methods=["GET", "POST"])
    app.add_url_rule("/journal/", "journal", lambda: "journal")
    app.add_url_rule("/private", "private", lambda: "secret")

    @app.before_request
    def require_token() -> Any:
        if request.path == "/private" and request.headers.get("Authorization") != "Bearer good":
            return "not authenticated", 401
        return None

    CORS(app, **options)
    client = app.test_client()

    def send(method: str, path: str, headers: Mapping[str, str]) -> tuple[int, dict[str, str]]:
        response = client.open(path, method=method, headers=dict(headers))
        return response.status_code, {name.lower(): value for name, value in response.headers.items()}

    return send


def django_app(options: dict[str, Any]) -> Send:
    from django.test import Client, override_settings

    from corsguard.contrib.django import conf

    with override_settings(CORSGUARD=options):
        conf.get()  # raise ConfigError here, as the middleware does when Django loads it

    def send(method: str, path: str, headers: Mapping[str, str]) -> tuple[int, dict[str, str]]:
        environ = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
        settings_override = override_settings(
            CORSGUARD=options, ROOT_URLCONF=__name__,
            MIDDLEWARE=["corsguard.contrib.django.middleware.CORSMiddleware",
                        "tests.contrib.django_project.TokenAuthMiddleware"])
        with settings_override:
            response = Client().generic(method, path, **environ)  # type: ignore[arg-type]
        return response.status_code, {name.lower(): value for name, value in response.items()}

    return send


def litestar_app(options: dict[str, Any]) -> Send:
    from litestar import Litestar, get, post
    from litestar.connection import ASGIConnection
    from litestar.exceptions import NotAuthorizedException
    from litestar.testing import TestClient

    from corsguard.contrib.litestar import install

    def require_token(connection: ASGIConnection[Any, Any, Any, Any], handler: Any) -> None:
        if connection.headers.get("authorization") != "Bearer good":
            raise NotAuthorizedException("not authenticated")

    @get("/data", sync_to_thread=False)
    def read_data() -> str:
        return "ok"

    @post("/data", sync_to_thread=False, status_code=200)
    def write_data() -> str:
        return "ok"

    @get("/journal/", sync_to_thread=False)
    def journal() -> str:
        return "journal"

    @get("/private", sync_to_thread=False, guards=[require_token])
    def private() -> str:
        return "secret"

    app = Litestar(route_handlers=[read_data, write_data, journal, private])
    install(app, **options)

    def send(method: str, path: str, headers: Mapping[str, str]) -> tuple[int, dict[str, str]]:
        with TestClient(app) as client:
            response = client.request(method, path, headers=_latin1(headers), follow_redirects=False)
        return response.status_code, {name.lower(): value for name, value in response.headers.items()}

    return send


def aiohttp_app(options: dict[str, Any]) -> Send:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from corsguard.contrib.aiohttp import setup_cors

    async def text(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    @web.middleware
    async def require_token(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path == "/private" and request.headers.get("Authorization") != "Bearer good":
            raise web.HTTPUnauthorized(text="not authenticated")
        response: web.StreamResponse = await handler(request)
        return response

    def build() -> web.Application:
        app = web.Application(middlewares=[require_token])
        app.router.add_route("GET", "/data", text)
        app.router.add_route("POST", "/data", text)
        app.router.add_get("/journal/", text)
        app.router.add_get("/private", text)
        setup_cors(app, **options)
        return app

    build()  # raise ConfigError now

    async def request(method: str, path: str, headers: Mapping[str, str]) -> tuple[int, dict[str, str]]:
        async with TestClient(TestServer(build(), host="127.0.0.1")) as client:
            response = await client.request(method, path, headers=dict(headers), allow_redirects=False)
            return response.status, {name.lower(): value for name, value in response.headers.items()}

    def send(method: str, path: str, headers: Mapping[str, str]) -> tuple[int, dict[str, str]]:
        return asyncio.run(request(method, path, headers))

    return send


INTEGRATIONS: dict[str, Callable[[dict[str, Any]], Send]] = {
    "starlette": starlette_app, "flask": flask_app, "django": django_app, "litestar": litestar_app,
    "aiohttp": aiohttp_app,
}


def _django_data(request: Any) -> Any:
    from django.http import HttpResponse

    return HttpResponse("ok")


def _django_urlpatterns() -> list[Any]:
    from django.urls import path

    return [path("data", _django_data), path("journal/", _django_data), path("private", _django_data)]


urlpatterns = _django_urlpatterns()

# --- the cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    method: str
    path: str
    headers: Mapping[str, str]
    status: int | tuple[int, ...] | None = None
    present: Mapping[str, str] = field(default_factory=dict)  # header -> exact value
    absent: tuple[str, ...] = ()
    vary_contains: tuple[str, ...] = ()


@dataclass(frozen=True)
class BugCase:
    bug_id: str
    options: dict[str, Any]
    steps: tuple[Step, ...] = ()
    config_errors: tuple[str, ...] = ()  # expected problem codes; no steps then


def _preflight(path: str, method: str, origin: str = APP_ORIGIN, request_headers: str | None = None) -> dict[str, str]:
    headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if request_headers is not None:
        headers["Access-Control-Request-Headers"] = request_headers
    return headers


GRANTS = ("access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods",
          "access-control-allow-headers", "access-control-expose-headers")
CREDENTIALED = {"allow_origins": [APP_ORIGIN], "allow_credentials": True}

CASES = [
    BugCase("starlette-acac-on-rejected-origin", {**CREDENTIALED, "allow_methods": ["GET", "POST"]}, (
        Step("GET", "/data", {"Origin": EVIL_ORIGIN}, 200, absent=GRANTS, vary_contains=("Origin",)),
        Step("GET", "/data", {"Origin": APP_ORIGIN}, 200,
             {"access-control-allow-origin": APP_ORIGIN, "access-control-allow-credentials": "true"},
             vary_contains=("Origin",)),
    )),
    BugCase("starlette-acac-on-rejected-origin", {"allow_origins": ["api.example.com:9999"],
                                                  "allow_credentials": True}, config_errors=("origin-invalid",)),
    BugCase("starlette-bearer-token-gets-wildcard-origin", {"allow_origins": ["*"], "allow_credentials": True},
            config_errors=("origin-wildcard-with-credentials",)),
    BugCase("starlette-graphql-preflight-400",
            {**CREDENTIALED, "allow_methods": ["POST"], "allow_headers": ["Authorization", "Content-Type"]}, (
        Step("OPTIONS", "/data", _preflight("/data", "POST", request_headers="authorization,content-type"),
             (200, 204), {"access-control-allow-origin": APP_ORIGIN,
                          "access-control-allow-headers": "authorization,content-type"}),
        Step("OPTIONS", "/data", _preflight("/data", "POST", request_headers="access-control-allow-origin"),
             403, absent=GRANTS),
    )),
    BugCase("fastapi-options-405-not-a-preflight", {**CREDENTIALED, "allow_methods": ["GET", "POST"]}, (
        Step("OPTIONS", "/data", {"Accept": "*/*"}, absent=GRANTS),
    )),
    BugCase("flask-cors-false-string-enables-credentials",
            {"allow_origins": ["https://*.example.com"], "allow_credentials": "False"},
            config_errors=("option-type",)),
    BugCase("flask-cors-false-string-enables-credentials",
            {"allow_origins": ["https://*.example.com"], "allow_credentials": False,
             "allow_headers": ["Content-Type"], "allow_methods": ["POST"]}, (
        Step("OPTIONS", "/data", _preflight("/data", "POST", "https://app.local.example.com", "content-type"),
             (200, 204), {"access-control-allow-origin": "https://app.local.example.com"},
             absent=("access-control-allow-credentials",)),
    )),
    BugCase("flask-cors-preflight-trailing-slash-redirect",
            {**CREDENTIALED, "allow_headers": ["Content-Type", "Authorization"]}, (
        Step("OPTIONS", "/journal", _preflight("/journal", "GET", request_headers="authorization"), (200, 204),
             {"access-control-allow-origin": APP_ORIGIN, "access-control-allow-credentials": "true",
              "access-control-allow-headers": "authorization"}),
    )),
    BugCase("django-cors-allow-all-plus-credentials-wildcard", {"allow_origins": ["*"], "allow_credentials": True},
            config_errors=("origin-wildcard-with-credentials",)),
    BugCase("aiohttp-cors-auth-middleware-rejects-preflight", {**CREDENTIALED, "allow_headers": ["Authorization"]}, (
        Step("OPTIONS", "/private", _preflight("/private", "GET", request_headers="authorization"), (200, 204),
             {"access-control-allow-origin": APP_ORIGIN, "access-control-allow-headers": "authorization"}),
        Step("GET", "/private", {"Origin": APP_ORIGIN}, 401,
             {"access-control-allow-origin": APP_ORIGIN, "access-control-allow-credentials": "true"}),
        Step("GET", "/private", {"Origin": APP_ORIGIN, "Authorization": "Bearer good"}, 200,
             {"access-control-allow-origin": APP_ORIGIN}),
    )),
    BugCase("express-cors-credentials-with-default-wildcard", {"allow_origins": ["*"], "allow_credentials": True},
            config_errors=("origin-wildcard-with-credentials",)),
    BugCase("express-cors-no-vary-on-rejected-origin", {"allow_origins": [APP_ORIGIN]}, (
        Step("GET", "/data", {"Origin": EVIL_ORIGIN}, 200, absent=GRANTS, vary_contains=("Origin",)),
        Step("GET", "/data", {"Origin": APP_ORIGIN}, 200, {"access-control-allow-origin": APP_ORIGIN},
             vary_contains=("Origin",)),
    )),
]


def test_every_server_bug_case_is_replayed() -> None:
    table = {case["id"] for case in conformance.load("bug-cases.jsonl")
             if case["kind"] in ("server-middleware", "both")}
    assert {case.bug_id for case in CASES} == table


def _case_id(case: BugCase) -> str:
    return f"{case.bug_id}-{'config' if case.config_errors else 'requests'}"


@pytest.mark.parametrize("integration", sorted(INTEGRATIONS))
@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_bug_case(case: BugCase, integration: str) -> None:
    if case.config_errors:
        with pytest.raises(ConfigError) as caught:
            INTEGRATIONS[integration](case.options)
        codes = [problem.code for problem in caught.value.problems]
        for code in case.config_errors:
            assert code in codes
        return

    send = INTEGRATIONS[integration](case.options)
    for step in case.steps:
        status, headers = send(step.method, step.path, step.headers)
        label = f"{step.method} {step.path} {dict(step.headers)}"
        if step.status is not None:
            expected = step.status if isinstance(step.status, tuple) else (step.status,)
            assert status in expected, label
        for name, value in step.present.items():
            assert headers.get(name) == value, f"{label}: {name}"
        for name in step.absent:
            assert name not in headers, f"{label}: {name}"
        vary = {item.strip().lower() for item in headers.get("vary", "").split(",")}
        for name in step.vary_contains:
            assert name.lower() in vary, label
