"""Starlette and FastAPI: a drop-in `CORSMiddleware` and `install`, which also covers 500 responses.

`CORSMiddleware` takes the keyword arguments of `starlette.middleware.cors.CORSMiddleware` (which
FastAPI re-exports), so changing the import keeps `app.add_middleware(CORSMiddleware, ...)`
working, but the settings are validated: what Starlette accepts and corsguard considers unsafe
raises one `corsguard.ConfigError`. It also takes every `corsguard.CORSConfig` option, a ready
`policy` and per-route `routes`.

Starlette always places its `ServerErrorMiddleware` outside the middleware that
`add_middleware` registers, so a 500 from an unhandled exception never passes through them and
reaches the browser without CORS headers. `install(app, ...)` puts corsguard outside that layer,
so 500 responses (and preflights, before any authentication middleware) get the right headers.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from starlette.applications import Starlette

from .. import asgi
from ..config import OriginPredicate
from ..policy import Policy
from ..routing import RouteKey, RouteValue
from ._regex import build_policy_with_regexes

# Starlette allows these request headers in every preflight, whatever `allow_headers` contains.
STARLETTE_ALWAYS_ALLOWED_HEADERS = ("Accept", "Accept-Language", "Content-Language", "Content-Type")


def build_policy(
    allow_origins: Collection[str] = (),
    allow_methods: Collection[str] = ("GET",),
    allow_headers: Collection[str] = (),
    allow_credentials: bool = False,
    allow_origin_regex: str | re.Pattern[str] | None = None,
    allow_private_network: bool = False,
    expose_headers: Collection[str] = (),
    max_age: int | None = 600,
    **options: Any,
) -> Policy:
    """Build a `Policy` from Starlette's arguments (same defaults) plus any corsguard option.

    As in Starlette, the four headers of `STARLETTE_ALWAYS_ALLOWED_HEADERS` are always allowed,
    and `allow_origin_regex` must match the whole origin. Raises one `ConfigError` for all problems.
    """
    if isinstance(allow_headers, (list, tuple, set, frozenset)) and "*" not in allow_headers:
        allow_headers = [*allow_headers, *STARLETTE_ALWAYS_ALLOWED_HEADERS]
    options.update(
        allow_origins=allow_origins, allow_methods=allow_methods, allow_headers=allow_headers,
        allow_credentials=allow_credentials, allow_private_network=allow_private_network,
        expose_headers=expose_headers, max_age=max_age)
    expressions = [] if allow_origin_regex is None else [allow_origin_regex]
    return build_policy_with_regexes("allow_origin_regex", expressions, options)


class CORSMiddleware(asgi.CORSMiddleware):
    """corsguard's ASGI middleware with Starlette's constructor; see the module documentation.

    With `routes` and no origin setting, paths outside the routes get no CORS headers.
    """

    def __init__(
        self,
        app: asgi.ASGIApp,
        allow_origins: Collection[str] = (),
        allow_methods: Collection[str] = ("GET",),
        allow_headers: Collection[str] = (),
        allow_credentials: bool = False,
        allow_origin_regex: str | re.Pattern[str] | None = None,
        allow_private_network: bool = False,
        expose_headers: Collection[str] = (),
        max_age: int | None = 600,
        *,
        allow_origin_predicate: OriginPredicate | None = None,
        preflight_status: int = 204,
        preflight_passthrough: bool = False,
        dangerously_allow_insecure_origins: bool = False,
        dangerously_allow_public_suffix_wildcards: bool = False,
        policy: Policy | None = None,
        routes: Mapping[RouteKey, RouteValue] | None = None,
    ) -> None:
        # The corsguard options are spelled out, not taken as **options, so that type checkers
        # accept `app.add_middleware(CORSMiddleware, ...)`: mypy cannot match **kwargs there.
        has_default = bool(allow_origins) or allow_origin_regex is not None or (
            allow_origin_predicate is not None)
        if policy is None and (routes is None or has_default):
            policy = build_policy(
                allow_origins, allow_methods, allow_headers, allow_credentials, allow_origin_regex,
                allow_private_network, expose_headers, max_age,
                allow_origin_predicate=allow_origin_predicate, preflight_status=preflight_status,
                preflight_passthrough=preflight_passthrough,
                dangerously_allow_insecure_origins=dangerously_allow_insecure_origins,
                dangerously_allow_public_suffix_wildcards=dangerously_allow_public_suffix_wildcards)
        super().__init__(app, policy=policy, routes=routes)


def install(app: Starlette, **options: Any) -> None:
    """Wrap a Starlette or FastAPI app in corsguard, outside its error and body-limit layers.

    Takes the arguments of `CORSMiddleware`. Unlike `add_middleware`, the middleware then receives
    the 500 responses of the server-error handler (the default one, a custom 500 handler or the
    debug traceback page), and it responds to preflights before any middleware added with
    `add_middleware`, such as authentication. `app` stays the same object, so routes can still be
    added and `uvicorn module:app` keeps working. Raises `ConfigError` at once for bad settings
    and `RuntimeError` when the app has already started.
    """
    if app.middleware_stack is not None:
        raise RuntimeError("cannot install corsguard after the application has started; call "
                           "install(app, ...) where the app is created")
    configured = CORSMiddleware(_unused_app, **options)
    build_stack = app.build_middleware_stack

    def build_stack_with_cors() -> asgi.ASGIApp:
        return configured.with_app(build_stack())

    # Starlette builds its middleware stack on the first request by calling this method, and
    # always puts ServerErrorMiddleware outermost, so wrapping its result is the only way outside.
    vars(app)["build_middleware_stack"] = build_stack_with_cors


async def _unused_app(scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send) -> None:
    raise RuntimeError("placeholder app, never called")
