"""Litestar: the middleware-list integration, `install`, handler policies, errors and auth."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar, get, put
from litestar.config.cors import CORSConfig as LitestarCORSConfig
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.testing import TestClient

from corsguard import ConfigError, Policy
from corsguard.contrib.litestar import CORSMiddleware, install
from corsguard.servers import serve_asgi

from .live import browser_check, exchange_with_protected_route

APP_ORIGIN = "https://app.example.com"
EVIL_ORIGIN = "https://evil.example"
CREDENTIALED: dict[str, Any] = {"allow_origins": [APP_ORIGIN], "allow_credentials": True,
                                "allow_methods": ["GET", "PUT"], "allow_headers": ["Authorization"]}


@get("/items")
async def items() -> list[str]:
    return ["a"]


@put("/items/x")
async def put_item() -> dict[str, str]:
    return {"name": "x"}


@get("/boom")
async def boom() -> None:
    raise RuntimeError("handler failed")


@get("/public", opt={"corsguard": Policy(allow_origins=["*"])})
async def public() -> str:
    return "public"


@get("/internal", opt={"corsguard": None})
async def internal() -> str:
    return "internal"


@get("/private/secret")
async def secret() -> dict[str, int]:
    return {"secret": 42}


HANDLERS = [items, put_item, boom, public, internal, secret]


class TokenAuth(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        if connection.headers.get("authorization") != "Bearer good":
            raise NotAuthorizedException("not authenticated")
        return AuthenticationResult(user="user", auth="token")


def _auth_layer() -> DefineMiddleware:
    # No excluded methods, so a preflight that reached this layer would be rejected.
    return DefineMiddleware(TokenAuth, exclude=["^/items", "^/boom", "^/public", "^/internal"],
                            exclude_http_methods=[])


def _listed_app() -> Litestar:
    return Litestar(route_handlers=HANDLERS, middleware=[CORSMiddleware(**CREDENTIALED), _auth_layer()])


def _installed_app() -> Litestar:
    app = Litestar(route_handlers=HANDLERS, middleware=[_auth_layer()])
    install(app, **CREDENTIALED)
    return app


def _preflight(client: TestClient[Any], path: str, method: str = "PUT", headers: str | None = None,
               origin: str = APP_ORIGIN) -> Any:
    request_headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        request_headers["Access-Control-Request-Headers"] = headers
    return client.options(path, headers=request_headers)


APPS = {"listed": _listed_app, "installed": _installed_app}


@pytest.fixture(params=sorted(APPS))
def client(request: pytest.FixtureRequest) -> Iterator[TestClient[Any]]:
    with TestClient(APPS[request.param](), raise_server_exceptions=False) as test_client:
        yield test_client


def test_allowed_origin_gets_headers(client: TestClient[Any]) -> None:
    response = client.get("/items", headers={"Origin": APP_ORIGIN})
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["vary"] == "Origin"


def test_refused_origin_gets_vary_only(client: TestClient[Any]) -> None:
    response = client.get("/items", headers={"Origin": EVIL_ORIGIN})
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["vary"] == "Origin"


def test_preflight_short_circuits(client: TestClient[Any]) -> None:
    response = _preflight(client, "/items/x", "PUT", "authorization")
    assert response.status_code == 204
    assert response.headers["access-control-allow-methods"] == "PUT"


def test_options_without_acrm_is_not_preflight(client: TestClient[Any]) -> None:
    response = client.options("/items", headers={"Origin": APP_ORIGIN})
    assert response.status_code == 204
    assert "access-control-allow-methods" not in response.headers
    assert "GET" in response.headers["allow"]


def test_500_carries_cors_headers(client: TestClient[Any]) -> None:
    response = client.get("/boom", headers={"Origin": APP_ORIGIN})
    assert response.status_code == 500
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN


def test_preflight_skips_auth(client: TestClient[Any]) -> None:
    response = _preflight(client, "/private/secret", "GET", "authorization")
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN


def test_install_401_from_auth_middleware_has_cors() -> None:
    with TestClient(_installed_app()) as client:
        response = client.get("/private/secret", headers={"Origin": APP_ORIGIN})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"


def test_middleware_list_401_from_auth_middleware_lacks_cors() -> None:
    """Why `install` is the documented setup: Litestar turns an exception raised by route
    middleware into a response outside every route middleware, corsguard's included."""
    with TestClient(_listed_app()) as client:
        response = client.get("/private/secret", headers={"Origin": APP_ORIGIN})
    assert response.status_code == 401
    assert "access-control-allow-origin" not in response.headers


def _require_token(connection: ASGIConnection[Any, Any, Any, Any], handler: Any) -> None:
    if connection.headers.get("authorization") != "Bearer good":
        raise NotAuthorizedException("not authenticated")


@get("/guarded", guards=[_require_token])
async def guarded() -> str:
    return "guarded"


def test_middleware_list_401_from_guard_has_cors() -> None:
    app = Litestar(route_handlers=[guarded], middleware=[CORSMiddleware(**CREDENTIALED)])
    with TestClient(app) as client:
        preflight = _preflight(client, "/guarded", "GET", "authorization")
        actual = client.get("/guarded", headers={"Origin": APP_ORIGIN})
    assert preflight.status_code == 204
    assert actual.status_code == 401
    assert actual.headers["access-control-allow-origin"] == APP_ORIGIN


def test_authenticated_request_passes(client: TestClient[Any]) -> None:
    response = client.get("/private/secret", headers={"Origin": APP_ORIGIN, "Authorization": "Bearer good"})
    assert response.status_code == 200
    assert response.json() == {"secret": 42}


def test_handler_opt_policy() -> None:
    with TestClient(_listed_app()) as client:
        public_response = client.get("/public", headers={"Origin": EVIL_ORIGIN})
        internal_response = client.get("/internal", headers={"Origin": APP_ORIGIN})
    assert public_response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in internal_response.headers
    assert "vary" not in internal_response.headers


def test_install_covers_unrouted_paths() -> None:
    with TestClient(_installed_app()) as client:
        missing = client.get("/missing", headers={"Origin": APP_ORIGIN})
        preflight = _preflight(client, "/missing", "PUT")
    assert missing.status_code == 404
    assert missing.headers["access-control-allow-origin"] == APP_ORIGIN
    assert preflight.status_code == 204


def test_middleware_list_misses_unrouted_paths() -> None:
    """Why `install` exists: route middleware never sees the router's 404."""
    with TestClient(_listed_app()) as client:
        missing = client.get("/missing", headers={"Origin": APP_ORIGIN})
    assert missing.status_code == 404
    assert "access-control-allow-origin" not in missing.headers


def test_invalid_settings_raise_at_construction() -> None:
    with pytest.raises(ConfigError) as caught:
        CORSMiddleware(allow_origins=["*"], allow_credentials=True)
    assert [problem.code for problem in caught.value.problems] == ["origin-wildcard-with-credentials"]


def test_install_refuses_litestar_cors_config() -> None:
    app = Litestar(route_handlers=HANDLERS, cors_config=LitestarCORSConfig(allow_origins=[APP_ORIGIN]))
    with pytest.raises(ValueError, match="cors_config"):
        install(app, allow_origins=[APP_ORIGIN])


def test_routes_table() -> None:
    app = Litestar(route_handlers=HANDLERS, middleware=[
        CORSMiddleware(routes={"/items/**": {"allow_origins": ["*"]}}, allow_origins=[APP_ORIGIN])])
    with TestClient(app) as client:
        assert client.get("/items", headers={"Origin": EVIL_ORIGIN}).headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-origin" not in client.get(
            "/private/secret", headers={"Origin": EVIL_ORIGIN}).headers


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    with serve_asgi(_installed_app()) as url:
        yield url


@pytest.mark.server
def test_live_preflight_and_401(live_url: str) -> None:
    exchange = exchange_with_protected_route(live_url, APP_ORIGIN)
    assert exchange.preflight.status_code == 204
    assert exchange.unauthenticated.status_code == 401
    assert exchange.unauthenticated.headers["access-control-allow-origin"] == APP_ORIGIN


@pytest.mark.server
def test_live_checker_credentialed_put(live_url: str) -> None:
    allowed = browser_check(f"{live_url}/items/x", APP_ORIGIN, "PUT", ["Authorization: Bearer good"])
    blocked = browser_check(f"{live_url}/items/x", EVIL_ORIGIN, "PUT")
    assert allowed.allowed, allowed.verdict
    assert not blocked.allowed


def test_origin_regex_full_matched() -> None:
    app = Litestar(route_handlers=HANDLERS)
    install(app, allow_origin_regex=r"https://[a-z]+\.example\.org", allow_credentials=True)
    with TestClient(app) as client:
        allowed = client.get("/items", headers={"Origin": "https://shop.example.org"})
        refused = client.get("/items", headers={"Origin": "https://shop.example.org.evil.com"})
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example.org"
    assert "access-control-allow-origin" not in refused.headers


def test_unsafe_origin_regex_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        CORSMiddleware(allow_origin_regex="https://.*", allow_credentials=True)
    assert [problem.code for problem in caught.value.problems] == ["origin-wildcard-with-credentials"]
