"""ASGI stacks: the same app bare, behind corsguard, and behind each peer's CORS layer.

Apps are called directly with a prebuilt scope, a `receive` that never blocks and a `send` that
discards messages. None of the apps awaits anything that can suspend, so one `coroutine.send(None)`
runs a whole request without an event loop, which keeps loop overhead out of every measurement.
An app that does suspend raises `AppSuspendedError` instead of being timed.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from corsguard.asgi import CORSMiddleware as CorsguardMiddleware

from .scenarios import ALLOW_HEADERS, ALLOW_METHODS, EXPOSE_HEADERS, MAX_AGE_SECONDS, OriginSet, Request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                   Awaitable[None]]

_BODY = b"ok"
_RESPONSE_HEADERS = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"2")]


async def bare_app(scope: Scope, receive: Any, send: Any) -> None:
    """Respond to every request with 200 and a two-byte body: the app that every ASGI layer wraps."""
    await send({"type": "http.response.start", "status": 200, "headers": list(_RESPONSE_HEADERS)})
    await send({"type": "http.response.body", "body": _BODY})


class NoopMiddleware:
    """Pass every call through unchanged: the floor any ASGI middleware costs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _discard(message: Message) -> None:
    return None


def corsguard_layer(app: ASGIApp, origins: OriginSet) -> ASGIApp:
    return CorsguardMiddleware(app, allow_origins=origins.patterns(), allow_credentials=True,
                               allow_methods=list(ALLOW_METHODS), allow_headers=list(ALLOW_HEADERS),
                               expose_headers=list(EXPOSE_HEADERS), max_age=MAX_AGE_SECONDS)


def starlette_layer(app: ASGIApp, origins: OriginSet) -> ASGIApp:
    from starlette.middleware.cors import CORSMiddleware

    options: dict[str, Any] = {}
    if origins.subdomains:
        options["allow_origin_regex"] = "|".join(origins.regexes())
    else:
        options["allow_origins"] = origins.patterns()
    return CORSMiddleware(app, allow_credentials=True, allow_methods=list(ALLOW_METHODS),
                          allow_headers=list(ALLOW_HEADERS), expose_headers=list(EXPOSE_HEADERS),
                          max_age=MAX_AGE_SECONDS, **options)


def litestar_app(cors: OriginSet | None = None) -> ASGIApp:
    """Return a Litestar app with one route; with `cors`, Litestar's own CORS is configured."""
    from litestar import Litestar, get
    from litestar.config.cors import CORSConfig

    @get("/", sync_to_thread=False)
    def index() -> str:
        return "ok"

    cors_config = None
    if cors is not None:
        cors_config = CORSConfig(allow_origins=cors.patterns(), allow_credentials=True,
                                 allow_methods=list(ALLOW_METHODS),
                                 allow_headers=list(ALLOW_HEADERS), expose_headers=list(EXPOSE_HEADERS),
                                 max_age=MAX_AGE_SECONDS)
    app = Litestar(route_handlers=[index], cors_config=cors_config, openapi_config=None,
                   logging_config=None)
    return app


def build_scope(request: Request) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "https",
        "method": request.method,
        "root_path": "",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "headers": [(name.encode("latin-1"), value.encode("latin-1")) for name, value in request.headers],
        "state": {},
    }


class AppSuspendedError(RuntimeError):
    """The app awaited something that did not complete at once, so it cannot be timed this way."""


def time_function(app: ASGIApp, request: Request) -> Callable[[int], float]:
    """Return a pyperf time function that runs `request` through `app` `loops` times."""
    scopes = [build_scope(variant) for variant in request.variants()]
    count = len(scopes)

    def run(loops: int) -> float:
        copy = dict
        receive, send = _receive, _discard
        start = time.perf_counter()
        for index in range(loops):
            coroutine = app(copy(scopes[index % count]), receive, send)
            try:
                coroutine.send(None)
            except StopIteration:
                continue
            coroutine.close()
            raise AppSuspendedError(f"{app!r} suspended while handling {request.name!r}")
        return time.perf_counter() - start

    return run


def respond(app: ASGIApp, request: Request) -> tuple[int, dict[str, str]]:
    """Run `request` once and return the status and the response headers (lowercase names)."""
    messages: list[Message] = []

    async def capture(message: Message) -> None:
        messages.append(message)

    coroutine = app(build_scope(request.variants()[0]), _receive, capture)
    try:
        coroutine.send(None)
    except StopIteration:
        pass
    else:
        coroutine.close()
        raise AppSuspendedError(f"{app!r} suspended while handling {request.name!r}")
    start = messages[0]
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in start["headers"]}
    return start["status"], headers
