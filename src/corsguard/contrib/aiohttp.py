"""aiohttp: `setup_cors(app, ...)` installs a middleware and a response-prepare hook.

    app = web.Application()
    setup_cors(app, allow_origins=["https://app.example.com"], allow_credentials=True)

The middleware goes first in `app.middlewares`, so it responds to preflights before any other
middleware (authentication included) runs. The CORS headers themselves are added in the
`on_response_prepare` signal, which aiohttp sends for every response it prepares: handler
responses, raised `HTTPException`s, and the 500 page that aiohttp writes for an unhandled
exception. Options are those of `corsguard.CORSConfig`, plus `routes` (see `corsguard.routing`),
matched on the path aiohttp's router uses (`request.rel_url.path_safe`).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from .._headers import merge_vary
from ..policy import Decision, Policy
from ..routing import RouteKey, Router, RouteValue, build_router

logger = logging.getLogger("corsguard")

# The decision of the middleware, read back by the response-prepare hook; None means no policy.
DECISION_KEY: web.RequestKey[Decision | None] = web.RequestKey("corsguard_decision")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class _CORS:
    """The compiled configuration of one app, shared by its middleware and its signal handler."""

    def __init__(self, policy: Policy | None, router: Router | None) -> None:
        self.policy = policy
        self.router = router

    def policy_for(self, request: web.BaseRequest) -> Policy | None:
        if self.router is None:
            return self.policy
        return self.router.policy_for(request.rel_url.path_safe)

    async def decide(self, request: web.BaseRequest) -> Decision | None:
        """Decide the request, or return None when no policy covers its path."""
        policy = self.policy_for(request)
        if policy is None:
            return None
        headers = request.headers
        # aiohttp keeps header lines apart, so, as in the ASGI adapter, only the first line of each
        # counts, and a line holding a list is not a valid origin.
        origin = headers.get("Origin")
        predicate_allows = False
        if policy.needs_predicate(origin):
            assert origin is not None
            result = policy.call_predicate(origin, {name.lower(): value for name, value in headers.items()})
            if inspect.isawaitable(result):
                result = await result
            predicate_allows = result is True
        request_headers = headers.getall("Access-Control-Request-Headers", None)
        decision = policy.decide(
            request.method, origin, headers.get("Access-Control-Request-Method"),
            ",".join(request_headers) if request_headers else None,
            headers.get("Access-Control-Request-Private-Network"),
            predicate_allows=predicate_allows)
        if not decision.allowed and logger.isEnabledFor(logging.DEBUG):
            logger.debug("CORS request refused: %s (path %r)", decision.reason, request.path[:200])
        return decision

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        decision = await self.decide(request)
        request[DECISION_KEY] = decision
        if decision is not None and decision.preflight_status is not None:
            # The headers are added by `on_response_prepare`, like those of every other response.
            return web.Response(status=decision.preflight_status)
        return await handler(request)

    async def on_response_prepare(self, request: web.Request, response: web.StreamResponse) -> None:
        try:
            decision = request[DECISION_KEY]
        except KeyError:  # a response prepared before the middleware ran
            decision = await self.decide(request)
        if decision is None:
            return
        for name, value in decision.headers:
            response.headers[name] = value
        if decision.vary:
            existing = response.headers.getall("Vary", [])
            response.headers["Vary"] = merge_vary(existing, decision.vary)


def setup_cors(app: web.Application, policy: Policy | None = None,
               routes: Mapping[RouteKey, RouteValue] | None = None, **options: Any) -> None:
    """Install corsguard on `app`; raises `ConfigError` at once for invalid settings."""
    if routes is None:
        cors = _CORS(policy if policy is not None else Policy(**options), None)
    else:
        router = build_router(routes, policy, options)
        cors = _CORS(router.default, router)
    app.middlewares.insert(0, cors.middleware)
    app.on_response_prepare.append(cors.on_response_prepare)
