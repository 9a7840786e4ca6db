"""Headless Chromium against the integrations: 500 responses and 401s readable cross-origin.

A page on one loopback port fetches, with credentials, from an API on another port. Where the
integration puts corsguard outside the framework's error and authentication layers, script can
read the 500 and the 401; where it does not (Starlette's `add_middleware`), Chromium blocks them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import Depends, FastAPI, HTTPException, Request
from flask import Flask
from flask import request as flask_request

from corsguard.contrib.flask import CORS
from corsguard.contrib.starlette import CORSMiddleware, install
from corsguard.servers import serve_asgi, serve_wsgi
from tests.support.chromium import launch_chromium

pytestmark = [pytest.mark.browser, pytest.mark.server]

FETCH_SCRIPT = """async ([url, method, headers]) => {
  try {
    const response = await fetch(url, {method, credentials: "include", headers});
    return {ok: true, status: response.status};
  } catch (error) {
    return {ok: false, error: String(error)};
  }
}"""


async def page_app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/html; charset=utf-8")]})
    await send({"type": "http.response.body", "body": b"<!doctype html><title>front end</title>"})


def _options(page_origin: str) -> dict[str, Any]:
    return {"allow_origins": [page_origin], "allow_credentials": True, "allow_methods": ["GET", "PUT"],
            "allow_headers": ["Authorization"]}


def _require_token(request: Request) -> None:
    if request.headers.get("authorization") != "Bearer good":
        raise HTTPException(status_code=401, detail="not authenticated")


def fastapi_api(page_origin: str, installed: bool) -> FastAPI:
    app = FastAPI()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("handler failed")

    app.add_api_route("/private", lambda: "secret", methods=["PUT"], dependencies=[Depends(_require_token)])
    if installed:
        install(app, **_options(page_origin))
    else:
        app.add_middleware(CORSMiddleware, **_options(page_origin))
    return app


def flask_api(page_origin: str) -> Flask:
    app = Flask("chromium_api")

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("handler failed")

    @app.put("/private")
    def private() -> str:
        return "secret"

    @app.before_request
    def require_token() -> Any:
        if flask_request.path == "/private" and flask_request.headers.get("Authorization") != "Bearer good":
            return "not authenticated", 401
        return None

    CORS(app, **_options(page_origin))
    return app


APIS: dict[str, Callable[[str], Any]] = {
    "starlette-install": lambda origin: serve_asgi(fastapi_api(origin, installed=True)),
    "starlette-add-middleware": lambda origin: serve_asgi(fastapi_api(origin, installed=False)),
    "flask": lambda origin: serve_wsgi(flask_api(origin)),
}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def page_origin() -> Iterator[str]:
    with serve_asgi(page_app) as url:
        yield url


def browser_fetch(chromium: Any, page_origin: str, url: str, method: str = "GET",
                  headers: dict[str, str] | None = None) -> dict[str, Any]:
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(f"{page_origin}/")
        result: dict[str, Any] = page.evaluate(FETCH_SCRIPT, [url, method, headers or {}])
    finally:
        context.close()
    return result


@pytest.mark.parametrize("api", ["starlette-install", "flask"])
def test_script_reads_500(chromium: Any, page_origin: str, api: str) -> None:
    with APIS[api](page_origin) as api_url:
        result = browser_fetch(chromium, page_origin, f"{api_url}/boom")
    assert result == {"ok": True, "status": 500}


def test_add_middleware_500_blocked(chromium: Any, page_origin: str) -> None:
    with APIS["starlette-add-middleware"](page_origin) as api_url:
        result = browser_fetch(chromium, page_origin, f"{api_url}/boom")
    assert result["ok"] is False
    assert "Failed to fetch" in result["error"]


@pytest.mark.parametrize("api", ["starlette-install", "flask"])
def test_preflighted_put_reads_401(chromium: Any, page_origin: str, api: str) -> None:
    with APIS[api](page_origin) as api_url:
        # Authorization makes Chromium send a preflight, which carries no credentials.
        unauthenticated = browser_fetch(chromium, page_origin, f"{api_url}/private", "PUT",
                                        {"Authorization": "Bearer wrong"})
        authenticated = browser_fetch(chromium, page_origin, f"{api_url}/private", "PUT",
                                      {"Authorization": "Bearer good"})
    assert unauthenticated == {"ok": True, "status": 401}
    assert authenticated == {"ok": True, "status": 200}
