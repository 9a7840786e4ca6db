"""WSGI middleware: reads the CORS request headers, gets the policy's decision and applies it.

Works with any WSGI application (Flask, Django, Falcon, Bottle, Pyramid). WSGI servers join
repeated header lines with commas, so the first element of Origin and of
Access-Control-Request-Method stands for their first line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._headers import MAX_STORED_KEY_BYTES, STORE_SIZE, PlanCache, StrHeaderPlan
from .policy import Decision, Policy
from .routing import RouteKey, RouteValue, build_policies, decides_by_header_values, wsgi_route_path

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
        self.policy, self.router = build_policies(policy, routes, options)
        self._plans: PlanCache[StrHeaderPlan] = PlanCache(StrHeaderPlan)
        # An actual request's plan is also kept by its raw Origin value.
        self._stores_decisions = decides_by_header_values(self.policy, self.router)
        self._by_origin: dict[str | None, StrHeaderPlan] = {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self._stores_decisions and environ.get("REQUEST_METHOD") != "OPTIONS":
            # The hot path of every API call: one dict lookup by the raw Origin value.
            raw_origin = environ.get("HTTP_ORIGIN")
            try:
                plan = self._by_origin[raw_origin]
            except KeyError:
                plan = self._decide_and_store(environ, raw_origin)
        else:
            decision = self._decide(environ)
            if decision is None:
                return self.app(environ, start_response)
            plan = self._plans.plan(decision)
        decision = plan.decision
        if not decision.allowed and logger.isEnabledFor(logging.DEBUG):
            logger.debug("CORS request refused: %s (path %s)", decision.reason,
                         str(environ.get("PATH_INFO", ""))[:200])

        if decision.preflight_status is not None:
            return _preflight_response(start_response, plan)
        if not plan.tail:
            return self.app(environ, start_response)
        apply = plan.apply

        def start_response_with_cors(status: str, headers: list[tuple[str, str]],
                                     exc_info: Any = None) -> Callable[[bytes], object]:
            return start_response(status, apply(headers), exc_info)

        return self.app(environ, start_response_with_cors)

    def _decide_and_store(self, environ: dict[str, Any], raw_origin: str | None) -> StrHeaderPlan:
        """Decide an actual request from its raw Origin value; keep the plan if the value is short."""
        assert self.policy is not None
        method = environ.get("REQUEST_METHOD", "GET")
        plan = self._plans.plan(self.policy.decide(method, _first_element(raw_origin), None, None, None))
        if raw_origin is None or len(raw_origin) <= MAX_STORED_KEY_BYTES:
            if len(self._by_origin) >= STORE_SIZE:
                self._by_origin.clear()
            self._by_origin[raw_origin] = plan
        return plan

    def _decide(self, environ: dict[str, Any]) -> Decision | None:
        """Decide with routes, an origin predicate, or for OPTIONS; return None when no policy applies."""
        router = self.router
        policy = self.policy if router is None else router.policy_for(wsgi_route_path(environ))
        if policy is None:
            return None
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
            return policy.decide(method, origin, request_method, request_headers, private_network,
                                 predicate_allows=result is True)
        return policy.decide(method, origin, request_method, request_headers, private_network)


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


def _preflight_response(start_response: StartResponse, plan: StrHeaderPlan) -> Iterable[bytes]:
    status = plan.decision.preflight_status
    assert status is not None
    headers = list(plan.tail)
    if status != 204:
        headers.append(("Content-Length", "0"))
    start_response(_STATUS_LINES[status], headers)
    return [b""]
