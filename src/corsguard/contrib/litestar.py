"""Litestar: a `CORSMiddleware` for the `middleware=[...]` list, and `install` for the whole app.

    app = Litestar(route_handlers=[...], middleware=[CORSMiddleware(allow_origins=[...])])

or, to cover everything the app answers:

    app = Litestar(route_handlers=[...])
    install(app, allow_origins=["https://app.example.com"], allow_credentials=True)

`install` is the recommended setup. Litestar runs `middleware=[...]` only after routing has
found a handler, so a preflight to a path without a route, and the 404 and 405 responses of the
router, never reach that list. An exception raised by another middleware of the list (such as
`NotAuthorizedException` from an authentication middleware) becomes a response outside the whole
list, so that 401 gets no CORS headers either; handler and guard exceptions are fine. `install`
wraps the app's outermost ASGI handler instead, as Litestar's own `cors_config` does, so every
response gets CORS headers and preflights are handled before any route middleware runs. Do not
also set Litestar's `cors_config`.

A handler can carry its own policy in its `opt`: `@get("/x", opt={"corsguard": Policy(...)})`,
or `opt={"corsguard": None}` for no CORS headers. The handler's policy wins over `routes` and
the default. It applies only through the middleware list, because `install` runs before routing.

Both take the options of `corsguard.CORSConfig`, `routes`, and Litestar's `allow_origin_regex`,
which must match the whole origin and is checked like Starlette's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp as LitestarASGIApp
from litestar.types import Receive as LitestarReceive
from litestar.types import Scope as LitestarScope
from litestar.types import Send as LitestarSend

from .. import asgi
from ..policy import Policy
from ..routing import RouteKey, RouteValue
from ._regex import build_policy_with_regexes

OPT_KEY = "corsguard"


async def _unused_app(scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send) -> None:
    raise RuntimeError("placeholder app, never called")


class _RouteCORS:
    """The middleware of one route: the handler's `opt` policy if it has one, else the default."""

    __slots__ = ("_by_policy", "_default")

    def __init__(self, default: asgi.CORSMiddleware, app: asgi.ASGIApp) -> None:
        self._default = default.with_app(app)
        self._by_policy: dict[int, asgi.CORSMiddleware] = {}

    async def __call__(self, scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send) -> None:
        handler = scope.get("route_handler")
        opt = getattr(handler, "opt", None)
        if not opt or OPT_KEY not in opt:
            await self._default(scope, receive, send)
            return
        policy = opt[OPT_KEY]
        if not isinstance(policy, Policy):
            await self._default.app(scope, receive, send)
            return
        middleware = self._by_policy.get(id(policy))
        if middleware is None:
            middleware = self._by_policy.setdefault(id(policy), asgi.CORSMiddleware(self._default.app, policy=policy))
        await middleware(scope, receive, send)


class CORSMiddleware(ASGIMiddleware):
    """corsguard for Litestar's middleware list; options are those of `corsguard.CORSConfig`.

    The configuration is validated when this object is created. Put it first in the list, so
    that it wraps the others (authentication included) and responds to preflights before them.
    """

    scopes = (ScopeType.HTTP,)

    def __init__(self, policy: Policy | None = None, routes: Mapping[RouteKey, RouteValue] | None = None,
                 allow_origin_regex: str | re.Pattern[str] | None = None, **options: Any) -> None:
        policy = _default_policy(policy, allow_origin_regex, options)
        self._configured = asgi.CORSMiddleware(_unused_app, policy=policy, routes=routes,
                                               **({} if policy is not None else options))

    def __call__(self, app: LitestarASGIApp) -> LitestarASGIApp:
        # Litestar calls this once per route; the returned app then serves every request of it.
        route_cors: LitestarASGIApp = _untyped(_RouteCORS(self._configured, _untyped(app)))
        return route_cors

    async def handle(self, scope: LitestarScope, receive: LitestarReceive, send: LitestarSend,
                     next_app: LitestarASGIApp) -> None:
        route_cors = _RouteCORS(self._configured, _untyped(next_app))
        await route_cors(_untyped(scope), _untyped(receive), _untyped(send))


def _default_policy(policy: Policy | None, regex: str | re.Pattern[str] | None,
                    options: dict[str, Any]) -> Policy | None:
    """Build the default policy when Litestar's `allow_origin_regex` is given, else pass `policy` on."""
    if regex is None:
        return policy
    if policy is not None:
        raise TypeError("pass either a Policy or options with allow_origin_regex, not both")
    return build_policy_with_regexes("allow_origin_regex", [regex], options)


def install(app: Litestar, policy: Policy | None = None, routes: Mapping[RouteKey, RouteValue] | None = None,
            allow_origin_regex: str | re.Pattern[str] | None = None, **options: Any) -> None:
    """Wrap the app's outermost ASGI handler in corsguard; see the module documentation."""
    if app.cors_config is not None:
        raise ValueError("Litestar's own cors_config is set; remove it, corsguard replaces it")
    policy = _default_policy(policy, allow_origin_regex, options)
    wrapped = asgi.CORSMiddleware(_untyped(app.asgi_handler), policy=policy, routes=routes,
                                  **({} if policy is not None else options))
    app.asgi_handler = _untyped(wrapped)


def _untyped(value: object) -> Any:
    """Pass a value between Litestar's precise ASGI types and corsguard's generic ones."""
    return value
