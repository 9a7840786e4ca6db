"""aiohttp: `setup_cors` on a real aiohttp test server bound to 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from corsguard import ConfigError
from corsguard.contrib.aiohttp import setup_cors

from .live import browser_check

APP_ORIGIN = "https://app.example.com"
EVIL_ORIGIN = "https://evil.example"
CREDENTIALED: dict[str, Any] = {"allow_origins": [APP_ORIGIN], "allow_credentials": True,
                                "allow_methods": ["GET", "PUT"], "allow_headers": ["Authorization"]}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def items(request: web.Request) -> web.Response:
    response = web.json_response(["a"])
    response.headers["Vary"] = "Accept-Encoding"
    return response


async def put_item(request: web.Request) -> web.Response:
    return web.json_response({"name": request.match_info["name"]})


async def boom(request: web.Request) -> web.Response:
    raise RuntimeError("handler failed")


async def forbidden(request: web.Request) -> web.Response:
    raise web.HTTPForbidden(text="no")


async def secret(request: web.Request) -> web.Response:
    return web.json_response({"secret": 42})


@web.middleware
async def token_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/private/") and request.headers.get("Authorization") != "Bearer good":
        raise web.HTTPUnauthorized(text="not authenticated")
    return await handler(request)


def _build_app(**options: Any) -> web.Application:
    app = web.Application(middlewares=[token_auth])
    app.router.add_get("/items", items)
    app.router.add_put("/items/{name}", put_item)
    app.router.add_get("/boom", boom)
    app.router.add_get("/forbidden", forbidden)
    app.router.add_get("/private/secret", secret)
    setup_cors(app, **(options or CREDENTIALED))
    return app


@pytest_asyncio.fixture
async def client() -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(_build_app(), host="127.0.0.1")) as test_client:
        yield test_client


async def _preflight(client: TestClient[web.Request, web.Application], path: str, method: str = "PUT",
                     headers: str | None = None) -> ClientResponse:
    request_headers = {"Origin": APP_ORIGIN, "Access-Control-Request-Method": method}
    if headers is not None:
        request_headers["Access-Control-Request-Headers"] = headers
    return await client.options(path, headers=request_headers)


@pytest.mark.asyncio
async def test_allowed_origin_gets_headers(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/items", headers={"Origin": APP_ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Vary"] == "Accept-Encoding, Origin"


@pytest.mark.asyncio
async def test_refused_origin_gets_vary_only(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/items", headers={"Origin": EVIL_ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Vary"] == "Accept-Encoding, Origin"


@pytest.mark.asyncio
async def test_preflight_short_circuits(client: TestClient[web.Request, web.Application]) -> None:
    response = await _preflight(client, "/items/x", "PUT", "authorization")
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Methods"] == "PUT"
    assert response.headers["Access-Control-Allow-Headers"] == "authorization"
    assert response.headers["Vary"] == "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


@pytest.mark.asyncio
async def test_refused_preflight_gets_403(client: TestClient[web.Request, web.Application]) -> None:
    response = await _preflight(client, "/items/x", "DELETE")
    assert response.status == 403
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.asyncio
async def test_500_carries_cors_headers(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/boom", headers={"Origin": APP_ORIGIN})
    assert response.status == 500
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN


@pytest.mark.asyncio
async def test_http_exception_carries_cors_headers(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/forbidden", headers={"Origin": APP_ORIGIN})
    assert response.status == 403
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN


@pytest.mark.asyncio
async def test_404_carries_cors_headers(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/missing", headers={"Origin": APP_ORIGIN})
    assert response.status == 404
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN


@pytest.mark.asyncio
async def test_preflight_skips_auth_middleware(client: TestClient[web.Request, web.Application]) -> None:
    response = await _preflight(client, "/private/secret", "GET", "authorization")
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN


@pytest.mark.asyncio
async def test_unauthenticated_request_gets_401_with_cors(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/private/secret", headers={"Origin": APP_ORIGIN})
    assert response.status == 401
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


@pytest.mark.asyncio
async def test_authenticated_request_passes(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/private/secret", headers={"Origin": APP_ORIGIN, "Authorization": "Bearer good"})
    assert response.status == 200
    assert await response.json() == {"secret": 42}


@pytest.mark.asyncio
async def test_async_predicate() -> None:
    async def is_tenant(origin: str) -> bool:
        return origin == "https://tenant.example.net"

    app = _build_app(allow_origin_predicate=is_tenant)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        allowed = await test_client.get("/items", headers={"Origin": "https://tenant.example.net"})
        refused = await test_client.get("/items", headers={"Origin": EVIL_ORIGIN})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://tenant.example.net"
    assert "Access-Control-Allow-Origin" not in refused.headers


@pytest.mark.asyncio
async def test_routes_table() -> None:
    app = _build_app(routes={"/items/**": {"allow_origins": ["*"]}})
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        public = await test_client.get("/items", headers={"Origin": EVIL_ORIGIN})
        other = await test_client.get("/boom", headers={"Origin": APP_ORIGIN})
    assert public.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Vary" not in other.headers


def test_invalid_settings_raise_at_setup() -> None:
    with pytest.raises(ConfigError) as caught:
        setup_cors(web.Application(), allow_origins=["*"], allow_credentials=True)
    assert [problem.code for problem in caught.value.problems] == ["origin-wildcard-with-credentials"]


@pytest.mark.server
@pytest.mark.asyncio
async def test_live_checker_reads_401(client: TestClient[web.Request, web.Application]) -> None:
    url = str(client.make_url("/private/secret"))
    # The checker blocks, and the server runs on this event loop, so the checker gets a thread.
    allowed = await asyncio.to_thread(browser_check, url, APP_ORIGIN)
    blocked = await asyncio.to_thread(browser_check, url, EVIL_ORIGIN)
    assert allowed.allowed, allowed.verdict
    assert not blocked.allowed
