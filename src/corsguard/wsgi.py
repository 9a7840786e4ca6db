"""WSGI middleware: reads the CORS request headers, gets the policy's decision and applies it.

Works with any WSGI application (Flask, Django, Falcon, Bottle, Pyramid). WSGI servers join
repeated header lines with commas, so the first element of Origin and of
Access-Control-Request-Method stands for their first line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._headers import PlanCache, StrHeaderPlan
from .policy import Decision, Policy
from .routing import RouteKey, Router, RouteValue, build_router, wsgi_route_path

StartResponse = Callable[..., Callable[[bytes], object]]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

logger = logging.getLogger("corsguard")

_STATUS_LINES = {200: "200 OK", 204: "204 No Content", 403: "403 Forbidden"}


def _first_element(value: str | None) -> str | None:
    if value is None or "," not in value:
        return value
    return value.partition(",")[0].strip(" \t")


class CORSMiddleware:
    """Apply a corsguard `Policy` to a WSGI app; options are those of `CORSConfig`.

    With `routes` (see `corsguard.routing`), each request gets the policy of the most specific
    route matching its `PATH_INFO`; `policy` or the options then set the default for other paths,
    and without either, other paths get no CORS headers.
    """

    def __init__(self, app: WSGIApp, policy: Policy | None = None,
                 routes: Mapping[RouteKey, RouteValue] | None = None, **options: Any) -> None:
        self.app = app
        self.router: Router | None = None
        self.policy: Policy | None
        if routes is None:
            self.policy = policy if policy is not None else Policy(**options)
        else:
            self.router = build_router(routes, policy, options)
            self.policy = self.router.default
        self._plans: PlanCache[StrHeaderPlan] = PlanCache(StrHeaderPlan)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        router = self.router
        policy = self.policy if router is None else router.policy_for(wsgi_route_path(environ))
        if policy is None:
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        origin = _first_element(environ.get("HTTP_ORIGIN"))
        request_method = request_headers = private_network = None
        # Only a preflight reads the Access-Control-Request-* headers.
        if method == "OPTIONS":
            request_method = _first_element(environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"))
            request_headers = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
            private_network = _first_element(environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"))
        if policy.has_origin_predicate and policy.needs_predicate(origin):
            assert origin is not None
            result = policy.call_predicate(origin, _header_mapping(environ))
            decision = policy.decide(method, origin, request_method, request_headers, private_network,
                                     predicate_allows=result is True)
        else:
            decision = policy.decide(method, origin, request_method, request_headers, private_network)
        if not decision.allowed and logger.isEnabledFor(logging.DEBUG):
            logger.debug("CORS request refused: %s (path %s)", decision.reason,
                         str(environ.get("PATH_INFO", ""))[:200])

        if decision.preflight_status is not None:
            return _preflight_response(start_response, decision, self._plans)
        if not decision.headers and not decision.vary:
            return self.app(environ, start_response)
        plan = self._plans.plan(decision)

        def start_response_with_cors(status: str, headers: list[tuple[str, str]],
                                     exc_info: Any = None) -> Callable[[bytes], object]:
            return start_response(status, plan.apply(headers), exc_info)

        return self.app(environ, start_response_with_cors)


def _header_mapping(environ: dict[str, Any]) -> dict[str, str]:
    """Map lowercase header names to their values, for an origin predicate."""
    mapping = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            mapping[key[5:].replace("_", "-").lower()] = value
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if key in environ:
            mapping[key.replace("_", "-").lower()] = environ[key]
    return mapping


def _preflight_response(start_response: StartResponse, decision: Decision,
                        plans: PlanCache[StrHeaderPlan]) -> Iterable[bytes]:
    assert decision.preflight_status is not None
    headers = list(plans.plan(decision).tail)
    if decision.preflight_status != 204:
        headers.append(("Content-Length", "0"))
    start_response(_STATUS_LINES[decision.preflight_status], headers)
    return [b""]
