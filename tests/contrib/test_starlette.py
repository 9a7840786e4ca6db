"""Starlette and FastAPI: the drop-in middleware, `install`, 500 responses and authentication."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI, HTTPException, Request
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, SimpleUser
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from corsguard import ConfigError
from corsguard.contrib.starlette import CORSMiddleware, build_policy, install
from corsguard.servers import serve_asgi

from .live import browser_check

APP_ORIGIN = "https://app.example.com"
EVIL_ORIGIN = "https://evil.example"
CREDENTIALED: dict[str, Any] = {"allow_origins": [APP_ORIGIN], "allow_credentials": True,
                "allow_methods": ["GET", "POST", "PUT"], "allow_headers": ["Authorization"]}


def _fastapi_app() -> FastAPI:
    app = FastAPI()

    @app.get("/items")
    def items() -> list[str]:
        return ["a"]

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("handler failed")

    @app.put("/items/{name}")
    def put_item(name: str) -> dict[str, str]:
        return {"name": name}

    return app


def _codes(error: pytest.ExceptionInfo[ConfigError]) -> list[str]:
    return [problem.code for problem in error.value.problems]


# --- the drop-in middleware -----------------------------------------------------------------


def test_add_middleware_allows_listed_origin() -> None:
    app = _fastapi_app()
    app.add_middleware(CORSMiddleware, **CREDENTIALED)
    response = TestClient(app).get("/items", headers={"Origin": APP_ORIGIN})
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["vary"] == "Origin"


def test_add_middleware_refuses_other_origin() -> None:
    app = _fastapi_app()
    app.add_middleware(CORSMiddleware, **CREDENTIALED)
    response = TestClient(app).get("/items", headers={"Origin": EVIL_ORIGIN})
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-credentials" not in response.headers
    assert response.headers["vary"] == "Origin"


def test_preflight_answered_before_routing() -> None:
    app = _fastapi_app()
    app.add_middleware(CORSMiddleware, **CREDENTIALED)
    response = TestClient(app).options("/items/x", headers={
        "Origin": APP_ORIGIN, "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert response.status_code == 204
    assert response.headers["access-control-allow-methods"] == "PUT"
    assert response.headers["access-control-allow-headers"] == "authorization,content-type"
    assert response.headers["access-control-max-age"] == "600"


def test_default_methods_match_starlette() -> None:
    policy = build_policy(allow_origins=[APP_ORIGIN])
    refused = policy.decide("OPTIONS", APP_ORIGIN, "PUT")
    assert refused.preflight_status == 403


def test_content_type_always_allowed_as_in_starlette() -> None:
    policy = build_policy(allow_origins=[APP_ORIGIN])
    decision = policy.decide("OPTIONS", APP_ORIGIN, "POST", "content-type")
    assert decision.allowed
    assert ("Access-Control-Allow-Headers", "content-type") in decision.headers


def test_wildcard_headers_do_not_cover_authorization() -> None:
    policy = build_policy(allow_origins=[APP_ORIGIN], allow_headers=["*"])
    assert not policy.decide("OPTIONS", APP_ORIGIN, "GET", "authorization").allowed
    assert policy.decide("OPTIONS", APP_ORIGIN, "GET", "x-request-id").allowed


def test_corsguard_options_pass_through() -> None:
    policy = build_policy(allow_origins=[APP_ORIGIN], allow_methods=["PUT"], preflight_status=200,
                          max_age=None)
    decision = policy.decide("OPTIONS", APP_ORIGIN, "PUT")
    assert decision.preflight_status == 200
    assert all(name != "Access-Control-Max-Age" for name, _ in decision.headers)


# --- settings Starlette accepts and corsguard rejects ---------------------------------------


def test_wildcard_with_credentials_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        CORSMiddleware(_fastapi_app(), allow_origins=["*"], allow_credentials=True)
    assert _codes(caught) == ["origin-wildcard-with-credentials"]
    assert "list the origins" in caught.value.problems[0].hint


def test_bare_string_origin_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        CORSMiddleware(_fastapi_app(), allow_origins=APP_ORIGIN)
    assert _codes(caught) == ["option-bare-string"]
    assert f"allow_origins=[{APP_ORIGIN!r}]" in caught.value.problems[0].hint


def test_bare_string_headers_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        CORSMiddleware(_fastapi_app(), allow_origins=[APP_ORIGIN], allow_headers="X-Token")
    assert _codes(caught) == ["option-bare-string"]


def test_no_origins_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        CORSMiddleware(_fastapi_app())
    assert _codes(caught) == ["origins-missing"]


def test_trailing_slash_origin_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        CORSMiddleware(_fastapi_app(), allow_origins=["https://app.example.com/"])
    assert _codes(caught) == ["origin-path"]


def test_every_problem_reported_together() -> None:
    with pytest.raises(ConfigError) as caught:
        CORSMiddleware(_fastapi_app(), allow_origins=["*"], allow_credentials=True,
                       allow_methods=["TRACE"], max_age=-1, allow_origin_regex="[")
    assert sorted(_codes(caught)) == ["max-age-range", "method-forbidden",
                                      "origin-regex-invalid", "origin-wildcard-with-credentials"]


# --- allow_origin_regex ---------------------------------------------------------------------


REGEX = r"https://[a-z0-9-]+\.example\.org"


def test_regex_allows_full_match() -> None:
    policy = build_policy(allow_origin_regex=REGEX, allow_credentials=True)
    app = CORSMiddleware(_fastapi_app(), policy=policy)
    response = TestClient(app).get("/items", headers={"Origin": "https://shop.example.org"})
    assert response.headers["access-control-allow-origin"] == "https://shop.example.org"


@pytest.mark.parametrize("origin", [
    "https://shop.example.org.evil.com",
    "https://example.org",
    "http://shop.example.org",
    "https://shop.example.org:8443",
])
def test_regex_refuses_partial_match(origin: str) -> None:
    app = CORSMiddleware(_fastapi_app(), allow_origin_regex=REGEX)
    response = TestClient(app).get("/items", headers={"Origin": origin})
    assert "access-control-allow-origin" not in response.headers


def test_regex_anchors_are_harmless() -> None:
    app = CORSMiddleware(_fastapi_app(), allow_origin_regex="^" + REGEX + "$")
    client = TestClient(app)
    allowed = client.get("/items", headers={"Origin": "https://a.example.org"})
    refused = client.get("/items", headers={"Origin": "https://a.example.org.evil.com"})
    assert allowed.headers["access-control-allow-origin"] == "https://a.example.org"
    assert "access-control-allow-origin" not in refused.headers


def test_regex_combines_with_list() -> None:
    app = CORSMiddleware(_fastapi_app(), allow_origins=[APP_ORIGIN], allow_origin_regex=REGEX)
    client = TestClient(app)
    assert client.get("/items", headers={"Origin": APP_ORIGIN}).headers["access-control-allow-origin"]
    assert client.get("/items", headers={"Origin": "https://b.example.org"}).headers[
        "access-control-allow-origin"] == "https://b.example.org"


@pytest.mark.parametrize(("regex", "credentials", "code"), [
    ("[a-z", False, "origin-regex-invalid"),
    (b"https://a\\.example", False, "origin-regex-invalid"),
    ("null|https://a\\.example", False, "origin-null"),
    (".*", False, "origin-null"),
    ("https://.*", True, "origin-wildcard-with-credentials"),
    ("https://app.example.com", False, "origin-regex-unescaped-dot"),
    (r"https?://app\.example\.com", True, "origin-insecure"),
    (r"http://[a-z]+\.example\.com", True, "origin-insecure"),
])
def test_unsafe_regex_rejected(regex: Any, credentials: bool, code: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build_policy(allow_origin_regex=regex, allow_credentials=credentials)
    assert code in _codes(caught)
    assert "origins-missing" not in _codes(caught)


def test_loopback_http_regex_allowed_with_credentials() -> None:
    policy = build_policy(allow_origin_regex=r"http://localhost:\d+", allow_credentials=True)
    assert policy.call_predicate("http://localhost:5173", {}) is True


def test_insecure_regex_allowed_when_dangerous_flag_set() -> None:
    policy = build_policy(allow_origin_regex=r"https?://app\.example\.com", allow_credentials=True,
                          dangerously_allow_insecure_origins=True)
    assert policy.call_predicate("http://app.example.com", {}) is True


def test_compiled_regex_accepted() -> None:
    policy = build_policy(allow_origin_regex=re.compile(REGEX))
    assert policy.call_predicate("https://x.example.org", {}) is True


def test_regex_and_predicate_together_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        build_policy(allow_origin_regex=REGEX, allow_origin_predicate=lambda origin: True)
    assert _codes(caught) == ["option-type"]


# --- 500 responses --------------------------------------------------------------------------


def test_add_middleware_500_lacks_cors_headers() -> None:
    """Why `install` exists: Starlette's error layer answers outside `add_middleware`."""
    app = _fastapi_app()
    app.add_middleware(CORSMiddleware, **CREDENTIALED)
    response = TestClient(app, raise_server_exceptions=False).get("/boom", headers={"Origin": APP_ORIGIN})
    assert response.status_code == 500
    assert "access-control-allow-origin" not in response.headers


def test_install_500_carries_cors_headers() -> None:
    app = _fastapi_app()
    install(app, **CREDENTIALED)
    response = TestClient(app, raise_server_exceptions=False).get("/boom", headers={"Origin": APP_ORIGIN})
    assert response.status_code == 500
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["vary"] == "Origin"


def test_install_500_refused_origin_gets_vary_only() -> None:
    app = _fastapi_app()
    install(app, **CREDENTIALED)
    response = TestClient(app, raise_server_exceptions=False).get("/boom", headers={"Origin": EVIL_ORIGIN})
    assert response.status_code == 500
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["vary"] == "Origin"


def test_install_custom_500_handler_gets_headers() -> None:
    app = _fastapi_app()

    @app.exception_handler(Exception)
    async def on_error(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": "internal"}, status_code=500)

    install(app, **CREDENTIALED)
    response = TestClient(app, raise_server_exceptions=False).get("/boom", headers={"Origin": APP_ORIGIN})
    assert response.json() == {"error": "internal"}
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN


def test_install_debug_page_gets_headers() -> None:
    app = Starlette(debug=True, routes=[Route("/boom", _raise)])
    install(app, allow_origins=[APP_ORIGIN])
    response = TestClient(app, raise_server_exceptions=False).get("/boom", headers={"Origin": APP_ORIGIN})
    assert response.status_code == 500
    assert "RuntimeError" in response.text
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN


def test_install_still_raises_to_server() -> None:
    app = _fastapi_app()
    install(app, **CREDENTIALED)
    with pytest.raises(RuntimeError, match="handler failed"):
        TestClient(app).get("/boom", headers={"Origin": APP_ORIGIN})


def test_install_keeps_app_object_usable() -> None:
    app = _fastapi_app()
    install(app, **CREDENTIALED)

    @app.get("/late")
    def late() -> str:
        return "added after install"

    response = TestClient(app).get("/late", headers={"Origin": APP_ORIGIN})
    assert response.json() == "added after install"
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN


def test_install_validates_at_once() -> None:
    with pytest.raises(ConfigError):
        install(_fastapi_app(), allow_origins=["*"], allow_credentials=True)


def test_install_after_start_rejected() -> None:
    app = _fastapi_app()
    TestClient(app).get("/items")
    with pytest.raises(RuntimeError, match="after the application has started"):
        install(app, **CREDENTIALED)


def test_install_with_routes() -> None:
    app = _fastapi_app()
    install(app, routes={"/items/**": {"allow_origins": ["*"]}}, allow_origins=[APP_ORIGIN])
    client = TestClient(app)
    public = client.get("/items", headers={"Origin": EVIL_ORIGIN})
    other = client.get("/docs", headers={"Origin": EVIL_ORIGIN})
    assert public.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in other.headers


def test_routes_without_default_origins() -> None:
    app = CORSMiddleware(_fastapi_app(), routes={"/items": {"allow_origins": [APP_ORIGIN]}})
    client = TestClient(app)
    assert client.get("/items", headers={"Origin": APP_ORIGIN}).headers["access-control-allow-origin"]
    assert "vary" not in client.get("/docs", headers={"Origin": APP_ORIGIN}).headers


async def _raise(request: Any) -> PlainTextResponse:
    raise RuntimeError("handler failed")


# --- preflight before authentication --------------------------------------------------------


class _BearerBackend(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, SimpleUser] | None:
        if conn.headers.get("authorization") != "Bearer good":
            raise AuthenticationError("missing or invalid token")
        return AuthCredentials(["authenticated"]), SimpleUser("user")


def _on_auth_error(conn: HTTPConnection, exc: Exception) -> PlainTextResponse:
    return PlainTextResponse(str(exc), status_code=401)


def _authenticated_app() -> FastAPI:
    app = _fastapi_app()
    app.add_middleware(AuthenticationMiddleware, backend=_BearerBackend(), on_error=_on_auth_error)
    install(app, **CREDENTIALED)
    return app


def test_preflight_skips_auth_middleware() -> None:
    response = TestClient(_authenticated_app()).options("/items/x", headers={
        "Origin": APP_ORIGIN, "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization"})
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN


def test_unauthenticated_request_gets_401_with_cors() -> None:
    response = TestClient(_authenticated_app()).put("/items/x", headers={"Origin": APP_ORIGIN})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"


def test_authenticated_request_passes() -> None:
    response = TestClient(_authenticated_app()).put(
        "/items/x", headers={"Origin": APP_ORIGIN, "Authorization": "Bearer good"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN


def _require_token(request: Request) -> None:
    if request.headers.get("authorization") != "Bearer good":
        raise HTTPException(status_code=401, detail="not authenticated")


def test_dependency_auth_401_with_cors() -> None:
    app = FastAPI()

    @app.get("/me", dependencies=[Depends(_require_token)])
    def me() -> str:
        return "user"

    app.add_middleware(CORSMiddleware, **CREDENTIALED)
    client = TestClient(app)
    preflight = client.options("/me", headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "GET",
                                               "Access-Control-Request-Headers": "authorization"})
    actual = client.get("/me", headers={"Origin": APP_ORIGIN})
    assert preflight.status_code == 204
    assert actual.status_code == 401
    assert actual.headers["access-control-allow-origin"] == APP_ORIGIN


# --- real server ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    with serve_asgi(_authenticated_app()) as url:
        yield url


@pytest.mark.server
def test_live_preflight_and_401(live_url: str) -> None:
    with httpx.Client(base_url=live_url) as client:
        preflight = client.options("/items/x", headers={
            "Origin": APP_ORIGIN, "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization"})
        actual = client.put("/items/x", headers={"Origin": APP_ORIGIN})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-methods"] == "PUT"
    assert actual.status_code == 401
    assert actual.headers["access-control-allow-origin"] == APP_ORIGIN


@pytest.mark.server
def test_live_500_carries_cors_headers(live_url: str) -> None:
    response = httpx.get(f"{live_url}/boom", headers={"Origin": APP_ORIGIN,
                                                      "Authorization": "Bearer good"})
    assert response.status_code == 500
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN


@pytest.mark.server
def test_live_checker_allows_credentialed_put(live_url: str) -> None:
    result = browser_check(f"{live_url}/items/x", APP_ORIGIN, "PUT", ["Authorization: Bearer good"])
    assert result.allowed, result.verdict


@pytest.mark.server
def test_live_checker_reads_401_and_500(live_url: str) -> None:
    unauthenticated = browser_check(f"{live_url}/items/x", APP_ORIGIN, "PUT")
    failed = browser_check(f"{live_url}/boom", APP_ORIGIN, "GET", ["Authorization: Bearer good"])
    assert unauthenticated.allowed, unauthenticated.verdict
    assert failed.allowed, failed.verdict


@pytest.mark.server
def test_live_checker_blocks_other_origin(live_url: str) -> None:
    result = browser_check(f"{live_url}/items", EVIL_ORIGIN)
    assert result.exit_code == 1
    assert not result.allowed


def test_non_list_headers_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        not_a_list: Any = 5
        build_policy(allow_origins=[APP_ORIGIN], allow_headers=not_a_list)
    assert _codes(caught) == ["option-type"]
